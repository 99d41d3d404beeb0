import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { awsClientSettings } from './aws-clients';
import { describeError } from './aws-errors';
import { webhookChannel, type WebhookUrlRule } from '../channels/registry';
import type { WebhookUrlSource } from './webhook-poster';

/** How long a container reuses the URL: short enough that a rotated secret is picked up within minutes. */
export const SECRET_CACHE_TTL_MS = 5 * 60_000;

/** Options of SecretsManagerSecretReader. */
export interface SecretsManagerSecretReaderOptions {
  readonly client: SecretsManagerClient;
  /** ARN (or name) of the secret holding the webhook URL. */
  readonly secretId: string;
  /**
   * Which URLs the secret may hold: the channel's (WebhookChannel.url in lambda/channels/registry.ts).
   * @default - Slack's incoming webhooks
   */
  readonly url?: WebhookUrlRule;
  /** @default SECRET_CACHE_TTL_MS */
  readonly cacheTtlMs?: number;
  /**
   * Accept any http(s) URL, so tests can point the notifier at a local server. Never set in a deployment:
   * it would let a wrong secret send on-call messages to an arbitrary host.
   * @default false
   */
  readonly allowInsecureForTests?: boolean;
  /** @default Date.now */
  readonly now?: () => number;
}

/**
 * The secret is missing, unreadable, or does not hold the channel's webhook URL. The message names the secret
 * and the problem, never the secret's value; the SDK error is reduced to its name and message, which name the
 * secret at most.
 */
export class SecretReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretReadError';
  }
}

/**
 * Reads a webhook URL (Slack's incoming webhook, or another channel's) from Secrets Manager (GetSecretValue
 * by ARN) and caches it per container. The secret may hold the bare URL or JSON `{ "url": "…" }` /
 * `{ "webhookUrl": "…" }`. Concurrent reads share one request; a failed read is not cached.
 */
export class SecretsManagerSecretReader implements WebhookUrlSource {
  private readonly client: SecretsManagerClient;
  private readonly secretId: string;
  private readonly rule: WebhookUrlRule;
  private readonly ttlMs: number;
  private readonly allowInsecure: boolean;
  private readonly cache: CachedRead<string>;

  constructor(options: SecretsManagerSecretReaderOptions) {
    this.client = options.client;
    this.secretId = options.secretId;
    this.rule = options.url ?? webhookChannel('slack').url;
    this.ttlMs = options.cacheTtlMs ?? SECRET_CACHE_TTL_MS;
    this.allowInsecure = options.allowInsecureForTests ?? false;
    this.cache = new CachedRead(() => this.fetch(), this.ttlMs, options.now ?? Date.now);
  }

  read(): Promise<string> {
    return this.cache.read();
  }

  forget(): void {
    this.cache.forget();
  }

  private async fetch(): Promise<string> {
    let secret: string | undefined;
    try {
      const out = await this.client.send(new GetSecretValueCommand({ SecretId: this.secretId }));
      secret = out.SecretString;
    } catch (error) {
      throw new SecretReadError(`cannot read secret ${this.secretId}: ${describeError(error)}`);
    }
    if (secret === undefined) {
      throw new SecretReadError(
        `secret ${this.secretId} has no string value (a binary secret is not supported)`,
      );
    }
    const url = extractUrl(secret.trim());
    if (url === undefined || !this.acceptable(url)) {
      throw new SecretReadError(
        `secret ${this.secretId} does not hold ${this.rule.description}: expected ${this.rule.expected} ` +
          'as the whole value or as "url" / "webhookUrl" in a JSON object',
      );
    }
    return url;
  }

  private acceptable(url: string): boolean {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return false;
    }
    if (this.allowInsecure) return parsed.protocol === 'https:' || parsed.protocol === 'http:';
    return parsed.protocol === 'https:' && this.rule.accepts(url, parsed);
  }
}

/** A Secrets Manager client with the same retry and timeout settings as the watchdog's other clients. */
export function createSecretsManagerClient(): SecretsManagerClient {
  return new SecretsManagerClient(awsClientSettings());
}

function extractUrl(secret: string): string | undefined {
  if (!secret.startsWith('{')) return secret || undefined;
  let json: unknown;
  try {
    json = JSON.parse(secret);
  } catch {
    return undefined;
  }
  if (typeof json !== 'object' || json === null) return undefined;
  const { url, webhookUrl } = json as { url?: unknown; webhookUrl?: unknown };
  const value = typeof url === 'string' ? url : typeof webhookUrl === 'string' ? webhookUrl : undefined;
  return value?.trim() || undefined;
}

/**
 * Reads the Slack app's signing secret from the same secret as the webhook URL, which then holds JSON:
 * `{ "webhookUrl": "https://hooks.slack.com/…", "signingSecret": "…" }` (README "Approve from Slack"). Cached
 * per container like the URL; a failed read is not cached. Errors name the secret, never its value.
 */
export class SlackSigningSecretReader {
  private readonly cache: CachedRead<string>;

  constructor(
    private readonly options: {
      readonly client: SecretsManagerClient;
      readonly secretId: string;
      readonly cacheTtlMs?: number;
      readonly now?: () => number;
    },
  ) {
    this.cache = new CachedRead(
      () => this.fetch(),
      options.cacheTtlMs ?? SECRET_CACHE_TTL_MS,
      options.now ?? Date.now,
    );
  }

  read(): Promise<string> {
    return this.cache.read();
  }

  private async fetch(): Promise<string> {
    let secret: string | undefined;
    try {
      const out = await this.options.client.send(
        new GetSecretValueCommand({ SecretId: this.options.secretId }),
      );
      secret = out.SecretString;
    } catch (error) {
      throw new SecretReadError(`cannot read secret ${this.options.secretId}: ${describeError(error)}`);
    }
    let json: unknown;
    try {
      json = secret?.trim().startsWith('{') ? JSON.parse(secret) : undefined;
    } catch {
      json = undefined;
    }
    const signing =
      typeof json === 'object' && json !== null
        ? (json as { signingSecret?: unknown }).signingSecret
        : undefined;
    if (typeof signing !== 'string' || signing.trim().length === 0) {
      throw new SecretReadError(
        `secret ${this.options.secretId} holds no Slack signing secret: with slack.interactive it must be JSON ` +
          '{ "webhookUrl": "https://hooks.slack.com/…", "signingSecret": "<the app\'s Signing Secret>" }',
      );
    }
    return signing.trim();
  }
}

/**
 * A value read at most once per `ttlMs` per container: concurrent reads share one request, and a failed read is
 * not kept (the next read tries again).
 */
class CachedRead<T> {
  private cached: { readonly value: Promise<T>; readonly until: number } | undefined;

  constructor(
    private readonly fetch: () => Promise<T>,
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  read(): Promise<T> {
    const now = this.now();
    if (this.cached && now < this.cached.until) return this.cached.value;
    const value = this.fetch();
    const entry = { value, until: now + this.ttlMs };
    this.cached = entry;
    value.catch(() => {
      if (this.cached === entry) this.cached = undefined;
    });
    return value;
  }

  forget(): void {
    this.cached = undefined;
  }
}
