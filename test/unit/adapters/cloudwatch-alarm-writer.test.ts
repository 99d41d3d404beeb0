import { CloudWatchClient, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudWatchAlarmWriter } from '../../../lambda/adapters/cloudwatch-alarm-writer';
import { RetryableError, TargetInvalidError } from '../../../lambda/use-cases/errors';
import { awsError } from '../../support/aws-errors';

const cw = mockClient(CloudWatchClient);
const writer = () => new CloudWatchAlarmWriter({ client: new CloudWatchClient({ region: 'us-east-1' }) });

beforeEach(() => cw.reset());

it('forces the alarm state with the reason', async () => {
  cw.on(SetAlarmStateCommand).resolves({});
  await writer().setState('checkout-5xx', 'ALARM', 'Rollback Watchdog drill d-1');
  expect(cw).toHaveReceivedCommandWith(SetAlarmStateCommand, {
    AlarmName: 'checkout-5xx',
    StateValue: 'ALARM',
    StateReason: 'Rollback Watchdog drill d-1',
  });
});

it('classifies throttling as retryable and a missing alarm as terminal', async () => {
  cw.on(SetAlarmStateCommand)
    .rejectsOnce(awsError('Throttling', { status: 400 }))
    .rejectsOnce(awsError('ResourceNotFound', { status: 404 }));
  await expect(writer().setState('a', 'ALARM', 'r')).rejects.toBeInstanceOf(RetryableError);
  await expect(writer().setState('a', 'ALARM', 'r')).rejects.toBeInstanceOf(TargetInvalidError);
});
