/** EventBridge sources and detail-types the watchdog consumes. */
export const EVENT_SOURCE = {
  cloudwatch: 'aws.cloudwatch',
  ecs: 'aws.ecs',
  codedeploy: 'aws.codedeploy',
} as const;

export const DETAIL_TYPE = {
  alarmStateChange: 'CloudWatch Alarm State Change',
  ecsDeploymentStateChange: 'ECS Deployment State Change',
  codeDeployStateChange: 'CodeDeploy Deployment State-change Notification',
  /** A management API call as a CloudTrail trail recorded it; `source` is the service called (`aws.ecs`). */
  cloudTrailApiCall: 'AWS API Call via CloudTrail',
} as const;

/**
 * The API calls that start a deployment, by the `detail.eventSource` CloudTrail gives the service. Their
 * CloudTrail records name the caller (`detail.userIdentity`), which neither ECS's deployment events nor its
 * deployments do; EventBridge receives them only when the account has a trail.
 */
export const DEPLOYMENT_CALLS = {
  ecs: { eventSource: 'ecs.amazonaws.com', eventNames: ['CreateService', 'UpdateService'] },
  codedeploy: { eventSource: 'codedeploy.amazonaws.com', eventNames: ['CreateDeployment'] },
} as const;

/**
 * How the ledger names who created a CodeDeploy deployment when no CloudTrail record named the caller:
 * this prefix and GetDeployment's `creator` (`CodeDeploy creator: user`). A principal CloudTrail gives wins.
 */
export const CODEDEPLOY_CREATOR_PREFIX = 'CodeDeploy creator: ';

/** `detail.eventName` values of `ECS Deployment State Change`. */
export const ECS_DEPLOYMENT_EVENT = {
  inProgress: 'SERVICE_DEPLOYMENT_IN_PROGRESS',
  completed: 'SERVICE_DEPLOYMENT_COMPLETED',
  failed: 'SERVICE_DEPLOYMENT_FAILED',
} as const;
export type EcsDeploymentEventName = (typeof ECS_DEPLOYMENT_EVENT)[keyof typeof ECS_DEPLOYMENT_EVENT];

/** `detail.state` values of `CodeDeploy Deployment State-change Notification`. */
export const CODEDEPLOY_STATE = {
  start: 'START',
  success: 'SUCCESS',
  failure: 'FAILURE',
  stop: 'STOP',
  ready: 'READY',
} as const;
export type CodeDeployState = (typeof CODEDEPLOY_STATE)[keyof typeof CODEDEPLOY_STATE];

export const ALARM_STATE = {
  ok: 'OK',
  alarm: 'ALARM',
  insufficientData: 'INSUFFICIENT_DATA',
} as const;
export type AlarmStateValue = (typeof ALARM_STATE)[keyof typeof ALARM_STATE];
