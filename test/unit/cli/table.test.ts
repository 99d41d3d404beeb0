import { formatTime, renderTable } from '../../../lambda/cli/table';

describe('renderTable', () => {
  it('aligns columns on their widest cell, two spaces apart, without trailing spaces', () => {
    expect(
      renderTable(
        ['TARGET', 'MODE', 'NOTE'],
        [
          ['checkout', 'auto', ''],
          ['payments-eu', 'dry-run', 'paused'],
        ],
      ),
    ).toBe(
      ['TARGET       MODE     NOTE', 'checkout     auto', 'payments-eu  dry-run  paused', ''].join('\n'),
    );
  });

  it('prints only the header when there are no rows', () => {
    expect(renderTable(['A', 'B'], [])).toBe('A  B\n');
  });
});

describe('formatTime', () => {
  it('shows an ISO time in UTC to the second, and anything else as it is', () => {
    expect(formatTime('2026-03-01T10:02:03.456Z')).toBe('2026-03-01 10:02:03Z');
    expect(formatTime('2026-03-01T11:02:03+01:00')).toBe('2026-03-01 10:02:03Z');
    expect(formatTime('soon')).toBe('soon');
  });
});
