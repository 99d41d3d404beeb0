import {
  ALARM_STATE,
  CODEDEPLOY_NAME_MAX,
  CODEDEPLOY_STATE,
  DETAIL_TYPE,
  ECS_DEPLOYMENT_EVENT,
  EVENT_SOURCE,
  LIMITS,
  type CodeDeployState,
  type RejectionReason,
} from '../contract';
import type { AlarmTransition, DeploymentEvent, Millis } from '../domain';
import { describeValue, isRecord, jsonPath } from './json-path';
import * as v from './lean-schema';

/**
 * Boundary parsing of EventBridge events. Nothing is coerced: an event that does not match is rejected with
 * every problem named (the first LIMITS.problemsMax, then a count), and the caller audits it. Extra fields are
 * tolerated (AWS adds fields over time). Every string is bounded (LIMITS), long free text is cut for storage,
 * and timestamps must be ISO-8601 with a zone and not ahead of the handler's clock by more than the skew.
 */

/**
 * ISO-8601 date and time with a zone: `Z`, `+01:00`, or CloudWatch's `+0000`. Seconds and fractions optional.
 * Anything else (`"42"`, a bare date, a local time) is refused: `Date.parse` would guess.
 */
const ISO_TIMESTAMP = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}(?::?\d{2})?)$/;
const TIMESTAMP_HELP = 'must be an ISO-8601 timestamp with a zone, such as 2026-03-01T10:01:00.000+0000';

/** Epoch milliseconds of an ISO_TIMESTAMP string, or NaN when it is not one (or names no real instant). */
export function parseIsoTimestamp(text: string): number {
  const m = ISO_TIMESTAMP.exec(text);
  if (!m) return Number.NaN;
  const [, date, time, zone] = m;
  const [hms, fraction = ''] = time.split('.');
  const millis = fraction ? `.${fraction.slice(0, 3).padEnd(3, '0')}` : '';
  const offset =
    zone === 'Z' ? 'Z' : zone.length === 3 ? `${zone}:00` : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  const ms = Date.parse(`${date}T${hms.length === 5 ? `${hms}:00` : hms}${millis}${offset}`);
  // Date.parse rolls 2026-02-30 over to March: a date that does not round-trip is no real date.
  if (Number.isNaN(ms)) return Number.NaN;
  const local = new Date(ms + offsetMs(offset)).toISOString().slice(0, 10);
  return local === date ? ms : Number.NaN;
}

function offsetMs(offset: string): number {
  if (offset === 'Z') return 0;
  const sign = offset.startsWith('-') ? -1 : 1;
  return sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6))) * 60_000;
}

/** Shared with the other event parsers of this folder (cloudtrail-events.ts), as are the helpers below. */
export const timestamp = v
  .string()
  .max(64, TIMESTAMP_HELP)
  .refine((s) => !Number.isNaN(parseIsoTimestamp(s)), TIMESTAMP_HELP);
const stateValue = v.enumOf([ALARM_STATE.ok, ALARM_STATE.alarm, ALARM_STATE.insufficientData]);
// eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
export const NO_CONTROL = /^[^\u0000-\u001f\u007f]*$/;
export const identifier = (what: string) =>
  v
    .string()
    .min(1, `must be a non-empty ${what}`)
    .max(LIMITS.identifierMax, `must be a ${what} of at most ${LIMITS.identifierMax} characters`);
/** Free text is kept, cut to `max` characters for storage and messages. */
const text = (max: number) => v.string().transform((t) => cut(t, max));

export const envelope = {
  id: identifier('event id'),
  account: v.string().regex(/^\d{12}$/, 'must be a 12-digit account id'),
  region: v.string().regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, 'must be an AWS region such as us-east-1'),
  time: timestamp,
  resources: v
    .array(v.string().max(LIMITS.arnMax, `must be an ARN of at most ${LIMITS.arnMax} characters`))
    .max(LIMITS.resourcesMax, `must list at most ${LIMITS.resourcesMax} resources`),
};

