import { DEPLOYMENT_CALLS, DETAIL_TYPE, EVENT_SOURCE, LIMITS } from '../contract';
import type { DeploymentPrincipal } from '../domain';
import {
  checkKind,
  codeDeployName,
  envelope,
  fromTheFuture,
  identifier,
  malformed,
  NO_CONTROL,
  parseIsoTimestamp,
  parseServiceArn,
  timestamp,
  type ParseOptions,
  type Parsed,
} from './events';
import { isRecord } from './json-path';
import * as v from './lean-schema';

/**
 * Boundary parsing of the CloudTrail records of the calls that start a deployment (`AWS API Call via
 * CloudTrail`, DEPLOYMENT_CALLS): ECS `CreateService` / `UpdateService`, CodeDeploy `CreateDeployment`. They are
 * read for one thing, who made the call (`detail.userIdentity`), and for which deployment. As for every event,
 * nothing is coerced, extra fields are tolerated and every problem is named by JSON path.
 */

/** ECS reports a handful of deployments per service; more is not a service's answer. */
const DEPLOYMENTS_MAX = 64;

const TASK_DEFINITION_ARN = /^arn:[^:]+:ecs:[^:]+:\d{12}:task-definition\/([A-Za-z0-9_-]{1,255}:\d{1,10})$/;

/**
 * The keys of an `UpdateService` request that start no deployment: Application Auto Scaling changes only the
 * desired count, and ECS keeps the service's deployment as it is.
 */
const SCALING_KEYS: ReadonlySet<string> = new Set(['cluster', 'service', 'desiredCount']);

const principalName = (what: string) =>
  v
    .string()
    .min(1, `must be a non-empty ${what}`)
    .max(LIMITS.arnMax, `must be a ${what} of at most ${LIMITS.arnMax} characters`)
    .regex(NO_CONTROL, `must be a ${what} without control characters`);

/** CloudTrail's `userIdentity`, as every deploying call's parser reads it (lambda/kinds/lambda-alias too). */
export const userIdentity = v
  .looseObject({
    type: identifier('CloudTrail identity type'),
    arn: principalName('principal ARN').optional(),
    principalId: principalName('principal id').optional(),
    invokedBy: principalName('service name').optional(),
  })
  .superRefine((u, ctx) => {
    if (u.arn === undefined && u.invokedBy === undefined && u.principalId === undefined) {
      ctx.addIssue({ message: 'must name the caller: "arn", "invokedBy" or "principalId"' });
    }
  });

type Platform = keyof typeof DEPLOYMENT_CALLS;

function callDetail<P extends Platform>(platform: P) {
  const calls = DEPLOYMENT_CALLS[platform];
  return {
    eventID: identifier('CloudTrail event id'),
    eventSource: v.literal(calls.eventSource),
    eventName: v.enumOf(calls.eventNames),
    eventTime: timestamp,
  };
}

function kind<P extends Platform>(platform: P) {
  return {
    ...envelope,
    source: v.literal(EVENT_SOURCE[platform]),
    'detail-type': v.literal(DETAIL_TYPE.cloudTrailApiCall),
  };
}

/** A failed call: CloudTrail records it with `errorCode` and no response; nothing more of it is read. */
const failedCallSchema = (platform: Platform) =>
  v.looseObject({
    ...kind(platform),
    detail: v.looseObject({
      ...callDetail(platform),
      errorCode: identifier('CloudTrail error code'),
    }),
  });

const ecsCallSchema = v.looseObject({
  ...kind('ecs'),
  detail: v.looseObject({
    ...callDetail('ecs'),
    userIdentity,
    requestParameters: v.record(v.unknown()),
    responseElements: v.looseObject({
      service: v.looseObject({
        serviceArn: v
          .string()
          .max(LIMITS.arnMax, `must be an ARN of at most ${LIMITS.arnMax} characters`)
          .refine(
            (arn) => parseServiceArn(arn) !== undefined,
            'must be a service ARN arn:aws:ecs:<region>:<account>:service/<cluster>/<service>',
          ),
        taskDefinition: v
          .string()
          .max(LIMITS.arnMax, `must be an ARN of at most ${LIMITS.arnMax} characters`)
          .regex(
            TASK_DEFINITION_ARN,
            'must be a task definition ARN arn:aws:ecs:<region>:<account>:task-definition/<family>:<revision>',
          ),
        deployments: v
          .array(
            v.looseObject({
              id: identifier('deployment id'),
              status: identifier('deployment status'),
            }),
          )
          .max(DEPLOYMENTS_MAX, `must list at most ${DEPLOYMENTS_MAX} deployments`)
          .optional(),
      }),
    }),
  }),
});

const codeDeployCallSchema = v.looseObject({
  ...kind('codedeploy'),
  detail: v.looseObject({
    ...callDetail('codedeploy'),
    userIdentity,
    requestParameters: v.looseObject({
      applicationName: codeDeployName('application'),
      deploymentGroupName: codeDeployName('deployment group'),
    }),
    responseElements: v.looseObject({ deploymentId: identifier('deployment id') }),
  }),
});

/** A deployment call that started a deployment: who called, and the deployment's target. */
export type DeploymentCallTarget =
  | { readonly platform: 'ecs'; readonly cluster: string; readonly service: string }
  | { readonly platform: 'codedeploy'; readonly application: string; readonly deploymentGroup: string };

