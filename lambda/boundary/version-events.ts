import {
  LIMITS,
  QUARANTINE_DETAIL_TYPE,
  QUARANTINE_SOURCE,
  REGION_PATTERN,
  type QuarantineCause,
  type VersionEvent,
} from '../contract';
import { describeValue, isRecord } from './json-path';
import * as v from './lean-schema';
import {
  envelope,
  fromTheFuture,
  identifier,
  malformed,
  NO_CONTROL,
  parseIsoTimestamp,
  timestamp,
  type ParseOptions,
  type Parsed,
} from './events';

/**
 * The events of the version bus (lambda/contract/quarantine.ts), parsed at the boundary like every event: a
 * quarantine from another region is input like any other, rejected and audited when it does not match.
 */

export type { VersionEvent } from '../contract';

const CAUSES = ['alarm', 'group', 'manual', 'approved', 'approval-timeout', 'deployment-failed'] as const;

const region = v.string().regex(REGION_PATTERN, 'must be an AWS region such as us-east-1');
const version = v
  .string()
  .min(1, 'must be a version')
  .max(LIMITS.identifierMax, `must be a version of at most ${LIMITS.identifierMax} characters`)
  .regex(NO_CONTROL, 'must be a version without control characters');
const targetId = identifier('target id').regex(NO_CONTROL, 'must be a target id without control characters');
const why = v.string().transform((t) => (t.length <= 300 ? t : `${t.slice(0, 299)}…`));

const base = { ...envelope, source: v.literal(QUARANTINE_SOURCE) };

const quarantineSchema = v.looseObject({
  ...base,
  'detail-type': v.literal(QUARANTINE_DETAIL_TYPE.quarantine),
  detail: v.looseObject({
    from: region,
    target: targetId,
    version,
    decisionId: identifier('decision id'),
    cause: v.enumOf(CAUSES),
    at: timestamp,
    why,
  }),
});

const receiptSchema = v.looseObject({
  ...base,
  'detail-type': v.literal(QUARANTINE_DETAIL_TYPE.receipt),
  detail: v.looseObject({
    from: region,
    to: region,
    target: targetId,
    version,
    decisionId: identifier('decision id'),
    at: timestamp,
  }),
});

const checkSchema = v.looseObject({
  ...base,
  'detail-type': v.literal(QUARANTINE_DETAIL_TYPE.check),
  detail: v.looseObject({
    from: region,
    target: targetId,
    version,
    deploymentId: identifier('deployment id'),
    at: timestamp,
  }),
});

/** Whether an event is one of the version bus's (by its source), for routing in the acting handler. */
export function isVersionEvent(raw: unknown): boolean {
  return isRecord(raw) && raw['source'] === QUARANTINE_SOURCE;
}

export function parseVersionEvent(raw: unknown, options: ParseOptions = {}): Parsed<VersionEvent> {
  if (!isRecord(raw))
    return { ok: false, reason: 'malformed', problems: ['$: must be a JSON object (an EventBridge event)'] };
  const type = raw['detail-type'];
  const schema =
    type === QUARANTINE_DETAIL_TYPE.quarantine
      ? quarantineSchema
      : type === QUARANTINE_DETAIL_TYPE.receipt
        ? receiptSchema
        : type === QUARANTINE_DETAIL_TYPE.check
          ? checkSchema
          : undefined;
  if (!schema) {
    return {
      ok: false,
      reason: 'unsupported-detail-type',
      problems: [
        `$["detail-type"]: expected one of ${Object.values(QUARANTINE_DETAIL_TYPE)
          .map((t) => `"${t}"`)
          .join(', ')} from ${QUARANTINE_SOURCE} (${describeValue(type)})`,
      ],
    };
  }
  const r = schema.safeParse(raw);
  if (!r.success) return malformed(r.issues);
  const e = r.data;
  const future = fromTheFuture(options, [
    [['time'], e.time],
    [['detail', 'at'], e.detail.at],
  ]);
  if (future) return future;
  const env = { id: e.id, account: e.account, region: e.region };
  const at = parseIsoTimestamp(e.detail.at);
  const d = e.detail as Record<string, unknown>;
  const str = (k: string): string => String(d[k]);
  switch (type) {
    case QUARANTINE_DETAIL_TYPE.quarantine:
      return {
        ok: true,
        envelope: env,
        value: {
          kind: 'quarantine',
          from: str('from'),
          target: str('target'),
          version: str('version'),
          decisionId: str('decisionId'),
          cause: d['cause'] as QuarantineCause,
          at,
          why: str('why'),
        },
      };
    case QUARANTINE_DETAIL_TYPE.receipt:
      return {
        ok: true,
        envelope: env,
        value: {
          kind: 'receipt',
          from: str('from'),
          to: str('to'),
          target: str('target'),
          version: str('version'),
          decisionId: str('decisionId'),
          at,
        },
      };
    default:
      return {
        ok: true,
        envelope: env,
        value: {
          kind: 'check',
          from: str('from'),
          target: str('target'),
          version: str('version'),
          deploymentId: str('deploymentId'),
          at,
        },
      };
  }
}
