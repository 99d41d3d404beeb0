import {
  ALARM_NOTIFICATION_LIMITS,
  parseCloudWatchAlarmNotification,
  parseSnsForwarderEvent,
} from '../../../lambda/boundary/cloudwatch-alarm-notification';
import { parseSnsChatbotEvent } from '../../../lambda/boundary/sns-event';
import {
  alarmMessageOf,
  DEAD_LETTER_ALARM,
  DEAD_LETTER_QUEUE,
  snsFixture,
  withMessage,
} from '../../support/sns-fixtures';

const AT = ['Records', 0, 'Sns', 'Message'];
const DLQ_ARN = `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${DEAD_LETTER_ALARM}`;

function parseMessage(message: unknown) {
  return parseCloudWatchAlarmNotification(
    typeof message === 'string' ? message : JSON.stringify(message),
    AT,
  );
}

function problemsOf(message: unknown): readonly string[] {
  const parsed = parseMessage(message);
  if (parsed.ok) throw new Error('expected a rejection');
  return parsed.problems;
}

describe('parseCloudWatchAlarmNotification', () => {
  it('reads the dead-letter alarm notification as CloudWatch publishes it', () => {
    // Prepare
    const message = alarmMessageOf(snsFixture('dead-letter-alarm'));

    // Act
    const parsed = parseMessage(message);

    // Assess
    expect(parsed).toEqual({
      ok: true,
      notification: {
        alarmName: DEAD_LETTER_ALARM,
        alarmArn: DLQ_ARN,
        partition: 'aws',
        region: 'us-east-1',
        regionName: 'US East (N. Virginia)',
        account: '123456789012',
        description:
          'Rollback Watchdog: events or invocations failed and are waiting in the dead-letter queue',
        newState: 'ALARM',
        oldState: 'OK',
        reason:
          'Threshold Crossed: 1 out of the last 1 datapoints [2.0 (01/03/26 10:00:00)] was greater than or equal to the threshold (1.0) (minimum 1 datapoint for OK -> ALARM transition).',
        stateChangeTime: '2026-03-01T10:05:32.718+0000',
        trigger: {
          metric: {
            namespace: 'AWS/SQS',
            metricName: 'ApproximateNumberOfMessagesVisible',
            dimensions: [{ name: 'QueueName', value: DEAD_LETTER_QUEUE }],
          },
          statistic: 'MAXIMUM',
          period: 300,
          evaluationPeriods: 1,
          comparisonOperator: 'GreaterThanOrEqualToThreshold',
          threshold: 1,
          treatMissingData: 'notBreaching',
          metrics: [],
        },
      },
    });
  });

  it('reads a composite alarm: no trigger, its rule and the children that triggered it', () => {
    // Prepare
    const message = alarmMessageOf(snsFixture('composite-alarm'));

    // Act
    const parsed = parseMessage(message);

    // Assess
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.notification).not.toHaveProperty('trigger');
    expect(parsed.notification).not.toHaveProperty('description');
    expect(parsed.notification.composite).toEqual({
      rule: message.AlarmRule,
      triggeringChildren: [{ alarmName: DEAD_LETTER_ALARM, arn: DLQ_ARN, state: 'ALARM' }],
    });
  });

  it('reads a metric-math alarm: its queries, and the old "- TreatMissingData: missing" form', () => {
    // Prepare
    const message = alarmMessageOf(snsFixture('dead-letter-alarm'));
    message.Trigger = {
      Period: 60,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0.0,
      TreatMissingData: '- TreatMissingData:                    missing',
      EvaluateLowSampleCountPercentile: '',
      Metrics: [
        { Expression: 'm1*1', Id: 'e1', Label: 'Expression1', ReturnData: true },
        {
          Id: 'm1',
          MetricStat: {
            Metric: {
              Dimensions: [{ value: 'TestInstance', name: 'InstanceId' }],
              MetricName: 'NetworkOut',
              Namespace: 'AWS/EC2',
            },
            Period: 60,
            Stat: 'Average',
          },
          ReturnData: false,
        },
      ],
    };

    // Act
    const parsed = parseMessage(message);

    // Assess
    expect(parsed.ok && parsed.notification.trigger).toEqual({
      period: 60,
      evaluationPeriods: 1,
      comparisonOperator: 'GreaterThanThreshold',
      threshold: 0,
      treatMissingData: 'missing',
      metrics: [
        { id: 'e1', expression: 'm1*1', label: 'Expression1', returnData: true },
        {
          id: 'm1',
          returnData: false,
          metric: {
            namespace: 'AWS/EC2',
            metricName: 'NetworkOut',
            dimensions: [{ name: 'InstanceId', value: 'TestInstance' }],
          },
          stat: 'Average',
          period: 60,
        },
      ],
    });
  });

  it('leaves out trigger details of an unexpected type instead of rejecting the alarm, and bounds the rest', () => {
    // Prepare
    const message = alarmMessageOf(snsFixture('dead-letter-alarm'));
    message.Trigger = {
      MetricName: 42,
      Namespace: 'AWS/SQS',
      Statistic: ['MAXIMUM'],
      Period: -5,
      EvaluationPeriods: 1.5,
      Threshold: '1',
      Dimensions: Array.from({ length: 40 }, (_, i) => ({ name: `d${i}`, value: 'v'.repeat(5000) })),
    };

    // Act
    const parsed = parseMessage(message);

    // Assess
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const trigger = parsed.notification.trigger!;
    expect(trigger.metric?.namespace).toBe('AWS/SQS');
    expect(trigger.metric).not.toHaveProperty('metricName');
    for (const key of ['statistic', 'period', 'evaluationPeriods', 'threshold']) {
      expect(trigger).not.toHaveProperty(key);
    }
    expect(trigger.metric?.dimensions).toHaveLength(ALARM_NOTIFICATION_LIMITS.dimensionsMax);
    expect(trigger.metric?.dimensions[0]?.value).toHaveLength(ALARM_NOTIFICATION_LIMITS.detailMax);
  });

  it('cuts free text to its CloudWatch bound and turns control characters into spaces', () => {
    // Prepare
    const message = alarmMessageOf(snsFixture('dead-letter-alarm'));
    message.NewStateReason = `a\u0007b${'r'.repeat(5000)}`;
    message.AlarmDescription = `line 1\nline 2${'d'.repeat(5000)}`;

    // Act
    const parsed = parseMessage(message);

    // Assess
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.notification.reason.startsWith('a b')).toBe(true);
    expect(parsed.notification.reason).toHaveLength(1023);
    expect(parsed.notification.description?.startsWith('line 1\nline 2')).toBe(true);
    expect(parsed.notification.description).toHaveLength(ALARM_NOTIFICATION_LIMITS.descriptionMax);
  });

  it.each([
    [
      'AWSAccountId',
      { AWSAccountId: '1234' },
      '$.Records[0].Sns.Message.AWSAccountId: must be a 12-digit account id',
    ],
    [
      'NewStateValue',
      { NewStateValue: 'BROKEN' },
      '$.Records[0].Sns.Message.NewStateValue: must be one of OK, ALARM, INSUFFICIENT_DATA',
    ],
    [
      'StateChangeTime',
      { StateChangeTime: '2026-03-01 10:05' },
      '$.Records[0].Sns.Message.StateChangeTime: must be an ISO-8601 timestamp with a zone, such as 2026-03-01T10:01:00.000+0000',
    ],
    [
      'AlarmArn (another alarm)',
      { AlarmArn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:someone-else' },
      '$.Records[0].Sns.Message.AlarmArn: must be the ARN of the alarm named in AlarmName (its name part is "someone-else")',
    ],
    [
      'AlarmArn (another account)',
      { AlarmArn: `arn:aws:cloudwatch:us-east-1:999999999999:alarm:${DEAD_LETTER_ALARM}` },
      '$.Records[0].Sns.Message.AlarmArn: must be in account AWSAccountId (123456789012), not 999999999999',
    ],
    [
      'AlarmArn (not an alarm ARN)',
      { AlarmArn: 'https://evil.example/alarm' },
      '$.Records[0].Sns.Message.AlarmArn: must be an alarm ARN arn:<partition>:cloudwatch:<region>:<account>:alarm:<name>',
    ],
    [
      'AlarmName (too long)',
      { AlarmName: 'a'.repeat(256) },
      '$.Records[0].Sns.Message.AlarmName: must be an alarm name of at most 255 characters',
    ],
    [
      'AlarmName (control characters)',
      { AlarmName: 'dlq\n<!channel>' },
      '$.Records[0].Sns.Message.AlarmName: must be an alarm name without control characters',
    ],
    [
      'NewStateReason',
      { NewStateReason: undefined },
      '$.Records[0].Sns.Message.NewStateReason: must be the reason for the state change (a string)',
    ],
  ])('rejects a bad %s and names the field', (_field, change, problem) => {
    // Prepare
    const message = { ...alarmMessageOf(snsFixture('dead-letter-alarm')), ...change };

    // Act
    const problems = problemsOf(message);

    // Assess
    expect(problems).toContain(problem);
  });

  it('rejects a body larger than SNS could deliver without parsing it', () => {
    // Prepare
    const message = alarmMessageOf(snsFixture('dead-letter-alarm'));
    message.AlarmDescription = 'x'.repeat(ALARM_NOTIFICATION_LIMITS.messageBytes);
    const body = JSON.stringify(message);
    const parse = jest.spyOn(JSON, 'parse');

    // Act
    const parsed = parseCloudWatchAlarmNotification(body, AT);

    // Assess
    expect(parse).not.toHaveBeenCalled();
    parse.mockRestore();
    expect(parsed).toEqual({
      ok: false,
      relevant: true,
      problems: [
        `$.Records[0].Sns.Message: is ${Buffer.byteLength(body)} bytes, more than SNS's 262144-byte message limit; no CloudWatch alarm notification is that large`,
      ],
    });
  });

  it('names every bad field at once', () => {
    // Act
    const problems = problemsOf({
      AlarmName: 1,
      AlarmArn: 2,
      AWSAccountId: 3,
      NewStateValue: 4,
      OldStateValue: 5,
      NewStateReason: 6,
      StateChangeTime: 7,
      AlarmDescription: 8,
      Region: 9,
    });

    // Assess
    expect(problems.map((p) => p.slice(0, p.indexOf(':')))).toEqual(
      [
        'AlarmName',
        'AlarmArn',
        'AWSAccountId',
        'NewStateValue',
        'OldStateValue',
        'NewStateReason',
        'StateChangeTime',
        'AlarmDescription',
        'Region',
      ].map((f) => `$.Records[0].Sns.Message.${f}`),
    );
  });
});

