/**
 * ORACLE, test only: lambda/boundary/audit-stream.ts as it was with zod (commit 511f49f), before the runtime parsers moved
 * to lambda/boundary/lean-schema.ts. test/unit/boundary/lean-schema.test.ts checks that both give the same
 * results and messages. Nothing under lambda/ may import this.
 */
import { z } from 'zod';
import type { AuditStreamRecord } from '../../../lambda/contract';
import { isRecord, jsonPath } from '../../../lambda/boundary/json-path';

/**
 * Boundary parsing for the audit exporter: the DynamoDB Streams event its event source mapping delivers. Extra
 * fields are tolerated (Lambda adds its own); nothing is coerced. Each record is judged on its own, so one that
 * cannot be read is reported (and retried, then dead-lettered) by its sequence number without holding up the
 * rest.
 */

const recordSchema = z.looseObject({
  eventName: z.string().min(1),
  dynamodb: z.looseObject({
    SequenceNumber: z.string().min(1),
    ApproximateCreationDateTime: z.number().optional(),
    NewImage: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
  }),
});

/**
 * The records of a DynamoDB Streams event. Throws when the event is not one at all (no `Records` list): nothing
 * in it could be reported record by record, so the whole batch fails and is retried.
 */
export function parseAuditStreamEvent(raw: unknown): AuditStreamRecord[] {
  if (!isRecord(raw) || !Array.isArray(raw.Records)) {
    throw new TypeError('$.Records: must be the list of records of a DynamoDB Streams event');
  }
  return raw.Records.map((record: unknown, i): AuditStreamRecord => {
    const parsed = recordSchema.safeParse(record);
    if (!parsed.success) {
      const sequenceNumber = sequenceNumberOf(record);
      return {
        ok: false,
        ...(sequenceNumber !== undefined ? { sequenceNumber } : {}),
        problems: parsed.error.issues.map(
          (issue) => `${jsonPath(['Records', i, ...issue.path])}: ${issue.message}`,
        ),
      };
    }
    const { eventName, dynamodb } = parsed.data;
    return {
      ok: true,
      sequenceNumber: dynamodb.SequenceNumber,
      eventName,
      ...(dynamodb.ApproximateCreationDateTime !== undefined
        ? { approximateCreationSeconds: dynamodb.ApproximateCreationDateTime }
        : {}),
      ...(dynamodb.NewImage !== undefined ? { newImage: dynamodb.NewImage } : {}),
    };
  });
}

function sequenceNumberOf(record: unknown): string | undefined {
  if (!isRecord(record) || !isRecord(record.dynamodb)) return undefined;
  const value = record.dynamodb.SequenceNumber;
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
