import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { KEY, METRIC, REJECTED_SCOPE, type AuditStreamRecord } from '../../../lambda/contract';
import { auditAddress, DynamoDbStateStore } from '../../../lambda/adapters/dynamodb-state-store';
import { parseAuditStreamEvent } from '../../../lambda/boundary/audit-stream';
import {
  auditObject,
  EXPORT_CONCURRENCY,
  exportAudit,
  fromAttributeValue,
} from '../../../lambda/use-cases/export-audit';
import type { AuditArchive, AuditEntry, Telemetry } from '../../../lambda/use-cases/ports';
import { startDynalite, type TestDynalite } from '../../support/dynalite';

/** Issue 14: the audit exporter's objects (keys, bodies) and what it does when a write fails. */

const PREFIX = 'audit/';
const AT = Date.parse('2026-03-01T10:01:02.345Z');

const decisionEntry: AuditEntry = {
  type: 'decision',
  at: AT,
  requestId: 'req-1',
  decision: {
    id: '0123abcd-0000-1111-2222-333344445555',
    at: AT,
    target: 'checkout',
    trigger: 'checkout-5xx',
    outcome: 'rollback',
    reason: 'alarm',
    from: 'checkout:42',
    to: 'checkout:41',
    detail: 'checkout-5xx went to ALARM during the deployment of checkout:42.',
    escalate: false,
  },
};
const rejectedEntry: AuditEntry = {
  type: 'rejected',
  at: AT + 1000,
  reason: 'malformed',
  problems: ['$.detail.state: Required'],
  requestId: 'req-2',
  excerpt: '{"detail":{}}',
};

/** A stream record as Lambda delivers it: `newImage` is the item in DynamoDB's JSON. */
function streamRecord(
  sequenceNumber: string,
  newImage: Record<string, Record<string, unknown>>,
  eventName = 'INSERT',
): Record<string, unknown> {
  return {
    eventID: `event-${sequenceNumber}`,
    eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'us-east-1',
    dynamodb: {
      ApproximateCreationDateTime: Math.floor(AT / 1000),
      Keys: { pk: newImage.pk, sk: newImage.sk },
      NewImage: newImage,
      SequenceNumber: sequenceNumber,
      SizeBytes: 200,
      StreamViewType: 'NEW_IMAGE',
    },
    eventSourceARN: 'arn:aws:dynamodb:us-east-1:123456789012:table/T/stream/2026-03-01T00:00:00.000',
  };
}

const parsedRecord = (raw: Record<string, unknown>) => {
  const [record] = parseAuditStreamEvent({ Records: [raw] });
  if (!record.ok) throw new Error(record.problems.join('; '));
  return record;
};

class MemoryArchive implements AuditArchive {
  readonly objects = new Map<string, string>();
  readonly failing = new Set<string>();
  inFlight = 0;
  maxInFlight = 0;

  async put(key: string, body: string): Promise<void> {
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise((resolve) => setTimeout(resolve, 1));
    this.inFlight -= 1;
    if ([...this.failing].some((part) => key.includes(part))) throw new Error(`AccessDenied: ${key}`);
    this.objects.set(key, body);
  }
}

function recordingTelemetry() {
  const counts: Array<{ metric: string; value?: number }> = [];
  const logs: Array<{ level: string; message: string; fields?: Record<string, unknown> }> = [];
  const telemetry: Telemetry = {
    log: (level, message, fields) => logs.push({ level, message, fields }),
    count: (metric, value) => counts.push({ metric, value }),
    flush: () => undefined,
  };
  return { telemetry, counts, logs };
}

