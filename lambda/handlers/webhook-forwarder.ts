import { ENV, webhookChannelEnv, type MetricName } from '../contract';
import { PowertoolsTelemetry } from '../adapters/powertools-telemetry';
import {
  createSecretsManagerClient,
  SecretsManagerSecretReader,
  type SecretsManagerSecretReaderOptions,
} from '../adapters/secrets-manager';
import { SecretRedactor } from '../adapters/secret-redaction';
import { JsonWebhookPoster, type JsonWebhookPosterOptions } from '../adapters/webhook-poster';
import { parseSnsForwarderEvent } from '../boundary/cloudwatch-alarm-notification';
import { WEBHOOK_CHANNELS, webhookChannel, type WebhookChannel } from '../channels/registry';
import { forwardToWebhook, type ForwardResult } from '../use-cases/forward-to-webhook';
import type { LogLevel, Telemetry } from '../use-cases/ports';
import { requiredEnv } from './required-env';

/**
 * The SNS → webhook forwarder, one function per configured webhook channel (lambda/channels/registry.ts).
 * Apart from its entry point (on-webhook.ts) so that importing it builds nothing from the environment.
 */

export interface WebhookHandlerDeps {
  /** The secret holding the webhook URL; the channel's URL rule is added to it. */
  readonly secret: Omit<SecretsManagerSecretReaderOptions, 'url'>;
  readonly telemetry: Telemetry;
  /** Overrides for tests (timeouts, backoff, fetch). @default WEBHOOK_POST_DEFAULTS */
  readonly webhook?: Omit<JsonWebhookPosterOptions, 'webhookUrl' | 'telemetry' | 'label'>;
  /**
   * The watchdog's stack (WATCHDOG_STACK_NAME), for the CLI hint in health-alarm messages.
   * @default - no CLI hint
   */
  readonly stackName?: string;
  /**
   * Who high-severity posts mention (`webhookChannelEnv(channel).mention`: WATCHDOG_SLACK_MENTION for Slack).
   * @default - no mention
   */
  readonly mention?: string;
  /** Buttons for the interaction endpoint (WATCHDOG_SLACK_INTERACTIVE=true). @default false */
  readonly interactive?: boolean;
}

/**
 * Wires the SNS → webhook forwarder of one channel; the exported `handler` is this, built from the
 * environment.
 */
export function createWebhookHandler(
  channel: WebhookChannel,
  deps: WebhookHandlerDeps,
): (event: unknown) => Promise<ForwardResult> {
  // Defence in depth: once the URL is known, every log line and every error leaving this function is
  // redacted, whatever code produced it (the adapter already redacts what it writes itself).
  const guard = new RedactingTelemetry(deps.telemetry);
  const reader = new SecretsManagerSecretReader({ ...deps.secret, url: channel.url });
  const poster = new JsonWebhookPoster({
    ...deps.webhook,
    label: channel.label,
    webhookUrl: {
      read: async () => guard.protect(await reader.read()),
      forget: () => reader.forget(),
    },
    telemetry: guard,
  });
  return async (event) => {
    try {
      return await forwardToWebhook(
        {
          channel,
          poster,
          telemetry: guard,
          ...(deps.stackName ? { stackName: deps.stackName } : {}),
          ...(deps.mention ? { mention: deps.mention } : {}),
          ...(deps.interactive === true ? { interactive: true } : {}),
        },
        parseSnsForwarderEvent(event),
      );
    } catch (error) {
      throw guard.redactError(error);
    } finally {
      guard.flush();
    }
  };
}

/**
 * The forwarder the construct deployed: the channel named by WATCHDOG_WEBHOOK_CHANNEL, looked up in
 * `channels` (the registry; tests add their own), with its secret and mention from the variables
 * `webhookChannelEnv` names. Throws at init when a variable is missing or names no channel.
 */
export function webhookHandlerFromEnvironment(
  env: NodeJS.ProcessEnv,
  options: {
    readonly channels?: Readonly<Record<string, WebhookChannel>>;
    readonly telemetry?: Telemetry;
    readonly webhook?: WebhookHandlerDeps['webhook'];
  } = {},
): (event: unknown) => Promise<ForwardResult> {
  const name = requiredEnv(env, ENV.webhookChannel);
  const channel = webhookChannel(name, options.channels ?? WEBHOOK_CHANNELS);
  const vars = webhookChannelEnv(name);
  return createWebhookHandler(channel, {
    secret: { client: createSecretsManagerClient(), secretId: requiredEnv(env, vars.secretArn) },
    telemetry: options.telemetry ?? new PowertoolsTelemetry(),
    ...(options.webhook ? { webhook: options.webhook } : {}),
    ...(env[ENV.stackName] ? { stackName: env[ENV.stackName] } : {}),
    ...(env[vars.mention] ? { mention: env[vars.mention] } : {}),
    ...(name === 'slack' && env[ENV.slackInteractive] === 'true' ? { interactive: true } : {}),
  });
}

/** A Telemetry that redacts every secret it has been told about from messages and fields. */
class RedactingTelemetry implements Telemetry {
  private readonly redactors = new Map<string, SecretRedactor>();

  constructor(private readonly inner: Telemetry) {}

  /** Registers `secret` and returns it unchanged. */
  protect(secret: string): string {
    if (!this.redactors.has(secret)) this.redactors.set(secret, new SecretRedactor(secret));
    return secret;
  }

  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void {
    this.inner.log(
      level,
      this.redact(message),
      fields === undefined ? undefined : (this.redactDeep(fields) as Record<string, unknown>),
    );
  }

  count(metric: MetricName, value?: number, dimensions?: Record<string, string>): void {
    this.inner.count(metric, value, dimensions);
  }

  flush(): void {
    this.inner.flush();
  }

  /** The error as it may leave the function: its message redacted, no cause or other fields kept. */
  redactError(error: unknown): Error {
    const source = error instanceof Error ? error : new Error(String(error));
    const redacted = new Error(this.redact(source.message));
    redacted.name = source.name;
    return redacted;
  }

  private redact(text: string): string {
    let out = text;
    for (const r of this.redactors.values()) out = r.redact(out);
    return out;
  }

  private redactDeep(value: unknown): unknown {
    let out = value;
    for (const r of this.redactors.values()) out = r.redactDeep(out);
    return out;
  }
}

/** The deps of createSlackHandler: WebhookHandlerDeps. */
export type SlackHandlerDeps = WebhookHandlerDeps;

/** createWebhookHandler for the registry's Slack channel (what WATCHDOG_WEBHOOK_CHANNEL=slack deploys). */
export function createSlackHandler(deps: SlackHandlerDeps): (event: unknown) => Promise<ForwardResult> {
  return createWebhookHandler(webhookChannel('slack'), deps);
}
