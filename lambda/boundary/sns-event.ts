import {
  NOTIFICATION_ATTRIBUTE,
  NOTIFICATION_FORMAT_VERSION,
  NOTIFICATION_KINDS,
  SEVERITIES,
  type SnsChatbotRecord,
  type WatchdogNotification,
} from '../contract';
import { isRecord, jsonPath } from './json-path';
import * as v from './lean-schema';

/**
 * Boundary parsing for the Slack notifier: the SNS → Lambda event, and each record's message as the watchdog's
 * Chatbot custom notification (docs/architecture.md, "Notification messages"). As for EventBridge events,
 * nothing is coerced and extra fields are tolerated; a record that does not match is reported with every
 * problem named, by JSON path.
 */

/** The whole event: its records, or why it is not an SNS event at all. */
export type ParsedSnsEvent =
  | { readonly ok: true; readonly records: readonly SnsChatbotRecord[] }
  | { readonly ok: false; readonly problems: readonly string[] };

const attribute = v.looseObject({ Type: v.string(), Value: v.string() });

const snsEventSchema = v.looseObject({
  Records: v
    .array(
      v.looseObject({
        Sns: v.looseObject({
          MessageId: v.string().min(1),
          Message: v.string(),
          MessageAttributes: v.record(attribute).optional(),
        }),
      }),
    )
    .min(1, 'must hold at least one record'),
});

const chatbotSchema = v.looseObject({
  version: v.literal('1.0'),
  source: v.literal('custom'),
  content: v.looseObject({
    title: v.string().min(1),
    description: v.string(),
    nextSteps: v.array(v.string()).optional(),
    keywords: v.array(v.string()).optional(),
  }),
  metadata: v
    .looseObject({
      threadId: v.string().optional(),
      additionalContext: v.record(v.string()).optional(),
    })
    .optional(),
});

/** The typed notification of the `notification` attribute (lambda/contract/notification.ts). */
const notificationSchema = v.looseObject({
  formatVersion: v.literal(NOTIFICATION_FORMAT_VERSION),
  kind: v.enumOf(NOTIFICATION_KINDS),
  severity: v.enumOf(SEVERITIES),
  target: v.string().min(1),
  title: v.string().min(1),
  fired: v.string(),
  changed: v.array(v.string()),
  did: v.string(),
  nextSteps: v.array(v.looseObject({ text: v.string(), command: v.string().optional() })),
  links: v.array(v.looseObject({ label: v.string().min(1), url: v.string().min(1) })),
  keywords: v.array(v.string()),
  context: v.record(v.string()),
});

/** Parses the event SNS delivers to a subscribed Lambda function; each record is judged on its own. */
export function parseSnsChatbotEvent(raw: unknown): ParsedSnsEvent {
  if (!isRecord(raw)) return { ok: false, problems: ['$: must be a JSON object (an SNS event)'] };
  const event = snsEventSchema.safeParse(raw);
  if (!event.success) return { ok: false, problems: problemsOf(event.issues) };
  return {
    ok: true,
    records: event.data.Records.map((record, i): SnsChatbotRecord => {
      const { MessageId: messageId, Message: body, MessageAttributes: attributes } = record.Sns;
      const at = ['Records', i, 'Sns', 'Message'];
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        return {
          ok: false,
          messageId,
          problems: [`${jsonPath(at)}: must be JSON (a Chatbot custom notification)`],
        };
      }
      const message = chatbotSchema.safeParse(json);
      if (!message.success) return { ok: false, messageId, problems: problemsOf(message.issues, at) };
      const { content, metadata } = message.data;
      const severity = oneOf(SEVERITIES, attributes?.['severity']?.Value);
      const kind = oneOf(
        NOTIFICATION_KINDS,
        attributes?.['kind']?.Value ?? metadata?.additionalContext?.['kind'],
      );
      return {
        ok: true,
        messageId,
        message: {
          version: message.data.version,
          source: message.data.source,
          content: {
            title: content.title,
            description: content.description,
            nextSteps: content.nextSteps ?? [],
            keywords: content.keywords ?? [],
          },
          metadata: {
            ...(metadata?.threadId !== undefined ? { threadId: metadata.threadId } : {}),
            additionalContext: metadata?.additionalContext ?? {},
          },
        },
        ...(severity !== undefined ? { severity } : {}),
        ...(kind !== undefined ? { kind } : {}),
        ...typedNotification(attributes?.[NOTIFICATION_ATTRIBUTE]?.Value),
      };
    }),
  };
}

/**
 * The attribute's notification, when it parses. One that does not (another format version, a publisher that
 * is not the watchdog) is not an error: the card is complete on its own, so the channel renders that instead.
 */
function typedNotification(json: string | undefined): { notification?: WatchdogNotification } {
  if (json === undefined) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return {};
  }
  const parsed = notificationSchema.safeParse(raw);
  if (!parsed.success) return {};
  const n = parsed.data;
  return {
    notification: {
      kind: n.kind,
      severity: n.severity,
      target: n.target,
      title: n.title,
      fired: n.fired,
      changed: n.changed,
      did: n.did,
      nextSteps: n.nextSteps.map((s) => ({
        text: s.text,
        ...(s.command !== undefined ? { command: s.command } : {}),
      })),
      links: n.links.map((l) => ({ label: l.label, url: l.url })),
      keywords: n.keywords,
      context: n.context,
    },
  };
}

function oneOf<T extends string>(values: readonly T[], value: string | undefined): T | undefined {
  return values.find((v) => v === value);
}

function problemsOf(issues: readonly v.Issue[], prefix: readonly PropertyKey[] = []): string[] {
  return issues.map((i) => `${jsonPath([...prefix, ...i.path])}: ${i.message}`);
}
