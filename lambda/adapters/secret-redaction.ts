/**
 * Removes a secret URL (a webhook URL: Slack's incoming webhook) from text in every form a server, a proxy or
 * an error message might echo it: the whole URL, its path, each secret path segment on its own (the workspace
 * id, the channel id and the token of `https://hooks.slack.com/services/T…/B…/…`) and each query value, raw,
 * JSON-escaped, percent-encoded (either case) and broken across lines by whitespace or escaped newlines.
 */
export class SecretRedactor {
  private readonly patterns: readonly RegExp[];

  constructor(
    secret: string,
    private readonly mask = '[redacted]',
  ) {
    this.patterns = fragments(secret).map(tolerantPattern);
  }

  redact(text: string): string {
    return this.patterns.reduce((out, pattern) => out.replace(pattern, this.mask), text);
  }

  /** Every string inside `value` redacted (objects and arrays copied); other values as they are. */
  redactDeep(value: unknown, depth = 0): unknown {
    if (typeof value === 'string') return this.redact(value);
    if (depth > 8 || typeof value !== 'object' || value === null) return value;
    if (Array.isArray(value)) return value.map((v) => this.redactDeep(v, depth + 1));
    if (value instanceof Error) return { name: value.name, message: this.redact(value.message) };
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.redactDeep(v, depth + 1)]));
  }
}

/** Path segments and query values shorter than this are not secret (`api`, `v=1`) and are left alone. */
const MIN_SECRET_SEGMENT = 4;

/** The pieces of `secret` that must never be shown, longest first so that the whole goes before its parts. */
function fragments(secret: string): string[] {
  const pieces = new Set<string>([secret]);
  try {
    const url = new URL(secret);
    if (url.pathname.length > 1) pieces.add(url.pathname);
    for (const segment of url.pathname.split('/')) {
      if (segment.length >= MIN_SECRET_SEGMENT && segment !== 'services') pieces.add(segment);
    }
    // Other webhooks carry their secret in the query (Google Chat's `token` parameter): the query and each
    // value long enough to be one, as written and decoded, are secrets too. Slack's URLs have none.
    const query = url.search.slice(1);
    const values = [
      ...query.split('&').map((pair) => pair.slice(pair.indexOf('=') + 1)),
      ...url.searchParams.values(),
    ];
    for (const value of [query, ...values]) if (value.length >= MIN_SECRET_SEGMENT) pieces.add(value);
  } catch {
    // Not a URL: the whole value is the secret.
  }
  const encoded = [...pieces].flatMap((p) => [
    p,
    JSON.stringify(p).slice(1, -1),
    encodeURIComponent(p),
    percentEveryByte(p, 'upper'),
    percentEveryByte(p, 'lower'),
  ]);
  return [...new Set(encoded)].filter((p) => p.length > 0).sort((a, b) => b.length - a.length);
}

function percentEveryByte(text: string, hexCase: 'upper' | 'lower'): string {
  const hex = [...Buffer.from(text, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
  return hexCase === 'upper' ? hex.toUpperCase() : hex;
}

/** Matches `fragment` with any whitespace, escaped newline (`\n`, `\r\n`) or soft line break between characters. */
function tolerantPattern(fragment: string): RegExp {
  const gap = String.raw`(?:\s|\\[nrt]|=\r?\n)*`;
  return new RegExp([...fragment].map(escapeRegExp).join(gap), 'g');
}

function escapeRegExp(ch: string): string {
  return ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
