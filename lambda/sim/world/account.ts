import { createHash } from 'node:crypto';
import {
  ALARM_STATE,
  DEPLOYMENT_CALLS,
  DETAIL_TYPE,
  EVENT_SOURCE,
  type AlarmStateValue,
  type CodeDeployState,
} from '../../contract';
import { isoSeconds } from '../time';

/**
 * The simulated account (docs/architecture.md, "World semantics"): every event the world emits carries these.
 */
export const SIM_ACCOUNT = '123456789012';
/** The default region: today's single-region scenarios run every world in it. */
export const SIM_REGION = 'us-east-1';
/** The watchdog's notification topic in the simulated account, in `region`. */
export const simTopicArn = (region: string): string =>
  `arn:aws:sns:${region}:${SIM_ACCOUNT}:rollback-watchdog-notifications`;
/** The watchdog's notification topic in the default region. */
export const SIM_TOPIC_ARN = simTopicArn(SIM_REGION);
export const SIM_STACK_NAME = 'RollbackWatchdog';

export const ecsClusterArn = (cluster: string, region: string): string =>
  `arn:aws:ecs:${region}:${SIM_ACCOUNT}:cluster/${cluster}`;
export const ecsServiceArn = (cluster: string, service: string, region: string): string =>
  `arn:aws:ecs:${region}:${SIM_ACCOUNT}:service/${cluster}/${service}`;
export const taskDefinitionArn = (familyRevision: string, region: string): string =>
  `arn:aws:ecs:${region}:${SIM_ACCOUNT}:task-definition/${familyRevision}`;
export const alarmArn = (name: string, region: string): string =>
  `arn:aws:cloudwatch:${region}:${SIM_ACCOUNT}:alarm:${name}`;
export const codeDeployApplicationArn = (application: string, region: string): string =>
  `arn:aws:codedeploy:${region}:${SIM_ACCOUNT}:application:${application}`;
export const codeDeployGroupArn = (application: string, group: string, region: string): string =>
  `arn:aws:codedeploy:${region}:${SIM_ACCOUNT}:deploymentgroup:${application}/${group}`;

/**
 * Ids that look like AWS's but come from counters, so a run is reproducible: the same `(kind, n)` always
 * gives the same id, and different kinds never collide.
 */
