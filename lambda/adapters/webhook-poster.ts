import type { Telemetry, WebhookPoster } from '../use-cases/ports';
import { SecretRedactor } from './secret-redaction';

/** Where the webhook URL comes from. The URL is a credential: whoever has it can post to the channel. */
export interface WebhookUrlSource {
  read(): Promise<string>;
  /** Drops a cached URL, after the webhook answered that it is gone (rotated or revoked). */
  forget?(): void;
}

/** Options of JsonWebhookPoster; every bound has a default. */
export interface JsonWebhookPosterOptions {
  /** How log lines and errors name the channel: `Slack` (`Slack webhook attempt failed`). */
  readonly label: string;
  readonly webhookUrl: WebhookUrlSource;
  /** Per attempt, response body included. @default 3000 */
  readonly timeoutMs?: number;
  /** @default 3 */
  readonly maxAttempts?: number;
  /** First backoff; it doubles per attempt, with up to 20 % jitter. @default 500 */
  readonly backoffMs?: number;
  /**
   * The longest `Retry-After` honoured. A longer one ends the attempts at once: Lambda's own asynchronous
   * retry waits longer than this function should. @default 5000
   */
  readonly maxRetryAfterMs?: number;
  /** Receives one line per failed attempt (status or error class, never the URL). */
  readonly telemetry?: Pick<Telemetry, 'log'>;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Per-attempt timeout, attempts and backoff: together at most about 20 s per post. */
export const WEBHOOK_POST_DEFAULTS = {
  timeoutMs: 3_000,
  maxAttempts: 3,
  backoffMs: 500,
  maxRetryAfterMs: 5_000,
} as const;

/** Webhooks answer these when the webhook itself is gone (Slack does); a cached URL is then stale. */
const GONE_STATUSES: ReadonlySet<number> = new Set([403, 404, 410]);

/**
 * Response text kept for the error message: webhooks answer with short error codes (Slack's
 * `invalid_payload`, `no_service`).
 */
const MAX_BODY_EXCERPT = 100;

/**
 * Why a post failed. Its message and fields never contain the webhook URL, and it carries no `cause`: an
 * HTTP client's error can hold the request URL, so nothing of it is kept beyond its name and error code. Its
 * name is the channel's (`SlackWebhookError`).
 */
export class WebhookPostError extends Error {
  /** HTTP status of the last attempt, if the webhook answered. */
  readonly status: number | undefined;
  readonly attempts: number;
  /** A later delivery (Lambda's retry) may succeed: 5xx, 429, timeout or network error. */
  readonly retryable: boolean;

  constructor(
    message: string,
    details: { label: string; status: number | undefined; attempts: number; retryable: boolean },
  ) {
    super(message);
    this.name = `${details.label.replace(/[^A-Za-z0-9]/g, '')}WebhookError`;
    this.status = details.status;
    this.attempts = details.attempts;
    this.retryable = details.retryable;
  }
}

type Attempt =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly retryable: boolean;
      readonly status?: number;
      readonly retryAfterMs?: number;
      readonly problem: string;
    };

/**
 * Posts JSON bodies to a webhook (a channel of lambda/channels/registry.ts). Bounded: at most `maxAttempts`
 * POSTs of at most `timeoutMs` each, retrying 5xx, 429 (after `Retry-After`, up to a cap) and network errors or
 * timeouts with exponential backoff; any other 4xx is final. With the defaults one post takes at most about
 * 20 s, so the function's timeout must be above that.
 *
 * A timed-out POST may still have been delivered, so a retry can post the message twice: a duplicate in the
 * channel is better than a lost page.
 */
