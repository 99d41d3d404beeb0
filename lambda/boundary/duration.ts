/**
 * Durations and points in time as an operator types them (`--for 30m`, `--since 2h`), shared by the operator
 * command line and the simulator's scenario times.
 */

const SECOND = 1_000;
const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: SECOND } as const;
const DURATION = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;
/** Date and time with an explicit zone: a zone-less timestamp would depend on the machine's time zone. */
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/** How durations are written on the command line, for help texts and problems. */
export const DURATION_EXAMPLES = '90s, 10m, 2h, 1d, or combined like 1h30m';
export const DURATION_HELP = `a duration (${DURATION_EXAMPLES})`;

/** Milliseconds of `90s`, `10m`, `2h`, `1d` or a combination in that order (`1h30m`), or undefined. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text);
  if (!m || text === '') return undefined;
  const [, d, h, min, s] = m;
  return (
    Number(d ?? 0) * UNIT_MS.d +
    Number(h ?? 0) * UNIT_MS.h +
    Number(min ?? 0) * UNIT_MS.m +
    Number(s ?? 0) * UNIT_MS.s
  );
}

/** Epoch milliseconds of an absolute ISO-8601 timestamp with a zone, or undefined. */
export function parseIsoTimestamp(text: string): number | undefined {
  if (!ISO_WITH_ZONE.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * A point in time given as "that long ago" (`2h`) or as an ISO timestamp with a zone
 * (`2026-03-01T10:00:00Z`): epoch milliseconds, or undefined when `text` is neither.
 */
export function parsePointInTime(text: string, now: number): number | undefined {
  const ago = parseDuration(text);
  if (ago !== undefined) return now - ago;
  return parseIsoTimestamp(text);
}

/** `850ms`, `1.8s`, `4m05s`, `1h02m`: short, for tables and drill timings. */
export function formatMillis(ms: number): string {
  if (ms < SECOND) return `${Math.max(0, Math.round(ms))}ms`;
  if (ms < 60 * SECOND) return `${(ms / SECOND).toFixed(1).replace(/\.0$/, '')}s`;
  const totalSeconds = Math.round(ms / SECOND);
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}h${two(m)}m` : `${m}m${two(s)}s`;
}