describe('the exported object of a real audit item (written by the state store to dynalite)', () => {
  let db: TestDynalite;
  const images = new Map<AuditEntry, Record<string, Record<string, unknown>>>();

  beforeAll(async () => {
    db = await startDynalite();
    const store = new DynamoDbStateStore({
      client: db.client,
      tableName: db.tableName,
      now: () => AT,
      auditRetentionDays: 400,
    });
    for (const entry of [decisionEntry, rejectedEntry]) {
      await store.appendAudit(entry);
      const { scope, id } = auditAddress(entry);
      const key = KEY.audit(scope, new Date(entry.at).toISOString(), id);
      const { Item } = await db.client.send(
        new GetItemCommand({ TableName: db.tableName, Key: { pk: { S: key.pk }, sk: { S: key.sk } } }),
      );
      images.set(entry, Item as unknown as Record<string, Record<string, unknown>>);
    }
  });

  afterAll(() => db.stop());

  it('is keyed by prefix, the entry’s date, its scope, time and id: the same item always has the same key', () => {
    const decision = auditObject(PREFIX, parsedRecord(streamRecord('100', images.get(decisionEntry)!)));
    const rejected = auditObject(PREFIX, parsedRecord(streamRecord('101', images.get(rejectedEntry)!)));
    expect(decision?.key).toBe(
      'audit/2026/03/01/checkout/20260301T100102.345Z-0123abcd-0000-1111-2222-333344445555.json',
    );
    const { id } = auditAddress(rejectedEntry);
    expect(rejected?.key).toBe(`audit/2026/03/01/${REJECTED_SCOPE}/20260301T100103.345Z-${id}.json`);
    expect(auditObject(PREFIX, parsedRecord(streamRecord('999', images.get(decisionEntry)!)))).toEqual(
      decision,
    );
  });

  it('holds the item as one line of plain JSON: the entry exactly as written, and the table TTL', () => {
    for (const entry of [decisionEntry, rejectedEntry]) {
      const object = auditObject(PREFIX, parsedRecord(streamRecord('100', images.get(entry)!)))!;
      expect(object.body.endsWith('\n')).toBe(true);
      expect(object.body.trimEnd()).not.toContain('\n');
      const { scope, id } = auditAddress(entry);
      expect(JSON.parse(object.body)).toStrictEqual({
        ...KEY.audit(scope, new Date(entry.at).toISOString(), id),
        type: entry.type,
        entry,
        expiresAt: Math.floor(AT / 1000) + 400 * 86_400,
      });
    }
  });
});

describe('auditObject', () => {
  const image = (pk: string, sk: string) => ({ pk: { S: pk }, sk: { S: sk }, type: { S: 'decision' } });

  it('passes over what is not an inserted audit item', () => {
    const target = parsedRecord(streamRecord('1', image('TARGET#checkout', 'STATE')));
    const modified = parsedRecord(streamRecord('2', image('AUDIT#checkout', 'x'), 'MODIFY'));
    const removed = parsedRecord({ ...streamRecord('3', image('AUDIT#checkout', 'x'), 'REMOVE') });
    const { newImage: _dropped, ...withoutImage } = removed;
    expect(auditObject(PREFIX, target)).toBeUndefined();
    expect(auditObject(PREFIX, modified)).toBeUndefined();
    expect(auditObject(PREFIX, withoutImage as AuditStreamRecord & { ok: true })).toBeUndefined();
  });

  it('still exports an audit item whose key it does not recognise, dated by the stream, with safe key segments', () => {
    const odd = auditObject(
      PREFIX,
      parsedRecord(streamRecord('1', image('AUDIT#we/ird scope', 'no time here'))),
    );
    expect(odd?.key).toMatch(/^audit\/2026\/03\/01\/sha256-[0-9a-f]{64}\/sha256-[0-9a-f]{64}\.json$/);
    const longId = auditObject(
      PREFIX,
      parsedRecord(streamRecord('2', image('AUDIT#checkout', `2026-03-01T10:01:02.345Z#${'x'.repeat(200)}`))),
    );
    expect(longId?.key).toMatch(
      /^audit\/2026\/03\/01\/checkout\/20260301T100102\.345Z-sha256-[0-9a-f]{64}\.json$/,
    );
    expect(Buffer.byteLength(longId!.key)).toBeLessThan(1024);
  });
});

describe('fromAttributeValue', () => {
  it('turns every attribute type into plain JSON without losing a digit or a byte', () => {
    expect(
      fromAttributeValue({
        M: {
          s: { S: 'text' },
          n: { N: '1772359262345' },
          f: { N: '0.25' },
          big: { N: '12345678901234567890123' },
          yes: { BOOL: true },
          none: { NULL: true },
          b: { B: 'AAEC' },
          l: {
            L: [
              { S: 'a' },
              { N: '1' },
              JSON.parse('{"M":{"__proto__":{"S":"kept"}}}') as Record<string, unknown>,
            ],
          },
          ss: { SS: ['a', 'b'] },
          ns: { NS: ['1', '99999999999999999999'] },
          bs: { BS: ['AAEC'] },
        },
      }),
    ).toStrictEqual({
      s: 'text',
      n: 1772359262345,
      f: 0.25,
      big: '12345678901234567890123',
      yes: true,
      none: null,
      b: 'AAEC',
      l: ['a', 1, JSON.parse('{"__proto__":"kept"}')],
      ss: ['a', 'b'],
      ns: [1, '99999999999999999999'],
      bs: ['AAEC'],
    });
  });

  it('keeps a value of a shape it does not know as it came', () => {
    expect(fromAttributeValue({ X: 1 })).toEqual({ X: 1 });
  });
});

