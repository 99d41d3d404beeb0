import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  InvalidNextToken,
  type CompositeAlarm,
  type DescribeAlarmsCommandInput,
  type MetricAlarm,
} from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import {
  AlarmsUnreadableError,
  CloudWatchAlarmReader,
} from '../../../lambda/adapters/cloudwatch-alarm-reader';
import { RetryableError, WatchdogError } from '../../../lambda/use-cases/errors';
import { awsError } from '../../support/aws-errors';
import { SEC, T0 } from '../../support/domain-fixtures';

const MIN = 60 * SEC;
const arn = (name: string) => `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${name}`;

function metricAlarm(name: string, overrides: Partial<MetricAlarm> = {}): MetricAlarm {
  return {
    AlarmName: name,
    AlarmArn: arn(name),
    StateValue: 'OK',
    StateReason: 'Threshold Crossed: 1 datapoint [0.0] was not greater than the threshold (5.0).',
    StateReasonData: '{"version":"1.0"}',
    StateUpdatedTimestamp: new Date(T0),
    StateTransitionedTimestamp: new Date(T0 - 10 * MIN),
    MetricName: '5XXError',
    Namespace: 'AWS/ApplicationELB',
    ...overrides,
  };
}

function compositeAlarm(name: string, overrides: Partial<CompositeAlarm> = {}): CompositeAlarm {
  return {
    AlarmName: name,
    AlarmArn: arn(name),
    AlarmRule: 'ALARM(checkout-5xx) OR ALARM(checkout-p99)',
    StateValue: 'ALARM',
    StateReason: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-5xx transitioned to ALARM',
    StateUpdatedTimestamp: new Date(T0),
    StateTransitionedTimestamp: new Date(T0 - 2 * MIN),
    ...overrides,
  };
}

const names = (count: number, prefix = 'alarm') => Array.from({ length: count }, (_, i) => `${prefix}-${i}`);

