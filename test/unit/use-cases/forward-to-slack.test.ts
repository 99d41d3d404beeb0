import { renderMessageAttributes, renderSnsMessage } from '../../../lambda/adapters/sns-notifier';
import { cardToSlackMessage, toSlackMessage } from '../../../lambda/channels/slack';
import { METRIC, SLACK_ACTION, type ChatbotNotification } from '../../../lambda/contract';
import { parseSnsForwarderEvent } from '../../../lambda/boundary/cloudwatch-alarm-notification';
import { parseSnsChatbotEvent } from '../../../lambda/boundary/sns-event';
import { forwardToSlack, SlackDeliveryError } from '../../../lambda/use-cases/forward-to-slack';
import type { ChatNotifier, Notification, SlackMessage } from '../../../lambda/use-cases/ports';
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

describe('forwardToSlack: the typed notification on the topic', () => {
  /** What SNS hands the forwarder's Lambda for one published notification: the default member and attributes. */
  function delivered(n: Notification): Record<string, unknown> {
    const members = JSON.parse(renderSnsMessage(n)) as { default: string };
    const attributes = Object.fromEntries(
      Object.entries(renderMessageAttributes(n)).map(([name, a]) => [
        name,
        { Type: a.DataType, Value: a.StringValue },
      ]),
    );
    return {
      Records: [{ Sns: { MessageId: 'm-1', Message: members.default, MessageAttributes: attributes } }],
    };
  }

  const failed: Notification = {
    kind: 'rollback-failed',
    severity: 'high',
    target: 'checkout',
    title: 'Rollback of checkout to checkout:41 failed',
    fired: 'checkout-5xx started this rollback (alarm) at 2026-03-01 10:00:00 UTC.',
    changed: ['checkout:42 → checkout:41', '• checkout:42 was deployed at 2026-03-01 09:50:00 UTC by jane'],
    did: 'The rollback failed.',
    nextSteps: [{ text: 'Inspect the target', command: 'npx rollback-watchdog status checkout' }],
    links: [{ label: 'Runbook for checkout', url: 'https://wiki.example.com/runbooks/checkout' }],
    keywords: ['checkout', 'rollback-failed'],
    context: { kind: 'rollback-failed', target: 'checkout', decisionId: 'dec-1', account: '123456789012' },
  };

  it('renders from the typed value, with the mention, exactly as the Slack channel renders it', async () => {
    // Prepare
    const slack = new FakeSlack();
    const event = parseSnsForwarderEvent(delivered(failed));

    // Act
    await forwardToSlack({ slack, telemetry: new RecordingTelemetry(), mention: '<!subteam^S1>' }, event);

    // Assess
    expect(slack.posted).toEqual([toSlackMessage(failed, { mention: '<!subteam^S1>' })]);
    expect(slack.posted[0]?.text).toBe(
      '<!subteam^S1> :rotating_light: Rollback of checkout to checkout:41 failed',
    );
  });

  it('adds Approve rollback and Hold to an approval request when slack.interactive is set, and only then', async () => {
    const approval: Notification = {
      ...failed,
      kind: 'approval-requested',
      context: { kind: 'approval-requested', target: 'checkout', decisionId: 'dec-2', region: 'us-east-1' },
    };
    const withButtons = new FakeSlack();
    const without = new FakeSlack();
    const event = parseSnsForwarderEvent(delivered(approval));
    await forwardToSlack(
      { slack: withButtons, telemetry: new RecordingTelemetry(), interactive: true },
      event,
    );
    await forwardToSlack({ slack: without, telemetry: new RecordingTelemetry() }, event);
    expect(withButtons.posted).toEqual([toSlackMessage(approval, { interactive: true })]);
    expect(JSON.stringify(withButtons.posted)).toContain(SLACK_ACTION.approve);
    expect(JSON.stringify(without.posted)).not.toContain(SLACK_ACTION.approve);
  });

  it('falls back to the card as it is when the attribute is missing or of another format version', async () => {
    // Prepare
    const slack = new FakeSlack();
    const raw = delivered(failed) as { Records: { Sns: { MessageAttributes: Record<string, unknown> } }[] };
    const withoutTyped = structuredClone(raw);
    delete withoutTyped.Records[0].Sns.MessageAttributes['notification'];
    const otherVersion = structuredClone(raw);
    otherVersion.Records[0].Sns.MessageAttributes['notification'] = {
      Type: 'String',
      Value: JSON.stringify({ ...failed, formatVersion: 2 }),
    };

    // Act
    for (const event of [withoutTyped, otherVersion])
      await forwardToSlack({ slack, telemetry: new RecordingTelemetry() }, parseSnsForwarderEvent(event));

    // Assess
    const card = JSON.parse(JSON.parse(renderSnsMessage(failed)).default) as ChatbotNotification;
    expect(slack.posted).toEqual([cardToSlackMessage(card, 'high'), cardToSlackMessage(card, 'high')]);
  });
});