export class JsonWebhookPoster implements WebhookPoster {
  private readonly label: string;
  private readonly source: WebhookUrlSource;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly backoffMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly telemetry: Pick<Telemetry, 'log'> | undefined;
  private readonly fetch: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: JsonWebhookPosterOptions) {
    this.label = options.label;
    this.source = options.webhookUrl;
    this.timeoutMs = options.timeoutMs ?? WEBHOOK_POST_DEFAULTS.timeoutMs;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? WEBHOOK_POST_DEFAULTS.maxAttempts);
    this.backoffMs = options.backoffMs ?? WEBHOOK_POST_DEFAULTS.backoffMs;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? WEBHOOK_POST_DEFAULTS.maxRetryAfterMs;
    this.telemetry = options.telemetry;
    this.fetch = options.fetch ?? globalThis.fetch;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async post(message: unknown): Promise<void> {
    const url = await this.source.read();
    const body = JSON.stringify(message);
    for (let attempt = 1; ; attempt++) {
      const result = await this.attempt(url, body);
      if (result.ok) return;
      this.telemetry?.log('warn', `${this.label} webhook attempt failed`, {
        attempt,
        status: result.status,
        problem: result.problem,
      });
      const stop = this.stopReason(result, attempt);
      if (stop !== undefined) {
        if (result.status !== undefined && GONE_STATUSES.has(result.status)) this.source.forget?.();
        throw new WebhookPostError(
          `${this.label} webhook post failed after ${attempt} attempt(s): ${result.problem}${stop}`,
          { label: this.label, status: result.status, attempts: attempt, retryable: result.retryable },
        );
      }
      await this.sleep(result.retryAfterMs ?? this.backoff(attempt));
    }
  }

  /** Undefined to try again; otherwise what to add to the error message. */
  private stopReason(result: Extract<Attempt, { ok: false }>, attempt: number): string | undefined {
    if (!result.retryable || attempt >= this.maxAttempts) return '';
    if (result.retryAfterMs !== undefined && result.retryAfterMs > this.maxRetryAfterMs) {
      return ` (Retry-After ${Math.ceil(result.retryAfterMs / 1000)} s is longer than this function waits)`;
    }
    return undefined;
  }

  private backoff(attempt: number): number {
    const base = this.backoffMs * 2 ** (attempt - 1);
    return Math.round(base + base * 0.2 * Math.random());
  }

  private async attempt(url: string, body: string): Promise<Attempt> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    try {
      const response = await this.fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body,
        signal: controller.signal,
        // A redirect would send the message somewhere the secret does not name.
        redirect: 'error',
      });
      // Read under the same timeout: a server can answer the status line and then stall.
      const text = await response.text();
      if (response.ok) return { ok: true };
      const status = response.status;
      const retryAfterMs = status === 429 ? parseRetryAfter(response.headers.get('retry-after')) : undefined;
      return {
        ok: false,
        retryable: status === 429 || status >= 500,
        status,
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
        problem: `HTTP ${status}${excerpt(text, url)}`,
      };
    } catch (error) {
      return {
        ok: false,
        retryable: true,
        problem: controller.signal.aborted
          ? `no response within ${this.timeoutMs} ms`
          : `network error (${errorCode(error)})`,
      };
    } finally {
      clearTimeout(timer);
    }
  }
}

/** `Retry-After` as delta-seconds or an HTTP date, in milliseconds; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * The webhook's error code from the response, on one line and cut short, and with the URL and its path removed in
 * case the server echoed the request.
 */
function excerpt(text: string, url: string): string {
  // Redacted before it is cut short or joined onto one line, so that no part of a secret survives either.
  const clean = new SecretRedactor(url).redact(text).replace(/\s+/g, ' ').trim().slice(0, MAX_BODY_EXCERPT);
  return clean ? ` (${clean})` : '';
}

/** The Node.js error code (ECONNREFUSED, UND_ERR_…) of the error or its causes, else its name; never a message. */
function errorCode(error: unknown): string {
  for (let e: unknown = error, depth = 0; depth < 4 && typeof e === 'object' && e !== null; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z0-9_]+$/.test(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return error instanceof Error ? error.name : 'unknown';
}
