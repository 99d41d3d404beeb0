import type { ParsedForwarderEvent } from '../contract';
import { webhookChannel } from '../channels/registry';
import { forwardToWebhook, WebhookDeliveryError, type ForwardResult } from './forward-to-webhook';
import type { ChatNotifier, Telemetry } from './ports';

/**
 * forwardToWebhook for the Slack channel of the registry, under the names it had before the webhook channels
 * shared one forwarder.
 */

export type { ForwardResult } from './forward-to-webhook';

/** The Slack channel to post to and where to log. */
export interface ForwardToSlackDeps {
  readonly slack: ChatNotifier;
  readonly telemetry: Telemetry;
  /**
   * The watchdog's stack, for the CLI hint in health-alarm messages.
   * @default - no CLI hint
   */
  readonly stackName?: string;
  /**
   * Who a high-severity message pages (`notifications.slack.mention`).
   * @default - no mention
   */
  readonly mention?: string;
  /** Approve rollback / Hold buttons (`slack.interactive`). @default false */
  readonly interactive?: boolean;
}

/** At least one message could not be posted to Slack: a WebhookDeliveryError named `SlackDeliveryError`. */
export const SlackDeliveryError = WebhookDeliveryError;
export type SlackDeliveryError = WebhookDeliveryError;

/** SNS → Slack: forwardToWebhook with the registry's Slack channel. */
export function forwardToSlack(
  deps: ForwardToSlackDeps,
  event: ParsedForwarderEvent,
): Promise<ForwardResult> {
  const { slack, ...rest } = deps;
  return forwardToWebhook({ ...rest, channel: webhookChannel('slack'), poster: slack }, event);
}
