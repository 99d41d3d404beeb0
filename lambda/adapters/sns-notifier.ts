import { PublishCommand, type MessageAttributeValue, type SNSClient } from '@aws-sdk/client-sns';
import type { Notification, Notifier } from '../use-cases/ports';

/**
 * An AWS Chatbot (Amazon Q Developer in chat applications) custom notification (docs/architecture.md,
 * "Notification messages").
 */
export interface ChatbotMessage {
  readonly version: '1.0';
  readonly source: 'custom';
  readonly content: {
    readonly title: string;
    readonly description: string;
    readonly nextSteps: readonly string[];
    readonly keywords: readonly string[];
  };
  readonly metadata: {
    /** Chatbot threads every message of one target together. */
    readonly threadId: string;
    readonly additionalContext: Readonly<Record<string, string>>;
  };
}

/** Chatbot's field limits: longer text is cut with an ellipsis rather than risk the whole notification. */
export const CHATBOT_LIMITS = { title: 250, description: 8_000 } as const;

/** SNS: "less than 100 characters", ASCII for email subscribers, no line breaks or control characters. */
export const SUBJECT_MAX_LENGTH = 99;

/** Renders the SNS message body; pure, so the simulator and tests see exactly what is published. */
export function renderChatbotMessage(notification: Notification): ChatbotMessage {
  return {
    version: '1.0',
    source: 'custom',
    content: {
      title: truncate(notification.title, CHATBOT_LIMITS.title, '…'),
      description: truncate(notification.description, CHATBOT_LIMITS.description, '…'),
      nextSteps: [...notification.nextSteps],
      keywords: [...notification.keywords],
    },
    metadata: {
      threadId: notification.target,
      // kind and target always match the message attributes, whatever the caller put in its context.
      additionalContext: { ...notification.context, kind: notification.kind, target: notification.target },
    },
  };
}

/**
 * The SNS message body (docs/architecture.md, "Notification messages"): `MessageStructure: "json"`, so each
 * protocol gets its own member. `default` is the Chatbot custom notification, unchanged, for every protocol
 * without a member of its own (Chatbot's HTTPS subscription, the Slack forwarder's Lambda, SQS); `email` is
 * the same content as plain text.
 */
export function renderSnsMessage(notification: Notification): string {
  return JSON.stringify({
    default: JSON.stringify(renderChatbotMessage(notification)),
    email: renderEmailText(notification),
  });
}

/** SNS rejects a message over 256 KB; the text is cut well below, leaving room for the JSON around it. */
export const EMAIL_TEXT_MAX_LENGTH = 60_000;

/**
 * The plain-text e-mail: the title, the description as on-call reads it (what fired, what changed, what the
 * watchdog did, what to do next, the links), every next step as a command to paste, and the facts a filter or
 * an auditor looks for. No markup: mail clients show it as it is.
 */
export function renderEmailText(notification: Notification): string {
  const facts = Object.entries({
    ...notification.context,
    kind: notification.kind,
    target: notification.target,
    severity: notification.severity,
  })
    .filter(([, value]) => value !== '')
    .map(([key, value]) => `${key}: ${value}`);
  const text = [
    notification.title,
    '='.repeat(Math.min(notification.title.length, 72)),
    '',
    notification.description,
    '',
    'Next steps:',
    ...notification.nextSteps.map((step, i) => `${i + 1}. ${step}`),
    '',
    '--',
    ...facts,
    '',
    'Sent by Rollback Watchdog. Every decision is in the audit log: npx rollback-watchdog history',
  ].join('\n');
  return truncate(text, EMAIL_TEXT_MAX_LENGTH, '\n[cut: the full text is in the audit log]');
}

/** The email subject: the title in printable ASCII, cut to SNS's limit. */
export function renderSubject(notification: Pick<Notification, 'title' | 'kind' | 'target'>): string {
  const ascii = toAscii(notification.title);
  const subject =
    ascii.length > 0 ? ascii : `Rollback watchdog: ${notification.kind} ${toAscii(notification.target)}`;
  return truncate(subject, SUBJECT_MAX_LENGTH, '...');
}

/** The message attributes subscription filter policies select on. */
export function renderMessageAttributes(notification: Notification): Record<string, MessageAttributeValue> {
  const attribute = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value });
  return {
    kind: attribute(notification.kind),
    target: attribute(notification.target),
    severity: attribute(notification.severity),
  };
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

const ASCII_EQUIVALENTS: Readonly<Record<string, string>> = {
  '→': '->',
  '←': '<-',
  '—': '-',
  '–': '-',
  '‘': "'",
  '’': "'",
  '“': '"',
  '”': '"',
  '…': '...',
  '×': 'x',
};

function toAscii(text: string): string {
  return (
    text
      // Decomposes accented letters so that the base letter survives the filter below.
      .normalize('NFKD')
      .replace(/[^\x20-\x7e]/g, (c) => ASCII_EQUIVALENTS[c] ?? (/\s/.test(c) ? ' ' : ''))
      .replace(/\s+/g, ' ')
      .trim()
  );
}

/** Cuts `text` to at most `max` UTF-16 units, ending with `ellipsis`, without splitting a surrogate pair. */
function truncate(text: string, max: number, ellipsis: string): string {
  if (text.length <= max) return text;
  let end = max - ellipsis.length;
  if (/[\uD800-\uDBFF]/.test(text.charAt(end - 1))) end -= 1;
  return `${text.slice(0, end).trimEnd()}${ellipsis}`;
}