const alarmName = v
  .string()
  .min(1, 'must be a CloudWatch alarm name')
  .max(LIMITS.alarmNameMax, `must be a CloudWatch alarm name of at most ${LIMITS.alarmNameMax} characters`)
  .regex(NO_CONTROL, 'must be a CloudWatch alarm name without control characters');

const alarmEventSchema = v
  .looseObject({
    ...envelope,
    source: v.literal(EVENT_SOURCE.cloudwatch),
    'detail-type': v.literal(DETAIL_TYPE.alarmStateChange),
    detail: v.looseObject({
      alarmName,
      state: v.looseObject({
        value: stateValue,
        reason: text(LIMITS.stateReasonMax).optional(),
        reasonData: text(LIMITS.stateReasonDataMax).optional(),
        timestamp,
      }),
      previousState: v
        .looseObject({ value: stateValue, timestamp: timestamp.optional(), reason: v.string().optional() })
        .optional(),
    }),
  })
  .superRefine((e, ctx) => {
    const arn = e.resources[0];
    if (arn !== undefined && !isAlarmArn(arn, e.detail.alarmName)) {
      ctx.addIssue({
        path: ['resources', 0],
        message: `must be the ARN of alarm ${JSON.stringify(cut(e.detail.alarmName, 60))} (arn:<partition>:cloudwatch:<region>:<account>:alarm:<name>)`,
      });
    }
  });

const ecsEventSchema = v.looseObject({
  ...envelope,
  source: v.literal(EVENT_SOURCE.ecs),
  'detail-type': v.literal(DETAIL_TYPE.ecsDeploymentStateChange),
  resources: envelope.resources
    .min(1, 'must name the service ARN')
    .refine(
      (r) => parseServiceArn(r[0] ?? '') !== undefined,
      'resources[0] must be a service ARN arn:aws:ecs:<region>:<account>:service/<cluster>/<service>',
    ),
  detail: v.looseObject({
    eventType: v.string().optional(),
    eventName: v.enumOf([
      ECS_DEPLOYMENT_EVENT.inProgress,
      ECS_DEPLOYMENT_EVENT.completed,
      ECS_DEPLOYMENT_EVENT.failed,
    ]),
    deploymentId: identifier('deployment id'),
    updatedAt: timestamp,
    reason: text(LIMITS.eventTextMax).optional(),
  }),
});

const codeDeployStates = Object.values(CODEDEPLOY_STATE) as [CodeDeployState, ...CodeDeployState[]];

export const codeDeployName = (what: string) =>
  v
    .string()
    .min(1, `must be a CodeDeploy ${what} name`)
    .max(
      CODEDEPLOY_NAME_MAX,
      `must be a CodeDeploy ${what} name of at most ${CODEDEPLOY_NAME_MAX} characters`,
    );

const codeDeployEventSchema = v.looseObject({
  ...envelope,
  source: v.literal(EVENT_SOURCE.codedeploy),
  'detail-type': v.literal(DETAIL_TYPE.codeDeployStateChange),
  detail: v.looseObject({
    application: codeDeployName('application'),
    deploymentGroup: codeDeployName('deployment group'),
    deploymentId: identifier('deployment id'),
    state: v.enumOf(codeDeployStates),
  }),
});

/** How a parser judges time: the handler's clock, for timestamps from the future. */
export interface ParseOptions {
  /** @default - no check against the clock */
  readonly now?: Millis;
}

export interface EventEnvelope {
  readonly id: string;
  readonly account: string;
  readonly region: string;
}

export type Parsed<T> =
  | { readonly ok: true; readonly value: T; readonly envelope: EventEnvelope }
  | { readonly ok: false; readonly reason: RejectionReason; readonly problems: readonly string[] };

