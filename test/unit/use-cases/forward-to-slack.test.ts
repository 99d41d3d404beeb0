import { METRIC } from '../../../lambda/contract';
import { parseSnsForwarderEvent } from '../../../lambda/boundary/cloudwatch-alarm-notification';
import { parseSnsChatbotEvent } from '../../../lambda/boundary/sns-event';
import { forwardToSlack, SlackDeliveryError } from '../../../lambda/use-cases/forward-to-slack';
import type { ChatNotifier, SlackMessage } from '../../../lambda/use-cases/ports';
import { RecordingTelemetry } from '../../support/fakes';
import { alarmMessageOf, DEAD_LETTER_ALARM, snsFixture, withMessage } from '../../support/sns-fixtures';

const message = (target: string, kind = 'rollback-started') =>
  JSON.stringify({
    version: '1.0',
    source: 'custom',
    content: { title: `Rolling back ${target}`, description: 'What fired: x', nextSteps: [], keywords: [] },
    metadata: { threadId: target, additionalContext: { kind, target, decisionId: `dec-${target}` } },
  });

const record = (id: string, body: string) => ({
  Sns: {
    MessageId: id,
    Message: body,
    MessageAttributes: { severity: { Type: 'String', Value: 'warning' } },
  },
});

class FakeSlack implements ChatNotifier {
  readonly posted: SlackMessage[] = [];
  failFor = new Set<string>();
  async post(m: SlackMessage): Promise<void> {
    if ([...this.failFor].some((t) => m.text.includes(t)))
      throw new Error('Slack webhook post failed: HTTP 500');
    this.posted.push(m);
  }
}

