/**
 * ORACLE, test only: lambda/boundary/sns-event.ts as it was with zod (commit 511f49f), before the runtime parsers moved
 * to lambda/boundary/lean-schema.ts. test/unit/boundary/lean-schema.test.ts checks that both give the same
 * results and messages. Nothing under lambda/ may import this.
 */
import { z } from 'zod';
import { NOTIFICATION_KINDS, SEVERITIES, type SnsChatbotRecord } from '../../../lambda/contract';
import { isRecord, jsonPath } from '../../../lambda/boundary/json-path';

/**
 * Boundary parsing for the Slack notifier: the SNS → Lambda event, and each record's message as the watchdog's
 * Chatbot custom notification (CONTRACTS.md §3). As for EventBridge events, nothing is coerced and extra fields
 * are tolerated; a record that does not match is reported with every problem named, by JSON path.
 */

/** The whole event: its records, or why it is not an SNS event at all. */
export type ParsedSnsEvent =
  | { readonly ok: true; readonly records: readonly SnsChatbotRecord[] }
  | { readonly ok: false; readonly problems: readonly string[] };

const attribute = z.looseObject({ Type: z.string(), Value: z.string() });

const snsEventSchema = z.looseObject({
  Records: z
    .array(
      z.looseObject({
        Sns: z.looseObject({
          MessageId: z.string().min(1),
          Message: z.string(),
          MessageAttributes: z.record(z.string(), attribute).optional(),
        }),
      }),
    )
    .min(1, 'must hold at least one record'),
});

const chatbotSchema = z.looseObject({
  version: z.literal('1.0'),
  source: z.literal('custom'),
  content: z.looseObject({
    title: z.string().min(1),
    description: z.string(),
    nextSteps: z.array(z.string()).optional(),
    keywords: z.array(z.string()).optional(),
  }),
  metadata: z
    .looseObject({
      threadId: z.string().optional(),
      additionalContext: z.record(z.string(), z.string()).optional(),
    })
    .optional(),
});

/** Parses the event SNS delivers to a subscribed Lambda function; each record is judged on its own. */
export function parseSnsChatbotEvent(raw: unknown): ParsedSnsEvent {
  if (!isRecord(raw)) return { ok: false, problems: ['$: must be a JSON object (an SNS event)'] };
  const event = snsEventSchema.safeParse(raw);
  if (!event.success) return { ok: false, problems: problemsOf(event.error) };
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
      if (!message.success) return { ok: false, messageId, problems: problemsOf(message.error, at) };
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
      };
    }),
  };
}

function oneOf<T extends string>(values: readonly T[], value: string | undefined): T | undefined {
  return values.find((v) => v === value);
}

function problemsOf(error: z.ZodError, prefix: readonly PropertyKey[] = []): string[] {
  return error.issues.map((i) => `${jsonPath([...prefix, ...i.path])}: ${i.message}`);
}
