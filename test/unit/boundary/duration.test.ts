import { formatMillis, parseDuration, parsePointInTime } from '../../../lambda/boundary/duration';

describe('durations', () => {
  it.each([
    ['90s', 90_000],
    ['10m', 600_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['1h30m', 5_400_000],
    ['1d2h3m4s', 93_784_000],
    ['0s', 0],
  ])('%s is %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '2', 'h', '2H', '-5m', '1.5h', '30m2h', '2 h', 'P1D'])('%j is not a duration', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it('reads a point in time as "that long ago" or an ISO timestamp with a zone', () => {
    const now = Date.parse('2026-03-01T12:00:00Z');
    expect(parsePointInTime('2h', now)).toBe(Date.parse('2026-03-01T10:00:00Z'));
    expect(parsePointInTime('2026-03-01T10:00:00+01:00', now)).toBe(Date.parse('2026-03-01T09:00:00Z'));
    expect(parsePointInTime('2026-03-01T10:00:00', now)).toBeUndefined();
    expect(parsePointInTime('yesterday', now)).toBeUndefined();
  });

  it.each([
    [0, '0ms'],
    [850, '850ms'],
    [1_000, '1s'],
    [1_840, '1.8s'],
    [59_949, '59.9s'],
    [245_000, '4m05s'],
    [3_720_000, '1h02m'],
  ])('formats %i ms as %s', (ms, text) => {
    expect(formatMillis(ms)).toBe(text);
  });
});