describe('forwardToSlack', () => {
  it('posts every notification as a Block Kit message and logs kind and target', async () => {
    // Prepare
    const slack = new FakeSlack();
    const telemetry = new RecordingTelemetry();
    const event = parseSnsChatbotEvent({ Records: [record('m-1', message('checkout'))] });

    // Act
    const result = await forwardToSlack({ slack, telemetry }, event);

    // Assess
    expect(result).toEqual({ posted: 1, rejected: 0 });
    expect(slack.posted.map((m) => m.text)).toEqual([':warning: Rolling back checkout']);
    expect(telemetry.logs).toEqual([
      {
        level: 'info',
        message: 'posted to Slack',
        fields: { messageId: 'm-1', kind: 'rollback-started', target: 'checkout' },
      },
    ]);
  });

  it('logs and counts a record that is not a watchdog notification, and posts the others', async () => {
    // Prepare
    const slack = new FakeSlack();
    const telemetry = new RecordingTelemetry();
    const event = parseSnsChatbotEvent({
      Records: [record('m-1', '{"AlarmName":"checkout-5xx"}'), record('m-2', message('payments'))],
    });

    // Act
    const result = await forwardToSlack({ slack, telemetry }, event);

    // Assess
    expect(result).toEqual({ posted: 1, rejected: 1 });
    expect(slack.posted).toHaveLength(1);
    expect(telemetry.logs[0]).toMatchObject({
      level: 'warn',
      message: 'SNS message rejected: not a watchdog notification',
      fields: { messageId: 'm-1', problems: expect.any(Array) },
    });
    expect(telemetry.total(METRIC.rejectedEvents)).toBe(1);
  });

  it('does not throw for an event that is not an SNS event: a retry could not fix it', async () => {
    // Prepare
    const slack = new FakeSlack();
    const telemetry = new RecordingTelemetry();

    // Act
    const result = await forwardToSlack({ slack, telemetry }, parseSnsChatbotEvent({ detail: {} }));

    // Assess
    expect(result).toEqual({ posted: 0, rejected: 1 });
    expect(telemetry.total(METRIC.rejectedEvents)).toBe(1);
  });

  it('tries every record, then throws so that Lambda retries the delivery', async () => {
    // Prepare
    const slack = new FakeSlack();
    slack.failFor.add('checkout');
    const telemetry = new RecordingTelemetry();
    const event = parseSnsChatbotEvent({
      Records: [record('m-1', message('checkout')), record('m-2', message('payments'))],
    });

    // Act
    const forwarding = forwardToSlack({ slack, telemetry }, event);

    // Assess
    await expect(forwarding).rejects.toThrow(SlackDeliveryError);
    await expect(forwarding).rejects.toThrow('1 of 2 notification(s) could not be posted to Slack');
    expect(slack.posted.map((m) => m.text)).toEqual([':warning: Rolling back payments']);
    expect(telemetry.logs.find((l) => l.level === 'error')).toEqual({
      level: 'error',
      message: 'Slack post failed',
      fields: {
        messageId: 'm-1',
        kind: 'rollback-started',
        target: 'checkout',
        error: { name: 'Error', message: 'Slack webhook post failed: HTTP 500' },
      },
    });
    expect(telemetry.total(METRIC.notificationFailures)).toBe(1);
  });

  it("posts the watchdog's health alarms to Slack and logs alarm, state and severity", async () => {
    // Prepare
    const slack = new FakeSlack();
    const telemetry = new RecordingTelemetry();
    const event = parseSnsForwarderEvent(snsFixture('dead-letter-alarm'));

    // Act
    const result = await forwardToSlack({ slack, telemetry, stackName: 'RollbackWatchdog' }, event);

    // Assess
    expect(result).toEqual({ posted: 1, rejected: 0 });
    expect(slack.posted.map((m) => m.text)).toEqual([
      `:rotating_light: Watchdog health: ${DEAD_LETTER_ALARM} is ALARM`,
    ]);
    expect(JSON.stringify(slack.posted[0]?.blocks)).toContain(
      '`npx rollback-watchdog status --stack RollbackWatchdog --region us-east-1`',
    );
    expect(telemetry.logs).toEqual([
      {
        level: 'info',
        message: 'posted to Slack',
        fields: {
          messageId: '0c6b8b2e-4f5a-5d1e-9a7c-3e2f1d0c9b8a',
          kind: 'cloudwatch-alarm',
          alarm: DEAD_LETTER_ALARM,
          state: 'ALARM',
          severity: 'high',
        },
      },
    ]);
    expect(telemetry.total(METRIC.rejectedEvents)).toBe(0);
  });

  it('posts a mix of notifications and alarms, and still drops what is neither', async () => {
    // Prepare
    const slack = new FakeSlack();
    const telemetry = new RecordingTelemetry();
    const alarm = snsFixture('dead-letter-alarm-ok').Records[0];
    const forged = { ...alarmMessageOf(snsFixture('dead-letter-alarm')), AWSAccountId: 'not-an-account' };
    const event = parseSnsForwarderEvent({
      Records: [
        record('m-1', message('checkout')),
        alarm,
        withMessage(snsFixture('dead-letter-alarm'), forged).Records[0],
        record('m-4', '{"hello":"world"}'),
      ],
    });

    // Act
    const result = await forwardToSlack({ slack, telemetry }, event);

    // Assess
    expect(result).toEqual({ posted: 2, rejected: 2 });
    expect(slack.posted.map((m) => m.text)).toEqual([
      ':warning: Rolling back checkout',
      `:information_source: Watchdog health: ${DEAD_LETTER_ALARM} is OK`,
    ]);
    const rejections = telemetry.logs.filter((l) => l.level === 'warn');
    expect(rejections.map((l) => l.message)).toEqual([
      'SNS message rejected: not a watchdog notification',
      'SNS message rejected: not a watchdog notification',
    ]);
    expect(rejections[0]?.fields?.['problems']).toEqual([
      '$.Records[2].Sns.Message.AWSAccountId: must be a 12-digit account id',
    ]);
    expect(telemetry.total(METRIC.rejectedEvents)).toBe(2);
  });

  it('counts a failed alarm post as a notification failure and throws so that Lambda retries', async () => {
    // Prepare
    const slack = new FakeSlack();
    slack.failFor.add('Watchdog health');
    const telemetry = new RecordingTelemetry();

    // Act
    const forwarding = forwardToSlack(
      { slack, telemetry },
      parseSnsForwarderEvent(snsFixture('dead-letter-alarm')),
    );

    // Assess
    await expect(forwarding).rejects.toThrow('1 of 1 notification(s) could not be posted to Slack');
    expect(telemetry.logs.find((l) => l.level === 'error')?.fields).toMatchObject({
      kind: 'cloudwatch-alarm',
      alarm: DEAD_LETTER_ALARM,
    });
    expect(telemetry.total(METRIC.notificationFailures)).toBe(1);
  });
});
