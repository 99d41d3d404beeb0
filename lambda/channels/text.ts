/** Text helpers every channel shares. Pure. */

/** `minute`, `5 minutes`, `hour`: a CloudWatch period as a sentence reads it. */
export function formatPeriod(seconds: number): string {
  if (seconds % 3600 === 0) return seconds === 3600 ? 'hour' : `${seconds / 3600} hours`;
  if (seconds % 60 === 0) return seconds === 60 ? 'minute' : `${seconds / 60} minutes`;
  return `${seconds} seconds`;
}

/** Four significant digits are plenty to read a data point against its threshold; big numbers stay whole. */
export function formatNumber(n: number): string {
  if (Number.isInteger(n) || Math.abs(n) >= 1000) return String(Math.round(n));
  return String(Number(n.toPrecision(4)));
}

/** Cuts `text` to at most `max` UTF-16 units, ending with `ellipsis`, without splitting a surrogate pair. */
export function truncate(text: string, max: number, ellipsis: string): string {
  if (text.length <= max) return text;
  let end = max - ellipsis.length;
  if (/[\uD800-\uDBFF]/.test(text.charAt(end - 1))) end -= 1;
  return `${text.slice(0, end).trimEnd()}${ellipsis}`;
}
