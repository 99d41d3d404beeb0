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
} as const;

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
