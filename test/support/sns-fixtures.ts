import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The fixture alarm names: CloudFormation's generated names for the stack's alarms (stack RollbackWatchdog). */
export const DEAD_LETTER_ALARM = 'RollbackWatchdog-WatchdogDeadLetterAlarmEC124619-1QJ6Y0ZK3N8VW';
export const DEAD_LETTER_QUEUE = 'RollbackWatchdog-WatchdogDeadLetterQueue3F5F4B9C-Ct8Zp2LrQw5S';
export const ALARM_HANDLER_ERRORS_ALARM =
  'RollbackWatchdog-WatchdogMonitoringAlarmHandlerErrorsAlarm30944141-8XK2M5R7P0QLB';
export const ALARM_HANDLER_FUNCTION = 'RollbackWatchdog-WatchdogAlarmHandlerC7CA8FED-Wq4Rt7Yu1Io3';

/** A fresh copy of an SNS → Lambda event from test/fixtures/sns, to vary per test. */
export function snsFixture(name: string): Record<string, any> {
  return JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'sns', `${name}.json`), 'utf8'));
}

/** The alarm notification inside the fixture's first record, parsed. */
export function alarmMessageOf(event: Record<string, any>): Record<string, any> {
  return JSON.parse(event.Records[0].Sns.Message);
}

/** The fixture with its first record's message replaced by `message` (serialised as SNS delivers it). */
export function withMessage(event: Record<string, any>, message: unknown): Record<string, any> {
  event.Records[0].Sns.Message = typeof message === 'string' ? message : JSON.stringify(message);
  return event;
}

/**
 * The dead-letter fixture turned into the alarm handler's Errors alarm, as lib/private/monitoring.ts creates it
 * (Sum of AWS/Lambda Errors over 5 minutes, > 0 in 1 of 1 period).
 */
export function alarmHandlerErrorsEvent(): Record<string, any> {
  const event = snsFixture('dead-letter-alarm');
  const m = alarmMessageOf(event);
  m.AlarmName = ALARM_HANDLER_ERRORS_ALARM;
  m.AlarmArn = `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${ALARM_HANDLER_ERRORS_ALARM}`;
  m.AlarmDescription = 'Rollback Watchdog: alarm handler: invocations failed';
  m.NewStateReason =
    'Threshold Crossed: 1 out of the last 1 datapoints [2.0 (01/03/26 10:00:00)] was greater than the threshold (0.0) (minimum 1 datapoint for OK -> ALARM transition).';
  m.Trigger = {
    MetricName: 'Errors',
    Namespace: 'AWS/Lambda',
    StatisticType: 'Statistic',
    Statistic: 'SUM',
    Unit: null,
    Dimensions: [{ value: ALARM_HANDLER_FUNCTION, name: 'FunctionName' }],
    Period: 300,
    EvaluationPeriods: 1,
    DatapointsToAlarm: 1,
    ComparisonOperator: 'GreaterThanThreshold',
    Threshold: 0.0,
    TreatMissingData: 'notBreaching',
    EvaluateLowSampleCountPercentile: '',
  };
  event.Records[0].Sns.Subject = null;
  return withMessage(event, m);
}