export function stableUuid(kind: string, n: number): string {
  const h = createHash('sha256').update(`${kind}\u0000${n}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[parseInt(h[16] ?? '0', 16) % 4]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * An alphanumeric id from a counter: by default 22 characters like the last segment of an ECS service
 * deployment ARN; CodeDeploy's `d-XXXXXXXXX` ids use 9 upper-case letters and digits.
 */
export function stableToken(
  kind: string,
  n: number,
  length = 22,
  alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
): string {
  const bytes = createHash('sha256').update(`${kind}\u0000${n}`).digest();
  return Array.from(bytes.subarray(0, length), (b) => alphabet[b % alphabet.length]).join('');
}

/** An EventBridge event as delivered to a Lambda target. */
export interface EventBridgeEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: Readonly<Record<string, unknown>>;
}

export function ecsDeploymentEvent(args: {
  readonly id: string;
  readonly at: number;
  readonly cluster: string;
  readonly service: string;
  readonly eventName: string;
  readonly deploymentId: string;
  readonly reason: string;
  /** The region of the world that emits it. */
  readonly region: string;
}): EventBridgeEvent {
  return {
    version: '0',
    id: args.id,
    'detail-type': DETAIL_TYPE.ecsDeploymentStateChange,
    source: EVENT_SOURCE.ecs,
    account: SIM_ACCOUNT,
    time: isoSeconds(args.at),
    region: args.region,
    resources: [ecsServiceArn(args.cluster, args.service, args.region)],
    detail: {
      eventType: args.eventName.endsWith('FAILED') ? 'ERROR' : 'INFO',
      eventName: args.eventName,
      deploymentId: args.deploymentId,
      updatedAt: isoSeconds(args.at),
      reason: args.reason,
    },
  };
}

export function codeDeployStateChangeEvent(args: {
  readonly id: string;
  readonly at: number;
  readonly application: string;
  readonly deploymentGroup: string;
  /** The deployment group's id, which CodeDeploy reports as `instanceGroupId`. */
  readonly instanceGroupId: string;
  readonly deploymentId: string;
  readonly state: CodeDeployState;
  /** The region of the world that emits it. */
  readonly region: string;
}): EventBridgeEvent {
  return {
    version: '0',
    id: args.id,
    'detail-type': DETAIL_TYPE.codeDeployStateChange,
    source: EVENT_SOURCE.codedeploy,
    account: SIM_ACCOUNT,
    time: isoSeconds(args.at),
    region: args.region,
    resources: [
      codeDeployApplicationArn(args.application, args.region),
      codeDeployGroupArn(args.application, args.deploymentGroup, args.region),
    ],
    detail: {
      instanceGroupId: args.instanceGroupId,
      region: args.region,
      application: args.application,
      deploymentId: args.deploymentId,
      state: args.state,
      deploymentGroup: args.deploymentGroup,
    },
  };
}

/**
 * The CloudTrail record of an API call as EventBridge delivers it (`AWS API Call via CloudTrail`), for a call
 * made by `by`: an assumed-role session ARN, an IAM user ARN, or any other principal ARN.
 */
export function cloudTrailApiCallEvent(args: {
  readonly id: string;
  readonly eventId: string;
  readonly at: number;
  readonly platform: keyof typeof DEPLOYMENT_CALLS;
  readonly eventName: string;
  readonly by: string;
  readonly requestParameters: Readonly<Record<string, unknown>>;
  readonly responseElements: Readonly<Record<string, unknown>>;
  /** The region of the world that emits it. */
  readonly region: string;
}): EventBridgeEvent {
  return {
    version: '0',
    id: args.id,
    'detail-type': DETAIL_TYPE.cloudTrailApiCall,
    source: EVENT_SOURCE[args.platform],
    account: SIM_ACCOUNT,
    time: isoSeconds(args.at),
    region: args.region,
    resources: [],
    detail: {
      eventVersion: '1.09',
      userIdentity: userIdentityOf(args.by),
      eventTime: isoSeconds(args.at),
      eventSource: DEPLOYMENT_CALLS[args.platform].eventSource,
      eventName: args.eventName,
      awsRegion: args.region,
      sourceIPAddress: '203.0.113.10',
      userAgent: 'simulated',
      requestParameters: args.requestParameters,
      responseElements: args.responseElements,
      requestID: args.eventId,
      eventID: args.eventId,
      readOnly: false,
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: SIM_ACCOUNT,
      eventCategory: 'Management',
    },
  };
}

/** CloudTrail's `userIdentity` of a caller, shaped by the kind of ARN it is. */
function userIdentityOf(arn: string): Record<string, unknown> {
  const session = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\/(.+)$/.exec(arn);
  if (session) {
    const [, partition, account, role, name] = session;
    const roleId = `AROA${stableToken(`role:${role}`, 1, 17, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`;
    return {
      type: 'AssumedRole',
      principalId: `${roleId}:${name}`,
      arn,
      accountId: account,
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          principalId: roleId,
          arn: `arn:${partition}:iam::${account}:role/${role}`,
          accountId: account,
          userName: role,
        },
        attributes: { mfaAuthenticated: 'false' },
      },
    };
  }
  const user = /^arn:[^:]+:iam::(\d{12}):user\/(?:.*\/)?([^/]+)$/.exec(arn);
  if (user) {
    const [, account, name] = user;
    return {
      type: 'IAMUser',
      principalId: `AIDA${stableToken(`user:${name}`, 1, 17, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`,
      arn,
      accountId: account,
      userName: name,
    };
  }
  return { type: 'Unknown', arn, principalId: arn };
}

export interface AlarmStateSnapshot {
  readonly value: AlarmStateValue;
  readonly reason: string;
  readonly reasonData?: string;
  /** CloudWatch's own format, `2026-03-01T10:01:00.000+0000`. */
  readonly timestamp: string;
}

export function alarmStateChangeEvent(args: {
  readonly id: string;
  readonly at: number;
  readonly alarmName: string;
  readonly description: string;
  readonly watches: string | undefined;
  readonly state: AlarmStateSnapshot;
  readonly previousState: AlarmStateSnapshot;
  /** The region of the world that emits it. */
  readonly region: string;
}): EventBridgeEvent {
  return {
    version: '0',
    id: args.id,
    'detail-type': DETAIL_TYPE.alarmStateChange,
    source: EVENT_SOURCE.cloudwatch,
    account: SIM_ACCOUNT,
    time: isoSeconds(args.at),
    region: args.region,
    resources: [alarmArn(args.alarmName, args.region)],
    detail: {
      alarmName: args.alarmName,
      state: args.state,
      previousState: args.previousState,
      configuration: {
        description: args.description,
        metrics: [
          {
            id: stableUuid('metric', 0).slice(0, 8),
            metricStat: {
              metric: {
                namespace: 'Simulated',
                name: args.alarmName,
                dimensions: args.watches === undefined ? {} : { Target: args.watches },
              },
              period: 60,
              stat: 'Average',
            },
            returnData: true,
          },
        ],
      },
    },
  };
}

export const ALARM_STATES: readonly AlarmStateValue[] = [
  ALARM_STATE.ok,
  ALARM_STATE.alarm,
  ALARM_STATE.insufficientData,
];
