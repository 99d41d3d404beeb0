import {
  cloudWatchTimestamp,
  formatDuration,
  formatOffset,
  isoSeconds,
  parseOffset,
  resolveTimeSpec,
} from '../../../lambda/sim/time';
import { parseIsoTimestamp } from '../../../lambda/boundary/duration';
import { START, START_MS, minutes, seconds } from './support';

describe('scenario time specs', () => {
  it.each([
    ['+0s', 0],
    ['+90s', seconds(90)],
    ['+10m', minutes(10)],
    ['+2h', minutes(120)],
    ['+1h30m', minutes(90)],
    ['+1h05m30s', minutes(65) + seconds(30)],
    ['+1d', minutes(24 * 60)],
    ['+7d', minutes(7 * 24 * 60)],
    ['+1d2h30m', minutes(26 * 60 + 30)],
  ])('reads the offset %s', (spec, ms) => {
    expect(parseOffset(spec)).toBe(ms);
    expect(resolveTimeSpec(spec, START_MS)).toBe(START_MS + ms);
  });

  it.each(['+', '90s', '+1.5m', '+10 m', '+1w', '+2h1d', '-5m', '+m', '+30m1h', ''])(
    'rejects %j as an offset',
    (spec) => {
      expect(parseOffset(spec)).toBeUndefined();
      expect(resolveTimeSpec(spec, START_MS)).toBeUndefined();
    },
  );

  it('reads absolute ISO timestamps with a zone', () => {
    expect(parseIsoTimestamp(START)).toBe(START_MS);
    expect(resolveTimeSpec('2026-03-01T11:00:00+01:00', START_MS)).toBe(START_MS);
    expect(resolveTimeSpec('2026-03-01T10:05:00.250Z', START_MS)).toBe(START_MS + minutes(5) + 250);
  });

  it('rejects timestamps without a zone (they would depend on the machine) and impossible dates', () => {
    expect(parseIsoTimestamp('2026-03-01T10:00:00')).toBeUndefined();
    expect(parseIsoTimestamp('2026-03-01')).toBeUndefined();
    expect(parseIsoTimestamp('2026-13-45T10:00:00Z')).toBeUndefined();
    expect(parseIsoTimestamp('yesterday')).toBeUndefined();
  });
});

describe('time formats', () => {
  it('formats offsets compactly, and they read back as the same offset', () => {
    const cases: [number, string][] = [
      [0, '+0s'],
      [seconds(45), '+45s'],
      [seconds(90), '+1m30s'],
      [minutes(10), '+10m'],
      [minutes(120), '+2h'],
      [minutes(65), '+1h05m'],
      [minutes(60) + seconds(5), '+1h00m05s'],
    ];
    for (const [ms, text] of cases) {
      expect(formatOffset(ms)).toBe(text);
      expect(parseOffset(text)).toBe(ms);
    }
  });

  it('formats durations for the summary line', () => {
    expect(formatDuration(seconds(45))).toBe('45s');
    expect(formatDuration(minutes(4))).toBe('4m00s');
    expect(formatDuration(minutes(62))).toBe('1h02m');
  });

  it('writes the AWS timestamp formats events carry', () => {
    expect(isoSeconds(START_MS + 999)).toBe('2026-03-01T10:00:00Z');
    expect(cloudWatchTimestamp(START_MS + minutes(1))).toBe('2026-03-01T10:01:00.000+0000');
  });
});