export type DeploymentCall =
  /** The call failed (CloudTrail's `errorCode`): it deployed nothing. */
  | { readonly kind: 'failed'; readonly eventName: string; readonly errorCode: string }
  /** An `UpdateService` that only changed the desired count: it started no deployment. */
  | { readonly kind: 'scaling'; readonly cluster: string; readonly service: string }
  | ({
      readonly kind: 'deployment';
      /** The record, not the envelope: a redelivery has the same key. */
      readonly key: string;
      readonly principal: DeploymentPrincipal;
    } & DeploymentCallTarget);

/**
 * `AWS API Call via CloudTrail` from `aws.ecs` or `aws.codedeploy`, of a call in DEPLOYMENT_CALLS. ECS names the
 * deployment the call made PRIMARY and its task definition; CodeDeploy the deployment id it answered with.
 */
export function parseDeploymentCallEvent(raw: unknown, options: ParseOptions = {}): Parsed<DeploymentCall> {
  const platform: Platform =
    isRecord(raw) && raw['source'] === EVENT_SOURCE.codedeploy ? 'codedeploy' : 'ecs';
  const mismatch = checkKind(raw, EVENT_SOURCE[platform], DETAIL_TYPE.cloudTrailApiCall);
  if (mismatch) return mismatch;
  const detail = isRecord(raw) ? raw['detail'] : undefined;
  if (isRecord(detail) && detail['errorCode'] !== undefined) return parseFailedCall(raw, platform, options);
  return platform === 'ecs' ? parseEcsCall(raw, options) : parseCodeDeployCall(raw, options);
}

function parseFailedCall(raw: unknown, platform: Platform, options: ParseOptions): Parsed<DeploymentCall> {
  const r = failedCallSchema(platform).safeParse(raw);
  if (!r.success) return malformed(r.issues);
  const e = r.data;
  const future = callFromTheFuture(options, e);
  if (future) return future;
  return {
    ok: true,
    value: { kind: 'failed', eventName: e.detail.eventName, errorCode: e.detail.errorCode },
    envelope: { id: e.id, account: e.account, region: e.region },
  };
}

function parseEcsCall(raw: unknown, options: ParseOptions): Parsed<DeploymentCall> {
  const r = ecsCallSchema.safeParse(raw);
  if (!r.success) return malformed(r.issues);
  const e = r.data;
  const d = e.detail;
  const future = callFromTheFuture(options, e);
  if (future) return future;
  const service = d.responseElements.service;
  const arn = parseServiceArn(service.serviceArn);
  const version = TASK_DEFINITION_ARN.exec(service.taskDefinition)?.[1];
  if (!arn || version === undefined) {
    return {
      ok: false,
      reason: 'malformed',
      problems: ['$.detail.responseElements.service: must name the service ARN and task definition ARN'],
    };
  }
  const envelopeOf = { id: e.id, account: e.account, region: e.region };
  if (d.eventName === 'UpdateService' && onlyScales(d.requestParameters)) {
    return { ok: true, value: { kind: 'scaling', ...arn }, envelope: envelopeOf };
  }
  const primary = service.deployments?.find((x) => x.status === 'PRIMARY')?.id;
  return {
    ok: true,
    value: {
      kind: 'deployment',
      platform: 'ecs',
      ...arn,
      key: callKey(d.eventID),
      principal: {
        ...(primary !== undefined ? { deploymentId: primary } : {}),
        version,
        by: callerOf(d.userIdentity),
        at: parseIsoTimestamp(d.eventTime),
      },
    },
    envelope: envelopeOf,
  };
}

function parseCodeDeployCall(raw: unknown, options: ParseOptions): Parsed<DeploymentCall> {
  const r = codeDeployCallSchema.safeParse(raw);
  if (!r.success) return malformed(r.issues);
  const e = r.data;
  const d = e.detail;
  const future = callFromTheFuture(options, e);
  if (future) return future;
  return {
    ok: true,
    value: {
      kind: 'deployment',
      platform: 'codedeploy',
      application: d.requestParameters.applicationName,
      deploymentGroup: d.requestParameters.deploymentGroupName,
      key: callKey(d.eventID),
      principal: {
        deploymentId: d.responseElements.deploymentId,
        by: callerOf(d.userIdentity),
        at: parseIsoTimestamp(d.eventTime),
      },
    },
    envelope: { id: e.id, account: e.account, region: e.region },
  };
}

/** The envelope's `time` and the record's `eventTime`, either too far ahead of the handler's clock. */
export function callFromTheFuture(
  options: ParseOptions,
  e: { readonly time: string; readonly detail: { readonly eventTime: string } },
): Parsed<never> | undefined {
  return fromTheFuture(options, [
    [['time'], e.time],
    [['detail', 'eventTime'], e.detail.eventTime],
  ]);
}

/**
 * The caller as CloudTrail names it: the principal's ARN (for an assumed role the session ARN, which names the
 * person or pipeline), else the AWS service that called on its own, else the principal id.
 */
export function callerOf(u: { arn?: string; invokedBy?: string; principalId?: string }): string {
  return u.arn ?? u.invokedBy ?? u.principalId ?? '';
}

/** Dedupe key of a CloudTrail record: its eventID, which CloudTrail keeps across redeliveries. */
function callKey(eventID: string): string {
  return `cloudtrail|${eventID}`;
}

/** Nothing but the desired count (a null or false value changes nothing either). */
function onlyScales(request: Readonly<Record<string, unknown>>): boolean {
  return Object.entries(request).every(
    ([k, value]) => SCALING_KEYS.has(k) || value === null || value === false,
  );
}
