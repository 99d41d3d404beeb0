import { ENV, type MetricName } from '../contract';
import { PowertoolsTelemetry } from '../adapters/powertools-telemetry';
import {
  createSecretsManagerClient,
  SecretsManagerSecretReader,
  type SecretsManagerSecretReaderOptions,
} from '../adapters/secrets-manager';
import { SecretRedactor } from '../adapters/secret-redaction';
import { SlackWebhookNotifier, type SlackWebhookNotifierOptions } from '../adapters/slack-webhook';
import { parseSnsForwarderEvent } from '../boundary/cloudwatch-alarm-notification';
import { forwardToSlack, type ForwardResult } from '../use-cases/forward-to-slack';
import type { LogLevel, Telemetry } from '../use-cases/ports';

export interface SlackHandlerDeps {
  readonly secret: SecretsManagerSecretReaderOptions;
  readonly telemetry: Telemetry;
  /** Overrides for tests (timeouts, backoff). @default SLACK_WEBHOOK_DEFAULTS */
  readonly webhook?: Omit<SlackWebhookNotifierOptions, 'webhookUrl' | 'telemetry'>;
  /**
   * The watchdog's stack (WATCHDOG_STACK_NAME), for the CLI hint in health-alarm messages.
   * @default - no CLI hint
   */
  readonly stackName?: string;
  /**
   * Who high-severity posts mention (WATCHDOG_SLACK_MENTION).
   * @default - no mention
   */
  readonly mention?: string;
}

/** Wires the SNS → Slack forwarder; the exported `handler` is this, built from the Lambda environment. */
export function createSlackHandler(deps: SlackHandlerDeps): (event: unknown) => Promise<ForwardResult> {
  // Defence in depth: once the URL is known, every log line and every error leaving this function is
  // redacted, whatever code produced it (the adapter already redacts what it writes itself).
  const guard = new RedactingTelemetry(deps.telemetry);
  const reader = new SecretsManagerSecretReader(deps.secret);
  const slack = new SlackWebhookNotifier({
    ...deps.webhook,
    webhookUrl: {
      read: async () => guard.protect(await reader.read()),
      forget: () => reader.forget(),
    },
    telemetry: guard,
  });
  return async (event) => {
    try {
      return await forwardToSlack(
        {
          slack,
          telemetry: guard,
          ...(deps.stackName ? { stackName: deps.stackName } : {}),
          ...(deps.mention ? { mention: deps.mention } : {}),
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

function secretArnFromEnvironment(env: NodeJS.ProcessEnv = process.env): string {
  const arn = env[ENV.slackSecretArn];
  if (!arn) {
    throw new Error(
      `environment variable ${ENV.slackSecretArn} is not set; the function was not deployed by the RollbackWatchdog construct`,
    );
  }
  return arn;
}

// Module scope: the client, the cached URL and the telemetry live as long as the container.
const forward = createSlackHandler({
  secret: { client: createSecretsManagerClient(), secretId: secretArnFromEnvironment() },
  telemetry: new PowertoolsTelemetry(),
  ...(process.env[ENV.stackName] ? { stackName: process.env[ENV.stackName] } : {}),
  ...(process.env[ENV.slackMention] ? { mention: process.env[ENV.slackMention] } : {}),
});

/**
 * SNS notification topic → the Slack incoming webhook (Block Kit): the watchdog's notifications and the
 * CloudWatch alarm notifications on the topic. Throws when a post failed, so Lambda retries.
 */
export const handler = async (event: unknown): Promise<void> => {
  await forward(event);
};
