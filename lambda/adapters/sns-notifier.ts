import { PublishCommand, type MessageAttributeValue, type SNSClient } from '@aws-sdk/client-sns';
import { renderChatbotCard } from '../channels/chatbot';
import { renderEmailText, renderSubject } from '../channels/email';
import { truncate } from '../channels/text';
import { NOTIFICATION_ATTRIBUTE, NOTIFICATION_FORMAT_VERSION, type WatchdogNotification } from '../contract';
import type { Notification, Notifier } from '../use-cases/ports';

/**
 * The SNS message body (docs/architecture.md, "Notification messages"): `MessageStructure: "json"`, so each
 * protocol gets its own member. `default` is the Chatbot custom notification, unchanged, for every protocol
 * without a member of its own (Chatbot's HTTPS subscription, the Slack forwarder's Lambda, SQS); `email` is
 * the same content as plain text.
 */
export function renderSnsMessage(notification: Notification): string {
  return JSON.stringify({
    default: JSON.stringify(renderChatbotCard(notification)),
    email: renderEmailText(notification),
  });
}

/**
 * The message attributes: `kind`, `target` and `severity` for subscription filter policies, and the
 * notification itself as JSON (NOTIFICATION_ATTRIBUTE), so that a channel behind the topic (the Slack
 * forwarder) renders from the typed value instead of parsing the card's text.
 */
export function renderMessageAttributes(notification: Notification): Record<string, MessageAttributeValue> {
  const attribute = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value });
  const typed = serializeNotification(notification);
  return {
    kind: attribute(notification.kind),
    target: attribute(notification.target),
    severity: attribute(notification.severity),
    // Without it the Slack forwarder renders the card as it is: a message is never lost to its size.
    ...(typed.length <= NOTIFICATION_ATTRIBUTE_MAX_LENGTH
      ? { [NOTIFICATION_ATTRIBUTE]: attribute(typed) }
      : {}),
  };
}

/**
 * The largest typed notification the attribute carries. With the card (about 8 KB at most) and the e-mail
 * text (EMAIL_TEXT_MAX_LENGTH) it keeps the whole message well under SNS's 256 KB.
 */
export const NOTIFICATION_ATTRIBUTE_MAX_LENGTH = 100_000;

/** Each text of the typed notification is cut to this, as the card's description is. */
const FIELD_MAX_LENGTH = 4_000;
/** Lists (change lines, next steps, links) keep this many entries. */
const LIST_MAX_LENGTH = 20;

/** The attribute's JSON: the notification with its format version, every text and list bounded. */
export function serializeNotification(n: WatchdogNotification): string {
  const text = (t: string): string => truncate(t, FIELD_MAX_LENGTH, '…');
  const value: WatchdogNotification & { readonly formatVersion: number } = {
    formatVersion: NOTIFICATION_FORMAT_VERSION,
    kind: n.kind,
    severity: n.severity,
    target: n.target,
    title: text(n.title),
    fired: text(n.fired),
    changed: n.changed.slice(0, LIST_MAX_LENGTH).map(text),
    did: text(n.did),
    nextSteps: n.nextSteps.slice(0, LIST_MAX_LENGTH).map((step) => ({
      text: text(step.text),
      ...(step.command !== undefined ? { command: text(step.command) } : {}),
    })),
    links: n.links.slice(0, LIST_MAX_LENGTH).map((l) => ({ label: text(l.label), url: l.url })),
    keywords: n.keywords.slice(0, LIST_MAX_LENGTH).map(text),
    context: Object.fromEntries(Object.entries(n.context).map(([k, v]) => [k, text(v)])),
  };
  return JSON.stringify(value);
}

export interface SnsNotifierOptions {
  readonly client: SNSClient;
  readonly topicArn: string;
}

/**
 * Publishes notifications to the watchdog's topic. Errors propagate: the caller logs and counts them, and a
 * notification never blocks or undoes a rollback.
 */
export class SnsNotifier implements Notifier {
  private readonly client: SNSClient;
  private readonly topicArn: string;

  constructor(options: SnsNotifierOptions) {
    this.client = options.client;
    this.topicArn = options.topicArn;
  }

  async publish(notification: Notification): Promise<void> {
    await this.client.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        Message: renderSnsMessage(notification),
        MessageStructure: 'json',
        Subject: renderSubject(notification),
        MessageAttributes: renderMessageAttributes(notification),
      }),
    );
  }
}