describe('parseSnsForwarderEvent', () => {
  const chatbot = JSON.stringify({
    version: '1.0',
    source: 'custom',
    content: { title: 'Rolling back checkout', description: 'What fired: x', nextSteps: [], keywords: [] },
    metadata: { threadId: 'checkout', additionalContext: { kind: 'rollback-started', target: 'checkout' } },
  });

  it("keeps the watchdog's own notifications exactly as parseSnsChatbotEvent reads them", () => {
    // Prepare
    const event = withMessage(snsFixture('dead-letter-alarm'), chatbot);

    // Act
    const parsed = parseSnsForwarderEvent(event);

    // Assess
    expect(parsed).toEqual(parseSnsChatbotEvent(event));
    expect(parsed.ok && parsed.records[0]?.ok).toBe(true);
  });

  it('reads an alarm notification record as the alarm', () => {
    // Act
    const parsed = parseSnsForwarderEvent(snsFixture('dead-letter-alarm'));

    // Assess
    expect(parsed.ok).toBe(true);
    const record = parsed.ok ? parsed.records[0] : undefined;
    expect(record).toMatchObject({
      ok: true,
      messageId: '0c6b8b2e-4f5a-5d1e-9a7c-3e2f1d0c9b8a',
      alarm: { alarmName: DEAD_LETTER_ALARM, newState: 'ALARM' },
    });
  });

  it("reports the alarm's problems for a body that names an alarm, the Chatbot ones for anything else", () => {
    // Prepare
    const event = snsFixture('dead-letter-alarm');
    const record = event.Records[0];
    event.Records = [
      { ...record, Sns: { ...record.Sns, MessageId: 'm-alarm', Message: '{"AlarmName":"checkout-5xx"}' } },
      { ...record, Sns: { ...record.Sns, MessageId: 'm-other', Message: '{"hello":"world"}' } },
      { ...record, Sns: { ...record.Sns, MessageId: 'm-text', Message: 'not json' } },
    ];

    // Act
    const parsed = parseSnsForwarderEvent(event);

    // Assess
    const chatbotOnly = parseSnsChatbotEvent(event);
    expect(parsed.ok && chatbotOnly.ok).toBe(true);
    if (!parsed.ok || !chatbotOnly.ok) return;
    const [alarm, other, text] = parsed.records;
    expect(alarm).toMatchObject({ ok: false, messageId: 'm-alarm' });
    expect(alarm && !alarm.ok && alarm.problems).toContain(
      '$.Records[0].Sns.Message.AWSAccountId: must be a 12-digit account id',
    );
    expect(other).toEqual(chatbotOnly.records[1]);
    expect(text).toEqual(chatbotOnly.records[2]);
  });

  it('rejects a record whose body is larger than SNS could deliver, whatever it holds', () => {
    // Prepare
    const event = withMessage(
      snsFixture('dead-letter-alarm'),
      JSON.stringify({ padding: 'x'.repeat(ALARM_NOTIFICATION_LIMITS.messageBytes) }),
    );

    // Act
    const parsed = parseSnsForwarderEvent(event);

    // Assess
    expect(parsed.ok && parsed.records[0]).toEqual({
      ok: false,
      messageId: '0c6b8b2e-4f5a-5d1e-9a7c-3e2f1d0c9b8a',
      problems: [expect.stringMatching(/^\$\.Records\[0\]\.Sns\.Message: is 262158 bytes, more than SNS's/)],
    });
  });

  it('passes on the rejection of an event that is not an SNS event', () => {
    // Act & Assess
    expect(parseSnsForwarderEvent({ detail: {} })).toEqual(parseSnsChatbotEvent({ detail: {} }));
  });
});
