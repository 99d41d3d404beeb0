import { randomUUID } from 'node:crypto';
import { DescribeAlarmsCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { Message } from '@aws-sdk/client-sqs';
import { fixtureEvent } from '../../support/events';
import { MOTO_ACCOUNT, MOTO_REGION } from './constants';

/** `2019-10-02T17:04:40.989+0000`: how CloudWatch writes state timestamps in its events. */
const cloudWatchTimestamp = (at: Date) => at.toISOString().replace('Z', '+0000');

/**
 * The `CloudWatch Alarm State Change` event CloudWatch would emit for the alarm's current state in moto
 * (moto emits none itself): the fixture's shape, with moto's alarm ARN, state, reason, reason data and state
 * time. moto does not report StateTransitionedTimestamp, so the state time is its StateUpdatedTimestamp.
 */
export async function alarmEventFromMoto(cloudwatch: CloudWatchClient, alarmName: string) {
  const { MetricAlarms = [] } = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [alarmName] }));
  const alarm = MetricAlarms[0];
  if (!alarm?.AlarmArn || !alarm.StateValue || !alarm.StateUpdatedTimestamp) {
    throw new Error(`moto does not describe alarm ${alarmName} with an ARN, a state and a state time`);
  }
  const at = alarm.StateTransitionedTimestamp ?? alarm.StateUpdatedTimestamp;
  const event = fixtureEvent('cloudwatch-alarm-state-change');
  event.id = randomUUID();
  event.account = MOTO_ACCOUNT;
  event.region = MOTO_REGION;
  event.time = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  event.resources = [alarm.AlarmArn];
  event.detail.alarmName = alarmName;
  event.detail.state = {
    value: alarm.StateValue,
    reason: alarm.StateReason ?? '',
    ...(alarm.StateReasonData ? { reasonData: alarm.StateReasonData } : {}),
    timestamp: cloudWatchTimestamp(at),
  };
  event.detail.previousState = {
    value: alarm.StateValue === 'OK' ? 'ALARM' : 'OK',
    reason: 'previous state',
    timestamp: cloudWatchTimestamp(new Date(at.getTime() - 600_000)),
  };
  return event;
}

/** SNS's JSON envelope, as an SQS subscription (not raw) and Lambda's SNS event both carry it. */
export interface SnsEnvelope {
  readonly Type: string;
  readonly MessageId: string;
  readonly TopicArn: string;
  readonly Subject?: string;
  readonly Message: string;
  readonly Timestamp: string;
  readonly SignatureVersion: string;
  readonly Signature: string;
  readonly SigningCertURL: string;
  readonly UnsubscribeURL: string;
  readonly MessageAttributes?: Record<string, { Type: string; Value: string }>;
}

export function snsEnvelope(message: Message): SnsEnvelope {
  return JSON.parse(message.Body ?? 'null') as SnsEnvelope;
}
