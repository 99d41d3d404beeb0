import { z } from 'zod';
import {
  ALARM_STATE,
  CODEDEPLOY_STATE,
  DETAIL_TYPE,
  ECS_DEPLOYMENT_EVENT,
  EVENT_SOURCE,
  type CodeDeployState,
  type RejectionReason,
} from '../contract';
import type { AlarmTransition, DeploymentEvent } from '../domain';
import { isRecord, jsonPath } from './json-path';

/**
 * Boundary parsing of EventBridge events. Nothing is coerced: an event that does not match is rejected with
 * every problem named, and the caller audits it. Extra fields are tolerated (AWS adds fields over time).
 */

const timestamp = z
  .string()
  .refine((s) => !Number.isNaN(Date.parse(s)), { message: 'must be an ISO-8601 timestamp' });
const stateValue = z.enum([ALARM_STATE.ok, ALARM_STATE.alarm, ALARM_STATE.insufficientData]);

const envelope = {
  id: z.string().min(1),
  account: z.string().regex(/^\d{12}$/, 'must be a 12-digit account id'),
  region: z.string().min(1),
  time: timestamp,
  resources: z.array(z.string()),
};

const alarmEventSchema = z.looseObject({
  ...envelope,
  source: z.literal(EVENT_SOURCE.cloudwatch),
  'detail-type': z.literal(DETAIL_TYPE.alarmStateChange),
  detail: z.looseObject({
    alarmName: z.string().min(1),
    state: z.looseObject({
      value: stateValue,
      reason: z.string().optional(),
      reasonData: z.string().optional(),
      timestamp,
    }),
    previousState: z
      .looseObject({ value: stateValue, timestamp: timestamp.optional(), reason: z.string().optional() })
      .optional(),
  }),
});

const ecsEventSchema = z.looseObject({
  ...envelope,
  source: z.literal(EVENT_SOURCE.ecs),
  'detail-type': z.literal(DETAIL_TYPE.ecsDeploymentStateChange),
  resources: z
    .array(z.string())
    .min(1, 'must name the service ARN')
    .refine((r) => parseServiceArn(r[0] ?? '') !== undefined, {
      message:
        'resources[0] must be a service ARN arn:aws:ecs:<region>:<account>:service/<cluster>/<service>',
    }),
  detail: z.looseObject({
    eventType: z.string().optional(),
    eventName: z.enum([
      ECS_DEPLOYMENT_EVENT.inProgress,
      ECS_DEPLOYMENT_EVENT.completed,
      ECS_DEPLOYMENT_EVENT.failed,
    ]),
    deploymentId: z.string().min(1),
    updatedAt: timestamp,
    reason: z.string().optional(),
  }),
});

const codeDeployStates = Object.values(CODEDEPLOY_STATE) as [CodeDeployState, ...CodeDeployState[]];

const codeDeployEventSchema = z.looseObject({
  ...envelope,
  source: z.literal(EVENT_SOURCE.codedeploy),
  'detail-type': z.literal(DETAIL_TYPE.codeDeployStateChange),
  detail: z.looseObject({
    application: z.string().min(1),
    deploymentGroup: z.string().min(1),
    deploymentId: z.string().min(1),
    state: z.enum(codeDeployStates),
  }),
});

export interface EventEnvelope {
  readonly id: string;
  readonly account: string;
  readonly region: string;
}

export type Parsed<T> =
  | { readonly ok: true; readonly value: T; readonly envelope: EventEnvelope }
  | { readonly ok: false; readonly reason: RejectionReason; readonly problems: readonly string[] };

export function parseAlarmEvent(raw: unknown): Parsed<AlarmTransition> {
  const mismatch = checkKind(raw, EVENT_SOURCE.cloudwatch, DETAIL_TYPE.alarmStateChange);
  if (mismatch) return mismatch;
  const r = alarmEventSchema.safeParse(raw);
  if (!r.success) return malformed(r.error);
  const e = r.data;
  const d = e.detail;
  const transition: AlarmTransition = {
    alarmName: d.alarmName,
    alarmArn: e.resources[0] ?? `arn:aws:cloudwatch:${e.region}:${e.account}:alarm:${d.alarmName}`,
    value: d.state.value,
    timestamp: Date.parse(d.state.timestamp),
    previousValue: d.previousState?.value ?? ALARM_STATE.insufficientData,
    previousTimestamp: d.previousState?.timestamp ? Date.parse(d.previousState.timestamp) : undefined,
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

export function parseEcsDeploymentEvent(raw: unknown): Parsed<EcsDeploymentNotice> {
  const mismatch = checkKind(raw, EVENT_SOURCE.ecs, DETAIL_TYPE.ecsDeploymentStateChange);
  if (mismatch) return mismatch;
  const r = ecsEventSchema.safeParse(raw);
  if (!r.success) return malformed(r.error);
  const e = r.data;
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
        at: Date.parse(e.detail.updatedAt),
        rollingBack: /rolling back/i.test(reason),
        reason,
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
export function parseCodeDeployEvent(raw: unknown): Parsed<CodeDeployNotice> {
  const mismatch = checkKind(raw, EVENT_SOURCE.codedeploy, DETAIL_TYPE.codeDeployStateChange);
  if (mismatch) return mismatch;
  const r = codeDeployEventSchema.safeParse(raw);
  if (!r.success) return malformed(r.error);
  const e = r.data;
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
        at: Date.parse(e.time),
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

function checkKind(raw: unknown, source: string, detailType: string): Parsed<never> | undefined {
  if (!isRecord(raw))
    return { ok: false, reason: 'malformed', problems: ['$: must be a JSON object (an EventBridge event)'] };
  if (raw['source'] === source && raw['detail-type'] === detailType) return undefined;
  if (raw['source'] === undefined || raw['detail-type'] === undefined) return undefined;
  return {
    ok: false,
    reason: 'unsupported-detail-type',
    problems: [
      `$.detail-type: expected "${detailType}" from ${source} (got ${JSON.stringify(raw['detail-type'])} from ${JSON.stringify(raw['source'])})`,
    ],
  };
}

function malformed(error: z.ZodError): Parsed<never> {
  return {
    ok: false,
    reason: 'malformed',
    problems: error.issues.map((i) => `${jsonPath(i.path)}: ${i.message}`),
  };
}
