import type {
  ChatbotNotification,
  CloudWatchAlarmNotification,
  Severity,
  WatchdogNotification,
} from '../contract';
import { alarmToSlackMessage, cardToSlackMessage, toSlackMessage } from './slack';

/**
 * The webhook channels: one JSON webhook each (docs/architecture.md, "A new notification channel"). The
 * construct creates one forwarder function per configured channel, subscribed to the topic; the forwarder
 * (lambda/handlers/on-webhook.ts) finds its channel here by the name in WATCHDOG_WEBHOOK_CHANNEL, renders
 * each message with it and posts the JSON body to the URL in the channel's secret. Every name here has a
 * factory in lib/notification-channel.ts (WEBHOOK_CHANNEL_DEFINITIONS), and
 * test/unit/channels/registry.test.ts holds the two lists equal.
 */

/** What a forwarder adds to every message it renders, from the construct's settings. */
export interface WebhookRenderOptions {
  /**
   * Who a high-severity message pages, in the channel's own mention syntax (checked at synth).
   * @default - no mention
   */
  readonly mention?: string;
  /**
   * The watchdog's CloudFormation stack, for the CLI hint in health-alarm messages.
   * @default - no CLI hint
   */
  readonly stackName?: string;
  /**
   * The channel's app sends button presses to the watchdog (Slack's `slack.interactive`): messages that offer
   * an action carry its buttons.
   * @default false
   */
  readonly interactive?: boolean;
}

/** A channel's renderer: pure, from each kind of message on the topic to the JSON body its webhook takes. */
export interface WebhookRenderer {
  /** The watchdog's own notification, from the typed value on the topic. */
  notification(notification: WatchdogNotification, options: WebhookRenderOptions): unknown;
  /** A CloudWatch alarm notification on the topic: the watchdog's health alarms, or any alarm aimed at it. */
  alarm(alarm: CloudWatchAlarmNotification, options: WebhookRenderOptions): unknown;
  /**
   * A Chatbot card on the topic without the typed notification (published by an older watchdog, or by hand):
   * its fields as they are, nothing parsed out of its text. `severity` is the message attribute, if any.
   */
  card(card: ChatbotNotification, severity: Severity | undefined, options: WebhookRenderOptions): unknown;
}

/** Which URLs a channel's secret may hold: a wrong secret must not send on-call messages to another host. */
export interface WebhookUrlRule {
  /** What the secret must hold, for the error message: `a Slack incoming-webhook URL`. */
  readonly description: string;
  /** The shape expected, for the error message: `https://hooks.slack.com/…`. */
  readonly expected: string;
  /** Whether `url` (as written in the secret, and parsed) is one; the reader checks it is https besides. */
  accepts(url: string, parsed: URL): boolean;
}

/** One webhook channel: its renderer and what its forwarder must know about it. */
export interface WebhookChannel {
  /** How log lines and errors name it: `Slack` (`posted to Slack`, `SlackDeliveryError`). */
  readonly label: string;
  readonly render: WebhookRenderer;
  readonly url: WebhookUrlRule;
}

const SLACK_WEBHOOK_PREFIX = 'https://hooks.slack.com/';

/** Slack incoming webhooks (Block Kit, lambda/channels/slack.ts). */
const SLACK: WebhookChannel = {
  label: 'Slack',
  render: {
    notification: (n, { mention, interactive }) =>
      toSlackMessage(n, {
        ...(mention !== undefined ? { mention } : {}),
        ...(interactive === true ? { interactive } : {}),
      }),
    alarm: (alarm, options) => alarmToSlackMessage(alarm, options),
    card: (card, severity, { mention }) =>
      cardToSlackMessage(card, severity, mention !== undefined ? { mention } : {}),
  },
  url: {
    description: 'a Slack incoming-webhook URL',
    expected: `${SLACK_WEBHOOK_PREFIX}…`,
    accepts: (url, parsed) => url.startsWith(SLACK_WEBHOOK_PREFIX) && parsed.hostname === 'hooks.slack.com',
  },
};

/** The registry: a channel's name (lib/notification-channel.ts, WATCHDOG_WEBHOOK_CHANNEL) → the channel. */
export const WEBHOOK_CHANNELS: Readonly<Record<string, WebhookChannel>> = {
  slack: SLACK,
};

/** The channel named `name` in `channels`; throws, naming the ones there are, when it is not there. */
export function webhookChannel(
  name: string,
  channels: Readonly<Record<string, WebhookChannel>> = WEBHOOK_CHANNELS,
): WebhookChannel {
  const channel = Object.hasOwn(channels, name) ? channels[name] : undefined;
  if (channel === undefined) {
    throw new Error(
      `no webhook channel is called ${JSON.stringify(name)}; this forwarder renders ${Object.keys(channels).join(', ')}`,
    );
  }
  return channel;
}
