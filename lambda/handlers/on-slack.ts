import { ENV } from '../contract';
import { PowertoolsTelemetry } from '../adapters/powertools-telemetry';
import {
  createSecretsManagerClient,
  SecretsManagerSecretReader,
  type SecretsManagerSecretReaderOptions,
} from '../adapters/secrets-manager';
import { SlackWebhookNotifier, type SlackWebhookNotifierOptions } from '../adapters/slack-webhook';
import { parseSnsChatbotEvent } from '../boundary/sns-event';
import { forwardToSlack, type ForwardResult } from '../use-cases/forward-to-slack';
import type { Telemetry } from '../use-cases/ports';

export interface SlackHandlerDeps {
  readonly secret: SecretsManagerSecretReaderOptions;
  readonly telemetry: Telemetry;
  /** Overrides for tests (timeouts, backoff). @default SLACK_WEBHOOK_DEFAULTS */
  readonly webhook?: Omit<SlackWebhookNotifierOptions, 'webhookUrl' | 'telemetry'>;
}

/** Wires the SNS → Slack forwarder; the exported `handler` is this, built from the Lambda environment. */
export function createSlackHandler(deps: SlackHandlerDeps): (event: unknown) => Promise<ForwardResult> {
  const slack = new SlackWebhookNotifier({
    ...deps.webhook,
    webhookUrl: new SecretsManagerSecretReader(deps.secret),
    telemetry: deps.telemetry,
  });
  return async (event) => {
    try {
      return await forwardToSlack({ slack, telemetry: deps.telemetry }, parseSnsChatbotEvent(event));
    } finally {
      deps.telemetry.flush();
    }
  };
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
});

/** SNS notification topic → the Slack incoming webhook (Block Kit). Throws when a post failed, so Lambda retries. */
export const handler = async (event: unknown): Promise<void> => {
  await forward(event);
};