describe('CloudWatchAlarmReader', () => {
  const cloudwatch = mockClient(CloudWatchClient);
  let reader: CloudWatchAlarmReader;

  beforeEach(() => {
    cloudwatch.reset();
    reader = new CloudWatchAlarmReader({ client: new CloudWatchClient({ region: 'us-east-1' }) });
  });

  it('reads metric and composite alarms alike into snapshots', async () => {
    // Prepare
    cloudwatch.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [metricAlarm('checkout-5xx', { StateValue: 'ALARM' })],
      CompositeAlarms: [compositeAlarm('checkout-health')],
    });

    // Act
    const snapshots = await reader.describe(['checkout-5xx', 'checkout-health']);

    // Assess
    expect(snapshots).toEqual([
      {
        name: 'checkout-5xx',
        arn: arn('checkout-5xx'),
        value: 'ALARM',
        since: T0 - 10 * MIN,
        reason: 'Threshold Crossed: 1 datapoint [0.0] was not greater than the threshold (5.0).',
        reasonData: '{"version":"1.0"}',
      },
      {
        name: 'checkout-health',
        arn: arn('checkout-health'),
        value: 'ALARM',
        since: T0 - 2 * MIN,
        reason: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-5xx transitioned to ALARM',
        reasonData: undefined,
      },
    ]);
    expect(cloudwatch).toHaveReceivedCommandTimes(DescribeAlarmsCommand, 1);
    const [call] = cloudwatch.commandCalls(DescribeAlarmsCommand);
    expect(call?.args[0].input).toEqual({
      AlarmNames: ['checkout-5xx', 'checkout-health'],
      AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
      MaxRecords: 100,
    });
  });

  it('dates a state from StateUpdatedTimestamp when StateTransitionedTimestamp is absent', async () => {
    // Prepare
    cloudwatch.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [metricAlarm('checkout-5xx', { StateTransitionedTimestamp: undefined })],
    });

    // Act
    const [snapshot] = await reader.describe(['checkout-5xx']);

    // Assess
    expect(snapshot?.since).toBe(T0);
  });

  it('asks for at most 100 names per call, all calls in parallel, and keeps the order asked for', async () => {
    // Prepare: each call answers with the alarms it was asked for, newest names first.
    const wanted = names(250);
    const inFlight: number[] = [];
    let running = 0;
    cloudwatch.on(DescribeAlarmsCommand).callsFake(async (input: DescribeAlarmsCommandInput) => {
      running += 1;
      inFlight.push(running);
      await new Promise((resolve) => setImmediate(resolve));
      running -= 1;
      return { MetricAlarms: [...(input.AlarmNames ?? [])].reverse().map((name) => metricAlarm(name)) };
    });

    // Act
    const snapshots = await reader.describe(wanted);

    // Assess
    const chunks = cloudwatch.commandCalls(DescribeAlarmsCommand).map((c) => c.args[0].input.AlarmNames);
    expect(chunks).toEqual([wanted.slice(0, 100), wanted.slice(100, 200), wanted.slice(200)]);
    expect(Math.max(...inFlight)).toBe(3);
    expect(snapshots.map((s) => s.name)).toEqual(wanted);
  });

  it('follows NextToken to the last page', async () => {
    // Prepare
    cloudwatch
      .on(DescribeAlarmsCommand)
      .resolvesOnce({ MetricAlarms: [metricAlarm('a')], NextToken: 'page-2' })
      .resolvesOnce({ CompositeAlarms: [compositeAlarm('b')], NextToken: 'page-3' })
      .resolvesOnce({ MetricAlarms: [metricAlarm('c')] });

    // Act
    const snapshots = await reader.describe(['a', 'b', 'c']);

    // Assess
    expect(snapshots.map((s) => [s.name, s.value])).toEqual([
      ['a', 'OK'],
      ['b', 'ALARM'],
      ['c', 'OK'],
    ]);
    const tokens = cloudwatch.commandCalls(DescribeAlarmsCommand).map((c) => c.args[0].input.NextToken);
    expect(tokens).toEqual([undefined, 'page-2', 'page-3']);
  });

  it('leaves out alarms that do not exist, asks once per distinct name, and makes no call for none', async () => {
    // Prepare
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [metricAlarm('checkout-5xx')] });

    // Act
    const found = await reader.describe(['checkout-5xx', 'deleted-alarm', 'checkout-5xx']);
    const none = await reader.describe([]);

    // Assess
    expect(found.map((s) => s.name)).toEqual(['checkout-5xx']);
    expect(none).toEqual([]);
    expect(cloudwatch).toHaveReceivedCommandTimes(DescribeAlarmsCommand, 1);
    expect(cloudwatch).toHaveReceivedCommandWith(DescribeAlarmsCommand, {
      AlarmNames: ['checkout-5xx', 'deleted-alarm'],
    });
  });

  it('leaves out an alarm reported without a state', async () => {
    // Prepare
    cloudwatch.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [metricAlarm('a', { StateValue: undefined }), metricAlarm('b')],
    });

    // Act
    const snapshots = await reader.describe(['a', 'b']);

    // Assess
    expect(snapshots.map((s) => s.name)).toEqual(['b']);
  });

  it('throws RetryableError when throttled past the SDK retries', async () => {
    // Prepare
    const throttled = awsError('Throttling', { message: 'Rate exceeded' });
    cloudwatch.on(DescribeAlarmsCommand).rejects(throttled);

    // Act
    const describing = reader.describe(['checkout-5xx']);

    // Assess
    await expect(describing).rejects.toThrow(RetryableError);
    await expect(describing).rejects.toMatchObject({ cause: throttled });
  });

  it('throws AlarmsUnreadableError, not a retryable error, when DescribeAlarms is not permitted', async () => {
    // Prepare
    const denied = awsError('AccessDenied', {
      status: 403,
      message: 'not authorized to perform: cloudwatch:DescribeAlarms',
    });
    cloudwatch.on(DescribeAlarmsCommand).rejects(denied);

    // Act
    const describing = reader.describe(['checkout-5xx']);

    // Assess
    await expect(describing).rejects.toThrow(AlarmsUnreadableError);
    await expect(describing).rejects.toThrow(WatchdogError);
    await expect(describing).rejects.not.toThrow(RetryableError);
    await expect(describing).rejects.toMatchObject({
      name: 'AlarmsUnreadableError',
      message:
        'DescribeAlarms was refused: AccessDenied: not authorized to perform: cloudwatch:DescribeAlarms',
      cause: denied,
    });
  });

  it('lets an error it cannot classify escape unchanged', async () => {
    // Prepare
    const badToken = new InvalidNextToken({ message: 'The next token is invalid.', $metadata: {} });
    cloudwatch.on(DescribeAlarmsCommand).rejects(badToken);

    // Act & Assess
    await expect(reader.describe(['checkout-5xx'])).rejects.toBe(badToken);
  });
});
