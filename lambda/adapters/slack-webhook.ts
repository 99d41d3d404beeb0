import type { ChatNotifier } from '../use-cases/ports';
import {
  JsonWebhookPoster,
  WEBHOOK_POST_DEFAULTS,
  WebhookPostError,
  type JsonWebhookPosterOptions,
} from './webhook-poster';

/**
 * The Slack incoming webhook as a JsonWebhookPoster of the channel labelled `Slack`, under the names it had
 * before the webhook channels shared one poster. The forwarder (lambda/handlers/on-webhook.ts) builds the
 * poster from the channel registry instead.
 */

export { parseRetryAfter, type WebhookUrlSource } from './webhook-poster';

/** Options of SlackWebhookNotifier: JsonWebhookPoster's, with the label fixed. */
export type SlackWebhookNotifierOptions = Omit<JsonWebhookPosterOptions, 'label'>;

/** Per-attempt timeout, attempts and backoff: WEBHOOK_POST_DEFAULTS. */
export const SLACK_WEBHOOK_DEFAULTS = WEBHOOK_POST_DEFAULTS;

/** Why a Slack post failed: a WebhookPostError named `SlackWebhookError`. */
export const SlackWebhookError = WebhookPostError;
export type SlackWebhookError = WebhookPostError;

/** Posts Block Kit messages to a Slack incoming webhook (see JsonWebhookPoster for the bounds). */
export class SlackWebhookNotifier extends JsonWebhookPoster implements ChatNotifier {
  constructor(options: SlackWebhookNotifierOptions) {
    super({ ...options, label: 'Slack' });
  }
}
