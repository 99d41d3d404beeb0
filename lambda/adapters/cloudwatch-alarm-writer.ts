import { SetAlarmStateCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { AlarmStateValue } from '../contract';
import { RetryableError, TargetInvalidError } from '../use-cases/errors';
import type { AlarmWriter } from '../use-cases/ports';
import { classifyAwsError, describeError } from './aws-errors';

/**
 * Forces an alarm's state for drills. CloudWatch keeps the forced state only until the alarm's next
 * evaluation, so a drill never leaves an alarm stuck; the transition it causes is a real one (a real event).
 */
export class CloudWatchAlarmWriter implements AlarmWriter {
  private readonly client: CloudWatchClient;

  constructor(options: { client: CloudWatchClient }) {
    this.client = options.client;
  }

  async setState(alarmName: string, value: AlarmStateValue, reason: string): Promise<void> {
    try {
      await this.client.send(
        new SetAlarmStateCommand({
          AlarmName: alarmName,
          StateValue: value,
          StateReason: reason.slice(0, 1023),
        }),
      );
    } catch (error) {
      const what = `SetAlarmState(${alarmName}, ${value})`;
      if (classifyAwsError(error) === 'retryable')
        throw new RetryableError(`${what}: ${describeError(error)}`, { cause: error });
      throw new TargetInvalidError(`${what}: ${describeError(error)}`, { cause: error });
    }
  }
}
