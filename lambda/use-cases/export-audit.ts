import { createHash } from 'node:crypto';
import { KEY, METRIC, TABLE, type AttributeValueJson, type AuditStreamRecord } from '../contract';
import type { AuditArchive, Telemetry } from './ports';

/** PutObject calls in flight at once: a batch of 100 takes a few round trips, gently on the SDK's sockets. */
export const EXPORT_CONCURRENCY = 8;

/** The partial batch response Lambda reads when the mapping has ReportBatchItemFailures. */
export interface BatchResponse {
  readonly batchItemFailures: ReadonlyArray<{ readonly itemIdentifier: string }>;
}

export interface ExportAuditDeps {
  readonly archive: AuditArchive;
  readonly telemetry: Telemetry;
  /** Key prefix of every object, ending in "/" (validated by the construct). */
  readonly prefix: string;
}

/**
 * Writes every inserted audit item of the batch as one object. Records that are not audit inserts are passed
 * over (the mapping's filter keeps them out; this holds if the filter ever lets one through). A record that
 * could not be read or written is reported by its sequence number, so Lambda retries the batch from the first
 * of them; records written before it are not written again, and those after it are written again to the same
 * keys with the same content. Throws only when a failed record has no sequence number to report.
 */
export async function exportAudit(
  deps: ExportAuditDeps,
  records: readonly AuditStreamRecord[],
): Promise<BatchResponse> {
  const failed: string[] = [];
  let written = 0;
  const work = records.map((record) => async () => {
    if (!record.ok) {
      deps.telemetry.log('error', 'audit stream record unreadable', { problems: record.problems });
      if (record.sequenceNumber === undefined) {
        throw new TypeError(`an audit stream record has no sequence number: ${record.problems.join('; ')}`);
      }
      failed.push(record.sequenceNumber);
      return;
    }
    const object = auditObject(deps.prefix, record);
    if (!object) return;
    try {
      await deps.archive.put(object.key, object.body);
      written += 1;
    } catch (error) {
      deps.telemetry.log('error', 'audit export write failed', {
        key: object.key,
        sequenceNumber: record.sequenceNumber,
        error,
      });
      failed.push(record.sequenceNumber);
    }
  });
  await runLimited(work, EXPORT_CONCURRENCY);
  if (failed.length > 0) deps.telemetry.count(METRIC.auditExportFailures, failed.length);
  deps.telemetry.log('info', 'audit items exported', { written, failed: failed.length });
  return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
}

/**
 * The object for an inserted audit item, or undefined when the record is not one. The key is made from the
 * item's own key only, so the same item always lands on the same object:
 * `<prefix><yyyy>/<mm>/<dd>/<scope>/<yyyymmdd>T<hhmmss.mmm>Z-<id>.json`, the date and time being the audit
 * entry's (its sort key). The body is the item as plain JSON (the table's `pk`, `sk`, `type`, `entry` and
 * `expiresAt`, the table copy's TTL in epoch seconds), one line.
 */
export function auditObject(
  prefix: string,
  record: Extract<AuditStreamRecord, { ok: true }>,
): { key: string; body: string } | undefined {
  const image = record.newImage;
  const pk = image?.[TABLE.partitionKey]?.S;
  const auditPrefix = KEY.auditPartition('');
  if (record.eventName !== 'INSERT' || !image || typeof pk !== 'string' || !pk.startsWith(auditPrefix)) {
    return undefined;
  }
  const scope = segment(pk.slice(auditPrefix.length));
  const sk = image[TABLE.sortKey]?.S;
  const sortKey = typeof sk === 'string' ? sk : '';
  const at = AUDIT_SORT_KEY.exec(sortKey);
  let name: string;
  let day: string;
  if (at) {
    const [, yyyy, mm, dd, hh, min, ss, ms, id] = at;
    day = `${yyyy}/${mm}/${dd}`;
    name = `${yyyy}${mm}${dd}T${hh}${min}${ss}.${ms}Z-${segment(id)}`;
  } else {
    // Not the sort key appendAudit writes: still exported, dated by when DynamoDB recorded it.
    const when = new Date((record.approximateCreationSeconds ?? 0) * 1000).toISOString();
    day = `${when.slice(0, 4)}/${when.slice(5, 7)}/${when.slice(8, 10)}`;
    name = segment(sortKey);
  }
  const item = Object.fromEntries(Object.entries(image).map(([k, v]) => [k, fromAttributeValue(v)]));
  return { key: `${prefix}${day}/${scope}/${name}.json`, body: `${JSON.stringify(item)}\n` };
}

/** `2026-03-01T10:01:02.345Z#<id>`: KEY.audit's sort key, an ISO time (as toISOString writes it) and an id. */
const AUDIT_SORT_KEY = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{3})Z#(.+)$/;

/** Characters any S3 key may hold without encoding; anything else (or a very long value) is hashed. */
const SAFE_SEGMENT = /^[A-Za-z0-9._-]{1,128}$/;

function segment(value: string): string {
  return SAFE_SEGMENT.test(value) ? value : `sha256-${createHash('sha256').update(value).digest('hex')}`;
}

/**
 * A DynamoDB attribute value as plain JSON, losing nothing: numbers stay numbers when JSON can hold them
 * exactly and become their decimal string otherwise; binary stays the base64 text the stream carries; sets
 * become arrays. Never throws: a value of a shape it does not know is kept as it came.
 */
export function fromAttributeValue(value: AttributeValueJson): unknown {
  if ('S' in value) return value.S;
  if ('N' in value) return fromNumber(value.N);
  if ('BOOL' in value) return value.BOOL;
  if ('NULL' in value) return null;
  if ('B' in value) return value.B;
  if ('M' in value && isObject(value.M)) {
    return Object.fromEntries(
      Object.entries(value.M).map(([k, v]) => [k, isObject(v) ? fromAttributeValue(v) : v]),
    );
  }
  if ('L' in value && Array.isArray(value.L)) {
    return value.L.map((v: unknown) => (isObject(v) ? fromAttributeValue(v) : v));
  }
  if ('SS' in value) return value.SS;
  if ('NS' in value && Array.isArray(value.NS)) return value.NS.map(fromNumber);
  if ('BS' in value) return value.BS;
  return value;
}

function fromNumber(text: unknown): unknown {
  if (typeof text !== 'string') return text;
  const n = Number(text);
  return Number.isFinite(n) && String(n) === text ? n : text;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Runs `tasks` with at most `limit` at once; rejects with the first task that throws, after all have settled. */
async function runLimited(tasks: ReadonlyArray<() => Promise<void>>, limit: number): Promise<void> {
  let next = 0;
  const errors: unknown[] = [];
  const worker = async () => {
    while (next < tasks.length) {
      const task = tasks[next];
      next += 1;
      try {
        await task();
      } catch (error) {
        errors.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  if (errors.length > 0) throw errors[0];
}
