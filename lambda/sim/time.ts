import { parseIsoTimestamp } from '../boundary/duration';

/**
 * Scenario time (docs/architecture.md, "Scenario files"): `at` and `until` are offsets from `start` (`+90s`,
 * `+10m`, `+2h`, `+7d`, or combined `+1d2h30m`) or absolute ISO-8601 timestamps with a time zone.
 */

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const OFFSET = /^\+(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

export const TIME_SPEC_HELP =
  'an offset from start like "+90s", "+10m", "+2h", "+7d" (or "+1h30m"), or an ISO timestamp like "2026-03-01T10:05:00Z"';

/** Milliseconds of an offset like `+1h30m`, or undefined when `text` is not one. */
export function parseOffset(text: string): number | undefined {
  const m = OFFSET.exec(text);
  if (!m || text === '+') return undefined;
  const [, d, h, min, s] = m;
  return Number(d ?? 0) * DAY + Number(h ?? 0) * HOUR + Number(min ?? 0) * MINUTE + Number(s ?? 0) * SECOND;
}

/** Epoch milliseconds of a scenario time spec relative to `startMs`, or undefined when it is not one. */
export function resolveTimeSpec(text: string, startMs: number): number | undefined {
  const offset = parseOffset(text);
  if (offset !== undefined) return startMs + offset;
  return parseIsoTimestamp(text);
}

/** `+0s`, `+45s`, `+1m30s`, `+2h`, `+1h05m`: compact, unambiguous, and valid as a scenario time again. */
export function formatOffset(ms: number): string {
  const sign = ms < 0 ? '-' : '+';
  let rest = Math.abs(ms);
  const h = Math.floor(rest / HOUR);
  rest -= h * HOUR;
  const m = Math.floor(rest / MINUTE);
  rest -= m * MINUTE;
  const s = rest / SECOND;
  const sText = Number.isInteger(s) ? String(s) : s.toFixed(3);
  if (h > 0) return `${sign}${h}h${m > 0 || s > 0 ? `${pad(m)}m` : ''}${s > 0 ? `${pad(s, sText)}s` : ''}`;
  if (m > 0) return `${sign}${m}m${s > 0 ? `${pad(s, sText)}s` : ''}`;
  return `${sign}${sText}s`;
}

/** A duration for humans: `45s`, `4m00s`, `1h02m`. */
export function formatDuration(ms: number): string {
  const totalSeconds = Math.round(ms / SECOND);
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  if (h > 0) return `${h}h${pad(m)}m`;
  if (m > 0) return `${m}m${pad(s)}s`;
  return `${s}s`;
}

function pad(n: number, text = String(n)): string {
  return n < 10 ? `0${text}` : text;
}

/** ISO-8601 in UTC with milliseconds, as the output JSON carries every time. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** EventBridge envelope and ECS event times: whole seconds, `2026-03-01T10:00:00Z`. */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / SECOND) * SECOND).toISOString().replace('.000Z', 'Z');
}

/** CloudWatch's alarm state timestamps: `2026-03-01T10:01:00.000+0000`. */
export function cloudWatchTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

/** `10:01:00` in UTC: the wall-clock column of the readable timeline. */
export function clockTime(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19);
}