export function parseAlarmEvent(raw: unknown, options: ParseOptions = {}): Parsed<AlarmTransition> {
  const mismatch = checkKind(raw, EVENT_SOURCE.cloudwatch, DETAIL_TYPE.alarmStateChange);
  if (mismatch) return mismatch;
  const r = alarmEventSchema.safeParse(raw);
  if (!r.success) return malformed(r.issues);
  const e = r.data;
  const d = e.detail;
  const future = fromTheFuture(options, [
    [['time'], e.time],
    [['detail', 'state', 'timestamp'], d.state.timestamp],
    [['detail', 'previousState', 'timestamp'], d.previousState?.timestamp],
  ]);
  if (future) return future;
  const transition: AlarmTransition = {
    alarmName: d.alarmName,
    alarmArn: e.resources[0] ?? `arn:aws:cloudwatch:${e.region}:${e.account}:alarm:${d.alarmName}`,
    value: d.state.value,
    timestamp: parseIsoTimestamp(d.state.timestamp),
    previousValue: d.previousState?.value ?? ALARM_STATE.insufficientData,
    previousTimestamp: d.previousState?.timestamp ? parseIsoTimestamp(d.previousState.timestamp) : undefined,
    reason: d.state.reason ?? '',
    reasonData: d.state.reasonData,
  };
  return { ok: true, value: transition, envelope: { id: e.id, account: e.account, region: e.region } };
}

export interface EcsDeploymentNotice {
  readonly cluster: string;
  readonly service: string;
  readonly event: DeploymentEvent;
}

export function parseEcsDeploymentEvent(
  raw: unknown,
  options: ParseOptions = {},
): Parsed<EcsDeploymentNotice> {
  const mismatch = checkKind(raw, EVENT_SOURCE.ecs, DETAIL_TYPE.ecsDeploymentStateChange);
  if (mismatch) return mismatch;
  const r = ecsEventSchema.safeParse(raw);
  if (!r.success) return malformed(r.issues);
  const e = r.data;
  const future = fromTheFuture(options, [
    [['time'], e.time],
    [['detail', 'updatedAt'], e.detail.updatedAt],
  ]);
  if (future) return future;
  const arn = parseServiceArn(e.resources[0] ?? '');
  if (!arn) return { ok: false, reason: 'malformed', problems: ['$.resources[0]: must be a service ARN'] };
  const reason = e.detail.reason ?? '';
  const phase =
    e.detail.eventName === ECS_DEPLOYMENT_EVENT.completed
      ? 'completed'
      : e.detail.eventName === ECS_DEPLOYMENT_EVENT.failed
        ? 'failed'
        : 'in-progress';
  return {
    ok: true,
    value: {
      cluster: arn.cluster,
      service: arn.service,
      event: {
        deploymentId: e.detail.deploymentId,
        phase,
        at: parseIsoTimestamp(e.detail.updatedAt),
        rollingBack: /rolling back/i.test(reason),
        reason,
        // The transition, not the envelope: a redelivery (new EventBridge id) has the same key.
        key: `${e.detail.deploymentId}|${e.detail.eventName}|${e.detail.updatedAt}`,
      },
    },
    envelope: { id: e.id, account: e.account, region: e.region },
  };
}

export interface CodeDeployNotice {
  readonly application: string;
  readonly deploymentGroup: string;
  readonly event: DeploymentEvent;
}

/**
 * `CodeDeploy Deployment State-change Notification`. The event names no revision and no rollback: the use
 * case reads the deployment to learn both. READY (blue/green waiting to reroute traffic) is still in progress.
 */
export function parseCodeDeployEvent(raw: unknown, options: ParseOptions = {}): Parsed<CodeDeployNotice> {
  const mismatch = checkKind(raw, EVENT_SOURCE.codedeploy, DETAIL_TYPE.codeDeployStateChange);
  if (mismatch) return mismatch;
  const r = codeDeployEventSchema.safeParse(raw);
  if (!r.success) return malformed(r.issues);
  const e = r.data;
  const future = fromTheFuture(options, [[['time'], e.time]]);
  if (future) return future;
  const { state } = e.detail;
  const phase =
    state === CODEDEPLOY_STATE.success
      ? 'completed'
      : state === CODEDEPLOY_STATE.failure || state === CODEDEPLOY_STATE.stop
        ? 'failed'
        : 'in-progress';
  return {
    ok: true,
    value: {
      application: e.detail.application,
      deploymentGroup: e.detail.deploymentGroup,
      event: {
        deploymentId: e.detail.deploymentId,
        phase,
        at: parseIsoTimestamp(e.time),
        key: `${e.detail.deploymentId}|${state}`,
        rollingBack: false,
        reason: state === CODEDEPLOY_STATE.stop ? 'the deployment was stopped' : `CodeDeploy state ${state}`,
      },
    },
    envelope: { id: e.id, account: e.account, region: e.region },
  };
}