describe('exportAudit', () => {
  const audit = (i: number) => ({
    pk: { S: 'AUDIT#checkout' },
    sk: { S: `2026-03-01T10:01:02.${String(i).padStart(3, '0')}Z#id-${i}` },
    type: { S: 'decision' },
  });
  const batch = (n: number) =>
    parseAuditStreamEvent({
      Records: Array.from({ length: n }, (_, i) => streamRecord(String(1000 + i), audit(i))),
    });

  it('writes one object per audit item, a few at a time, and reports no failure', async () => {
    const archive = new MemoryArchive();
    const { telemetry, counts } = recordingTelemetry();

    const response = await exportAudit({ archive, telemetry, prefix: PREFIX }, batch(40));

    expect(response).toEqual({ batchItemFailures: [] });
    expect(archive.objects.size).toBe(40);
    expect(archive.maxInFlight).toBeLessThanOrEqual(EXPORT_CONCURRENCY);
    expect(archive.maxInFlight).toBeGreaterThan(1);
    expect(counts).toEqual([]);
  });

  it('reports every failed write by its sequence number (Lambda retries from the first), counts and logs them', async () => {
    const archive = new MemoryArchive();
    archive.failing.add('id-3.json');
    archive.failing.add('id-7.json');
    const { telemetry, counts, logs } = recordingTelemetry();

    const response = await exportAudit({ archive, telemetry, prefix: PREFIX }, batch(10));

    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['1003', '1007']);
    expect(archive.objects.size).toBe(8);
    expect(counts).toEqual([{ metric: METRIC.auditExportFailures, value: 2 }]);
    expect(logs.filter((l) => l.level === 'error').map((l) => l.fields?.sequenceNumber)).toEqual(
      expect.arrayContaining(['1003', '1007']),
    );
  });

  it('writes a retried batch to the same keys with the same bodies: a retry adds no copy', async () => {
    const archive = new MemoryArchive();
    archive.failing.add('id-5.json');
    const { telemetry } = recordingTelemetry();
    const first = await exportAudit({ archive, telemetry, prefix: PREFIX }, batch(10));
    const before = new Map(archive.objects);

    archive.failing.clear();
    const retried = batch(10).slice(5);
    const second = await exportAudit({ archive, telemetry, prefix: PREFIX }, retried);

    expect(first.batchItemFailures).toEqual([{ itemIdentifier: '1005' }]);
    expect(second).toEqual({ batchItemFailures: [] });
    expect(archive.objects.size).toBe(10);
    for (const [key, body] of before) expect(archive.objects.get(key)).toBe(body);
  });

  it('reports an unreadable record by its sequence number instead of dropping it, and skips records that are not audit inserts', async () => {
    const archive = new MemoryArchive();
    const { telemetry } = recordingTelemetry();
    const records = parseAuditStreamEvent({
      Records: [
        streamRecord('1', audit(1)),
        { eventName: 'INSERT', dynamodb: { SequenceNumber: '2', NewImage: 'not a map' } },
        streamRecord('3', { pk: { S: 'TARGET#checkout' }, sk: { S: 'STATE' } }, 'MODIFY'),
      ],
    });

    const response = await exportAudit({ archive, telemetry, prefix: PREFIX }, records);

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: '2' }] });
    expect([...archive.objects.keys()]).toEqual(['audit/2026/03/01/checkout/20260301T100102.001Z-id-1.json']);
  });

  it('fails the whole batch when a failed record has no sequence number to report', async () => {
    const { telemetry } = recordingTelemetry();
    const records = parseAuditStreamEvent({ Records: [{ eventName: 'INSERT', dynamodb: {} }] });
    await expect(
      exportAudit({ archive: new MemoryArchive(), telemetry, prefix: PREFIX }, records),
    ).rejects.toThrow(/no sequence number/);
  });
});

describe('parseAuditStreamEvent', () => {
  it('refuses an event that is not a stream event at all', () => {
    expect(() => parseAuditStreamEvent({ detail: {} })).toThrow('$.Records: must be the list of records');
    expect(() => parseAuditStreamEvent(null)).toThrow(TypeError);
  });

  it('names the problems of an unreadable record by JSON path', () => {
    const [record] = parseAuditStreamEvent({ Records: [{ dynamodb: { SequenceNumber: '7' } }] });
    expect(record).toEqual({
      ok: false,
      sequenceNumber: '7',
      problems: [expect.stringMatching(/^\$\.Records\[0\]\.eventName: /)],
    });
  });
});