/** `arn:<partition>:ecs:<region>:<account>:service/<cluster>/<service>` (the long ARN format). */
export function parseServiceArn(arn: string): { cluster: string; service: string } | undefined {
  const m = /^arn:[^:]+:ecs:[^:]+:\d{12}:service\/([^/]+)\/([^/]+)$/.exec(arn);
  return m ? { cluster: m[1], service: m[2] } : undefined;
}

/** Identifies the event for the audit log even when it is rejected. */
export function describeRaw(raw: unknown): { eventId?: string; source?: string; detailType?: string } {
  if (!isRecord(raw)) return {};
  const pick = (k: string) => (typeof raw[k] === 'string' ? raw[k] : undefined);
  return { eventId: pick('id'), source: pick('source'), detailType: pick('detail-type') };
}

export function checkKind(raw: unknown, source: string, detailType: string): Parsed<never> | undefined {
  if (!isRecord(raw))
    return { ok: false, reason: 'malformed', problems: ['$: must be a JSON object (an EventBridge event)'] };
  if (raw['source'] === source && raw['detail-type'] === detailType) return undefined;
  if (raw['source'] === undefined || raw['detail-type'] === undefined) return undefined;
  return {
    ok: false,
    reason: 'unsupported-detail-type',
    problems: [
      `$["detail-type"]: expected "${detailType}" from ${source} (${describeValue(raw['detail-type'])} from ${describeValue(raw['source'])})`,
    ],
  };
}

export function malformed(issues: readonly v.Issue[]): Parsed<never> {
  return {
    ok: false,
    reason: 'malformed',
    problems: capProblems(issues.map((i) => `${jsonPath(i.path)}: ${cut(i.message, 300)}`)),
  };
}

/** The first LIMITS.problemsMax problems and a count of the rest: a rejection never floods a log or an item. */
export function capProblems(problems: readonly string[]): string[] {
  if (problems.length <= LIMITS.problemsMax) return [...problems];
  const more = problems.length - LIMITS.problemsMax;
  return [...problems.slice(0, LIMITS.problemsMax), `…and ${more} more problem${more === 1 ? '' : 's'}`];
}

/** Timestamps more than the allowed skew ahead of the handler's clock are refused: they would poison ordering. */
export function fromTheFuture(
  options: ParseOptions,
  stamps: ReadonlyArray<readonly [readonly PropertyKey[], string | undefined]>,
): Parsed<never> | undefined {
  const { now } = options;
  if (now === undefined) return undefined;
  const problems = stamps.flatMap(([path, value]) => {
    if (value === undefined) return [];
    const ms = parseIsoTimestamp(value);
    return ms - now > LIMITS.futureSkewMs
      ? [
          `${jsonPath(path)}: ${JSON.stringify(value)} is more than ${LIMITS.futureSkewMs / 60_000} minutes ahead of the watchdog's clock (${new Date(now).toISOString()}); check the sending clock`,
        ]
      : [];
  });
  return problems.length > 0 ? { ok: false, reason: 'malformed', problems } : undefined;
}

/** `arn:<partition>:cloudwatch:<region>:<account>:alarm:<name>` of exactly this alarm. */
function isAlarmArn(arn: string, name: string): boolean {
  return /^arn:[a-z-]+:cloudwatch:[a-z0-9-]+:\d{12}:alarm:/.test(arn) && arn.endsWith(`:alarm:${name}`);
}

function cut(value: string, max: number): string {
  return value.length <= max ? value : `${value.slice(0, max - 1)}…`;
}
