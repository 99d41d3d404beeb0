import { kindLinks } from '../../support/kind-links';
import { renderChatbotCard } from '../../../lambda/channels/chatbot';
import {
  alarmToSlackMessage,
  cardToSlackMessage,
  escapeMrkdwn,
  SLACK_LIMITS,
  slackEphemeral,
  slackUpdatedMessage,
  toSlackMessage,
  type SlackBlock,
} from '../../../lambda/channels/slack';
import { SLACK_ACTION, SLACK_ACTIONS_BLOCK_ID } from '../../../lambda/contract';
import { parseSnsForwarderEvent } from '../../../lambda/boundary/cloudwatch-alarm-notification';
import type {
  ChatbotNotification,
  CloudWatchAlarmNotification,
  WatchdogNotification,
} from '../../../lambda/contract';
import { decisionNotification } from '../../../lambda/use-cases/notifications';
import { ecsTarget, T0, transition } from '../../support/domain-fixtures';
import {
  ALARM_HANDLER_ERRORS_ALARM,
  ALARM_HANDLER_FUNCTION,
  alarmHandlerErrorsEvent,
  alarmMessageOf,
  DEAD_LETTER_ALARM,
  DEAD_LETTER_QUEUE,
  snsFixture,
  withMessage,
} from '../../support/sns-fixtures';

/** A rollback-started notification exactly as the watchdog builds it. */
function published(): WatchdogNotification {
  return decisionNotification(
    {
      id: 'dec-1',
      at: T0,
      target: 'checkout',
      trigger: 'checkout-5xx',
      outcome: 'rollback',
      reason: 'alarm',
      from: 'checkout:42',
      to: 'checkout:41',
      action: { kind: 'redeploy', version: 'checkout:41' },
      detail: 'checkout-5xx fired; rolling back to checkout:41.',
      escalate: false,
      notify: 'rollback-started',
    },
    transition('ALARM', T0),
    {
      region: 'us-east-1',
      consoleLinks: kindLinks,
      account: '123456789012',
      target: { ...ecsTarget(), runbookUrl: 'https://wiki.example.com/runbooks/checkout' },
      ledger: [
        {
          version: 'checkout:42',
          status: 'completed',
          startedAt: T0 - 600_000,
          deployedBy: 'arn:aws:sts::123456789012:assumed-role/deployer/jane',
        },
      ],
    },
  )!;
}

function typed(overrides: Partial<WatchdogNotification> = {}): WatchdogNotification {
  return {
    kind: 'escalation',
    severity: 'high',
    target: 'checkout',
    title: 'Title',
    fired: 'Fired.',
    changed: [],
    did: 'Did.',
    nextSteps: [],
    links: [],
    keywords: [],
    context: { kind: 'escalation', target: 'checkout' },
    ...overrides,
  };
}

function chatbot(
  content: Partial<ChatbotNotification['content']>,
  context: Record<string, string> = {},
): ChatbotNotification {
  return {
    version: '1.0',
    source: 'custom',
    content: { title: 'Title', description: 'Body.', nextSteps: [], keywords: [], ...content },
    metadata: {
      threadId: 'checkout',
      additionalContext: { kind: 'escalation', target: 'checkout', ...context },
    },
  };
}

const ofType = <T extends SlackBlock['type']>(blocks: readonly SlackBlock[], type: T) =>
  blocks.filter((b): b is Extract<SlackBlock, { type: T }> => b.type === type);

describe('toSlackMessage (from the typed notification)', () => {
  it('renders header, what fired / changed / did, runbook and console buttons, next steps and context', () => {
    // Act
    const message = toSlackMessage(published());

    // Assess
    expect(message.text).toBe(':warning: Rolling back checkout: checkout:42 → checkout:41');
    expect(message.blocks.map((b) => b.type)).toEqual(['header', 'section', 'actions', 'section', 'context']);
    expect(message.blocks[0]).toEqual({
      type: 'header',
      text: {
        type: 'plain_text',
        text: ':warning: Rolling back checkout: checkout:42 → checkout:41',
        emoji: true,
      },
    });
    const [description, steps] = ofType(message.blocks, 'section').map((b) => b.text.text);
    expect(description).toMatch(/^\*What fired:\* checkout-5xx went to ALARM: Threshold Crossed\./);
    expect(description).toContain(
      '\n*What changed:* checkout:42 → checkout:41\n• checkout:42 was deployed at 2026-03-01 09:50:00 UTC by arn:aws:sts::123456789012:assumed-role/deployer/jane\n',
    );
    expect(description).toContain('\n*What the watchdog did:* ');
    expect(description).not.toContain('https://');
    expect(
      ofType(message.blocks, 'actions')[0]?.elements.map((e) => [
        e.text.text,
        'url' in e ? e.url : e.action_id,
      ]),
    ).toEqual([
      ['Runbook for checkout', 'https://wiki.example.com/runbooks/checkout'],
      [
        'Alarm checkout-5xx',
        'https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#alarmsV2:alarm/checkout-5xx',
      ],
      [
        'Service deployments',
        'https://us-east-1.console.aws.amazon.com/ecs/v2/clusters/prod/services/checkout/deployments?region=us-east-1',
      ],
      [
        'Service logs',
        'https://us-east-1.console.aws.amazon.com/ecs/v2/clusters/prod/services/checkout/logs?region=us-east-1',
      ],
    ]);
    expect(steps).toBe(
      [
        '*Next steps*',
        '• Watch the rollback: `npx rollback-watchdog status checkout --region us-east-1`',
        '• Stop any further automatic action: `npx rollback-watchdog pause checkout --reason "&lt;why&gt;" --region us-east-1`',
        '• See every decision on checkout: `npx rollback-watchdog history checkout --region us-east-1`',
      ].join('\n'),
    );
    expect(ofType(message.blocks, 'context')[0]?.elements.map((e) => e.text)).toEqual([
      '*Target:* checkout',
      '*Kind:* rollback-started',
      '*Severity:* warning',
      '*Decision:* dec-1',
      '*Account:* 123456789012',
      '*Region:* us-east-1',
    ]);
  });

  it('renders the same notification as the card would, without reading any text back', () => {
    // The card's description holds every line the Slack sections show, so nothing is lost on either channel.
    const n = published();
    const card = renderChatbotCard(n);
    const sections = ofType(toSlackMessage(n).blocks, 'section').map((b) => b.text.text.replace(/\*/g, ''));
    for (const line of sections[0]?.split('\n') ?? []) expect(card.content.description).toContain(line);
  });

  it.each([
    ['high', ':rotating_light:'],
    ['warning', ':warning:'],
    ['info', ':information_source:'],
  ] as const)('puts the %s severity emoji in the header and the fallback text', (severity, emoji) => {
    // Act
    const message = toSlackMessage(typed({ title: 'Hello', severity }));

    // Assess
    expect(message.text).toBe(`${emoji} Hello`);
    expect(ofType(message.blocks, 'header')[0]?.text.text).toBe(`${emoji} Hello`);
  });

  it('mentions the configured group first, and in the fallback text, on high-severity messages only', () => {
    // Act
    const high = toSlackMessage(typed({ title: 'Rollback failed', severity: 'high' }), {
      mention: '<!subteam^S0123ABCD>',
    });
    const warning = toSlackMessage(typed({ title: 'Rolling back', severity: 'warning' }), {
      mention: '<!subteam^S0123ABCD>',
    });

    // Assess
    expect(high.text).toBe('<!subteam^S0123ABCD> :rotating_light: Rollback failed');
    expect(high.blocks[1]).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: '<!subteam^S0123ABCD>' },
    });
    expect(JSON.stringify(warning)).not.toContain('subteam');
  });

  it('escapes text so that nobody can mention a channel or forge a link', () => {
    // Prepare
    const hostile = 'reason <!channel> & <https://evil.example|click>';

    // Act
    const message = toSlackMessage(
      typed({
        title: hostile,
        fired: hostile,
        changed: [hostile, hostile],
        did: hostile,
        nextSteps: [{ text: hostile, command: `npx rollback-watchdog status \`${hostile}\`` }],
        target: '<@U123>',
      }),
    );

    // Assess
    const json = JSON.stringify(message.blocks.filter((b) => b.type !== 'header')) + message.text;
    expect(json).not.toMatch(/<!channel>|<https:|<@U123>/);
    expect(json).toContain('&lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;');
    // A backtick in a command cannot end its code span early.
    expect(json).toContain("`npx rollback-watchdog status 'reason &lt;!channel&gt;");
    expect(ofType(message.blocks, 'header')[0]?.text).toEqual({
      type: 'plain_text',
      text: `:rotating_light: ${hostile}`,
      emoji: true,
    });
  });

  it('makes buttons of https links only', () => {
    // Act
    const message = toSlackMessage(
      typed({
        links: [
          { label: 'Alarm', url: 'https://console.example/a' },
          { label: 'Old', url: 'http://insecure.example/b' },
        ],
      }),
    );

    // Assess
    expect(
      ofType(message.blocks, 'actions')[0]?.elements.map((e) => ('url' in e ? e.url : e.action_id)),
    ).toEqual(['https://console.example/a']);
  });

  it('omits the actions and next-steps blocks when there is nothing to put in them', () => {
    // Act & Assess
    expect(toSlackMessage(typed()).blocks.map((b) => b.type)).toEqual(['header', 'section', 'context']);
  });

  it("stays inside Slack's limits for long titles and texts", () => {
    // Prepare
    const longLine = 'x'.repeat(5_000);
    const changed = Array.from({ length: 40 }, (_, i) => `line ${i} ${'y'.repeat(200)}`);

    // Act
    const message = toSlackMessage(
      typed({
        title: 't'.repeat(400),
        fired: longLine,
        changed,
        did: longLine,
        nextSteps: [{ text: longLine }],
      }),
    );

    // Assess
    expect(ofType(message.blocks, 'header')[0]?.text.text.length).toBe(SLACK_LIMITS.headerText);
    const sections = ofType(message.blocks, 'section');
    expect(sections.length).toBeLessThanOrEqual(SLACK_LIMITS.descriptionSections + 1);
    for (const s of sections) expect(s.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    expect(message.blocks.length).toBeLessThanOrEqual(50);
  });

  it('escapeMrkdwn escapes exactly &, < and >', () => {
    // Act & Assess
    expect(escapeMrkdwn('a & b < c > d *e* _f_')).toBe('a &amp; b &lt; c &gt; d *e* _f_');
  });
});

describe('cardToSlackMessage (a card on the topic without the typed notification)', () => {
  it('shows the description and next steps as they are, escaped, parsing nothing out of them', () => {
    // Act
    const message = cardToSlackMessage(
      chatbot({
        description: 'What fired: x <!channel>\n\nLinks:\nAlarm: https://console.example/a',
        nextSteps: ['Look: npx rollback-watchdog status checkout'],
      }),
      'warning',
    );

    // Assess
    expect(message.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'context']);
    expect(ofType(message.blocks, 'section').map((b) => b.text.text)).toEqual([
      'What fired: x &lt;!channel&gt;\n\nLinks:\nAlarm: https://console.example/a',
      '*Next steps*\n• Look: npx rollback-watchdog status checkout',
    ]);
  });

  it.each([
    ['escalation', ':rotating_light:'],
    ['approval-requested', ':rotating_light:'],
    ['rollback-started', ':warning:'],
    ['drill', ':information_source:'],
    ['something-new', ':information_source:'],
  ])('without a severity attribute, derives it from the kind %s', (kind, emoji) => {
    // Act
    const message = cardToSlackMessage(chatbot({ title: 'T' }, { kind }));

    // Assess
    expect(message.text).toBe(`${emoji} T`);
  });

  it('mentions the configured group on a high-severity card', () => {
    expect(cardToSlackMessage(chatbot({ title: 'T' }), 'high', { mention: '<!here>' }).text).toBe(
      '<!here> :rotating_light: T',
    );
  });
});

/** The alarm notification inside an SNS fixture, as the boundary reads it. */
function alarmOf(event: Record<string, any>): CloudWatchAlarmNotification {
  const parsed = parseSnsForwarderEvent(event);
  const record = parsed.ok ? parsed.records[0] : undefined;
  if (!record || !('alarm' in record))
    throw new Error(`not an alarm notification: ${JSON.stringify(parsed)}`);
  return record.alarm;
}

const sectionTexts = (blocks: readonly SlackBlock[]) => ofType(blocks, 'section').map((b) => b.text.text);
const buttons = (blocks: readonly SlackBlock[]) =>
  ofType(blocks, 'actions').flatMap((b) =>
    b.elements.map((e) => [e.text.text, 'url' in e ? e.url : e.action_id]),
  );
const contextTexts = (blocks: readonly SlackBlock[]) =>
  ofType(blocks, 'context').flatMap((b) => b.elements.map((e) => e.text));

const CONSOLE = 'https://us-east-1.console.aws.amazon.com';
const DLQ_ALARM_URL = `${CONSOLE}/cloudwatch/home?region=us-east-1#alarmsV2:alarm/${DEAD_LETTER_ALARM}`;
const DLQ_URL = `${CONSOLE}/sqs/v3/home?region=us-east-1#/queues/https%3A%2F%2Fsqs.us-east-1.amazonaws.com%2F123456789012%2F${DEAD_LETTER_QUEUE}`;

describe('alarmToSlackMessage', () => {
  it('renders the dead-letter alarm firing: header, what fired, metric and threshold, links, where to look', () => {
    // Act
    const message = alarmToSlackMessage(alarmOf(snsFixture('dead-letter-alarm')), {
      stackName: 'RollbackWatchdog',
    });

    // Assess
    expect(message.text).toBe(`:rotating_light: Watchdog health: ${DEAD_LETTER_ALARM} is ALARM`);
    expect(message.blocks.map((b) => b.type)).toEqual(['header', 'section', 'actions', 'section', 'context']);
    expect(ofType(message.blocks, 'header')[0]?.text).toEqual({
      type: 'plain_text',
      text: `:rotating_light: Watchdog health: ${DEAD_LETTER_ALARM} is ALARM`,
      emoji: true,
    });
    expect(sectionTexts(message.blocks)).toEqual([
      [
        `*What fired:* ${DEAD_LETTER_ALARM} went from OK to ALARM at 2026-03-01T10:05:32.718+0000: Threshold Crossed: 1 out of the last 1 datapoints [2.0 (01/03/26 10:00:00)] was greater than or equal to the threshold (1.0) (minimum 1 datapoint for OK -&gt; ALARM transition).`,
        '*Alarm:* Rollback Watchdog: events or invocations failed and are waiting in the dead-letter queue',
        `*Metric:* AWS/SQS ApproximateNumberOfMessagesVisible (QueueName=${DEAD_LETTER_QUEUE}) · Maximum per 5 minutes`,
        '*Threshold:* ≥ 1 in 1 of 1 period; missing data: notBreaching',
      ].join('\n'),
      [
        '*Next steps*',
        `• Read the messages in the dead-letter queue \`${DEAD_LETTER_QUEUE}\`: each is an EventBridge delivery, an asynchronous invocation or an SNS delivery that failed every retry.`,
        "• The messages' contents and attributes show which function, rule or subscription each came from; that function's logs say why it failed.",
        '• An event the watchdog did not handle may be a rollback it did not start: check the targets with `npx rollback-watchdog status --stack RollbackWatchdog --region us-east-1`.',
      ].join('\n'),
    ]);
    expect(buttons(message.blocks)).toEqual([
      [`Alarm ${DEAD_LETTER_ALARM}`, DLQ_ALARM_URL],
      ['Dead-letter queue', DLQ_URL],
    ]);
    expect(contextTexts(message.blocks)).toEqual([
      '*Kind:* cloudwatch-alarm',
      '*Severity:* high',
      '*Account:* 123456789012',
      '*Region:* us-east-1 (US East (N. Virginia))',
    ]);
  });

  it('renders the recovery to OK as information, with nothing to do', () => {
    // Act
    const message = alarmToSlackMessage(alarmOf(snsFixture('dead-letter-alarm-ok')), {
      stackName: 'RollbackWatchdog',
    });

    // Assess
    expect(message.text).toBe(`:information_source: Watchdog health: ${DEAD_LETTER_ALARM} is OK`);
    const [body, steps] = sectionTexts(message.blocks);
    expect(body).toMatch(
      new RegExp(
        `^\\*What fired:\\* ${DEAD_LETTER_ALARM} went from ALARM to OK at 2026-03-01T11:25:32\\.904\\+0000: Threshold Crossed: .* was not greater than or equal to the threshold \\(1\\.0\\)`,
      ),
    );
    expect(steps).toBe(
      '*Next steps*\n• Nothing to do while it stays OK. Open the alarm in the CloudWatch console for its history and graph.',
    );
    expect(buttons(message.blocks).map(([label]) => label)).toEqual([
      `Alarm ${DEAD_LETTER_ALARM}`,
      'Dead-letter queue',
    ]);
    expect(contextTexts(message.blocks)).toContain('*Severity:* info');
  });

  it("renders a function's Errors alarm with a link to the function and where its failed events go", () => {
    // Act
    const message = alarmToSlackMessage(alarmOf(alarmHandlerErrorsEvent()), {
      stackName: 'RollbackWatchdog',
    });

    // Assess
    expect(message.text).toBe(`:rotating_light: Watchdog health: ${ALARM_HANDLER_ERRORS_ALARM} is ALARM`);
    const [body, steps] = sectionTexts(message.blocks);
    expect(body).toContain(
      `\n*Metric:* AWS/Lambda Errors (FunctionName=${ALARM_HANDLER_FUNCTION}) · Sum per 5 minutes\n*Threshold:* &gt; 0 in 1 of 1 period; missing data: notBreaching`,
    );
    expect(steps).toBe(
      [
        '*Next steps*',
        `• Read the logs of \`${ALARM_HANDLER_FUNCTION}\` (the function's Monitor tab) for the error.`,
        '• Events that still fail after the retries wait in the dead-letter queue: each message there is one the watchdog did not complete.',
        '• An event the watchdog did not handle may be a rollback it did not start: check the targets with `npx rollback-watchdog status --stack RollbackWatchdog --region us-east-1`.',
      ].join('\n'),
    );
    expect(buttons(message.blocks)).toEqual([
      [
        // Slack's 75-character button text; the header carries the whole name.
        `Alarm ${ALARM_HANDLER_ERRORS_ALARM}`.slice(0, SLACK_LIMITS.buttonText - 1) + '…',
        `${CONSOLE}/cloudwatch/home?region=us-east-1#alarmsV2:alarm/${ALARM_HANDLER_ERRORS_ALARM}`,
      ],
      [
        `Function ${ALARM_HANDLER_FUNCTION}`,
        `${CONSOLE}/lambda/home?region=us-east-1#/functions/${ALARM_HANDLER_FUNCTION}?tab=monitoring`,
      ],
    ]);
  });

  it('renders a composite alarm without a trigger: its rule, the children that triggered it, their links', () => {
    // Act
    const message = alarmToSlackMessage(alarmOf(snsFixture('composite-alarm')));

    // Assess
    // Its description does not start with "Rollback Watchdog:": an operator's alarm, not the stack's.
    expect(message.text).toBe(':rotating_light: CloudWatch alarm: rollback-watchdog-health is ALARM');
    expect(sectionTexts(message.blocks)).toEqual([
      [
        `*What fired:* rollback-watchdog-health went from OK to ALARM at 2026-03-01T10:05:33.102+0000: arn:aws:cloudwatch:us-east-1:123456789012:alarm:${DEAD_LETTER_ALARM} transitioned to ALARM at Sunday 01 March, 2026 10:05:32 UTC`,
        `*Rule:* ALARM("${DEAD_LETTER_ALARM}") OR ALARM("${ALARM_HANDLER_ERRORS_ALARM}")`,
        `*Triggered by:* ${DEAD_LETTER_ALARM} (ALARM)`,
      ].join('\n'),
      [
        '*Next steps*',
        '• Look at the alarms that triggered it (linked above): each says what it watches.',
        '• Open the alarm in the CloudWatch console for its history and graph.',
      ].join('\n'),
    ]);
    expect(buttons(message.blocks)).toEqual([
      [
        'Alarm rollback-watchdog-health',
        `${CONSOLE}/cloudwatch/home?region=us-east-1#alarmsV2:alarm/rollback-watchdog-health`,
      ],
      [`Alarm ${DEAD_LETTER_ALARM}`, DLQ_ALARM_URL],
    ]);
  });

  it('renders the metric-math queries and an anomaly band', () => {
    // Prepare
    const event = snsFixture('dead-letter-alarm');
    const m = alarmMessageOf(event);
    m.AlarmDescription = null;
    m.Trigger = {
      Period: 300,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      ComparisonOperator: 'LessThanLowerOrGreaterThanUpperThreshold',
      ThresholdMetricId: 'ad1',
      TreatMissingData: 'missing',
      Metrics: [
        { Expression: 'ANOMALY_DETECTION_BAND(m1, 2)', Id: 'ad1', Label: 'band', ReturnData: true },
        {
          Id: 'm1',
          MetricStat: {
            Metric: { Dimensions: [], MetricName: 'Errors', Namespace: 'AWS/Lambda' },
            Period: 300,
            Stat: 'Sum',
          },
          ReturnData: true,
        },
      ],
    };

    // Act
    const message = alarmToSlackMessage(alarmOf(withMessage(event, m)));

    // Assess
    expect(sectionTexts(message.blocks)[0]?.split('\n').slice(1)).toEqual([
      '*Metrics:*',
      "• ad1 = ANOMALY_DETECTION_BAND(m1, 2) (band, the alarm's value)",
      "• m1 = AWS/Lambda Errors · Sum per 5 minutes (the alarm's value)",
      '*Threshold:* outside the band of ad1 in 2 of 3 periods; missing data: missing',
    ]);
    // No description: not the stack's alarm, so only the console is suggested.
    expect(message.text).toMatch(/^:rotating_light: CloudWatch alarm: /);
  });

  it('escapes every piece of text from the notification, so an alarm cannot mention a channel or forge a link', () => {
    // Prepare
    const hostile = '<!channel> & <https://evil.example|click>';
    const event = snsFixture('dead-letter-alarm');
    const m = alarmMessageOf(event);
    m.AlarmName = `dlq ${hostile}`;
    m.AlarmArn = `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${m.AlarmName}`;
    m.AlarmDescription = `Rollback Watchdog: ${hostile}`;
    m.NewStateReason = hostile;
    m.Region = hostile;
    m.Trigger.Dimensions = [{ name: 'QueueName', value: hostile }];

    // Act
    const message = alarmToSlackMessage(alarmOf(withMessage(event, m)), { stackName: 'RollbackWatchdog' });

    // Assess
    const mrkdwn = JSON.stringify(message.blocks.filter((b) => b.type !== 'header' && b.type !== 'actions'));
    expect(mrkdwn + message.text).not.toMatch(/<!channel>|<https:/);
    expect(mrkdwn).toContain('&lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;');
    // A queue name AWS would never allow gets no link; the alarm's name is percent-encoded in its link.
    expect(buttons(message.blocks)).toEqual([
      [
        `Alarm dlq ${hostile}`,
        `${CONSOLE}/cloudwatch/home?region=us-east-1#alarmsV2:alarm/${encodeURIComponent(m.AlarmName)}`,
      ],
    ]);
  });

  it('builds no console links outside the commercial partition, and no CLI hint without a valid stack name', () => {
    // Prepare
    const event = snsFixture('dead-letter-alarm');
    const m = alarmMessageOf(event);
    m.AlarmArn = `arn:aws-cn:cloudwatch:cn-north-1:123456789012:alarm:${DEAD_LETTER_ALARM}`;

    // Act
    const message = alarmToSlackMessage(alarmOf(withMessage(event, m)), { stackName: 'not a stack; rm -rf' });

    // Assess
    expect(ofType(message.blocks, 'actions')).toEqual([]);
    expect(sectionTexts(message.blocks)[1]).not.toContain('npx rollback-watchdog');
    expect(contextTexts(message.blocks)).toContain('*Region:* cn-north-1 (US East (N. Virginia))');
  });

  it('mentions the configured group when a health alarm fires, and not on its recovery', () => {
    const firing = alarmToSlackMessage(alarmOf(snsFixture('dead-letter-alarm')), { mention: '<!here>' });
    expect(firing.text).toBe(`<!here> :rotating_light: Watchdog health: ${DEAD_LETTER_ALARM} is ALARM`);
    expect(sectionTexts(firing.blocks)[0]).toBe('<!here>');
    const recovered = alarmToSlackMessage(
      alarmOf(
        withMessage(snsFixture('dead-letter-alarm'), {
          ...alarmMessageOf(snsFixture('dead-letter-alarm')),
          NewStateValue: 'OK',
          OldStateValue: 'ALARM',
        }),
      ),
      { mention: '<!here>' },
    );
    expect(JSON.stringify(recovered)).not.toContain('<!here>');
  });

  it('renders INSUFFICIENT_DATA as a warning', () => {
    // Prepare
    const event = snsFixture('dead-letter-alarm');
    const m = { ...alarmMessageOf(event), NewStateValue: 'INSUFFICIENT_DATA' };

    // Act
    const message = alarmToSlackMessage(alarmOf(withMessage(event, m)));

    // Assess
    expect(message.text).toBe(`:warning: Watchdog health: ${DEAD_LETTER_ALARM} is INSUFFICIENT_DATA`);
    expect(sectionTexts(message.blocks)[1]).toContain('too little data to evaluate');
  });

  it("stays inside Slack's limits for the longest alarm CloudWatch allows", () => {
    // Prepare
    const event = snsFixture('composite-alarm');
    const m = alarmMessageOf(event);
    m.AlarmName = 'n'.repeat(255);
    m.AlarmArn = `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${m.AlarmName}`;
    m.AlarmDescription = 'd'.repeat(1024);
    m.NewStateReason = 'r'.repeat(1023);
    m.AlarmRule = 'ALARM(x) OR '.repeat(850);
    m.TriggeringChildren = Array.from({ length: 100 }, (_, i) => ({
      Arn: `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${'c'.repeat(250)}${i}`,
      State: { Value: 'ALARM', Timestamp: '2026-03-01T10:05:32.718+0000' },
    }));

    // Act
    const message = alarmToSlackMessage(alarmOf(withMessage(event, m)));

    // Assess
    expect(ofType(message.blocks, 'header')[0]?.text.text.length).toBeLessThanOrEqual(
      SLACK_LIMITS.headerText,
    );
    for (const s of ofType(message.blocks, 'section'))
      expect(s.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    expect(ofType(message.blocks, 'section').length).toBeLessThanOrEqual(
      SLACK_LIMITS.descriptionSections + 1,
    );
    for (const b of ofType(message.blocks, 'actions')) {
      expect(b.elements.length).toBeLessThanOrEqual(SLACK_LIMITS.buttons);
      for (const e of b.elements) {
        expect(e.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.buttonText);
        expect(('url' in e ? e.url : '').length).toBeLessThanOrEqual(SLACK_LIMITS.buttonUrl);
      }
    }
    expect(message.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fallbackText);
  });
});

describe('toSlackMessage with slack.interactive: Approve rollback and Hold', () => {
  const actionBlocks = (n: WatchdogNotification, interactive = true) =>
    toSlackMessage(n, { interactive }).blocks.filter(
      (b) => b.type === 'actions' && 'block_id' in b && b.block_id === SLACK_ACTIONS_BLOCK_ID,
    );
  const approval = typed({
    kind: 'approval-requested',
    severity: 'high',
    target: 'payments',
    context: {
      kind: 'approval-requested',
      target: 'payments',
      decisionId: 'dec-7',
      from: 'payments@r8',
      to: 'payments@r7',
      region: 'us-east-1',
    },
  });

  it('puts both buttons on an approval request, each naming the target, the decision and the region', () => {
    const [block] = actionBlocks(approval);
    const elements = block?.type === 'actions' ? block.elements : [];
    expect(
      elements.map((e) => ('action_id' in e ? [e.text.text, e.action_id, e.value, e.style] : [])),
    ).toEqual([
      [
        'Approve rollback',
        SLACK_ACTION.approve,
        '{"target":"payments","decision":"dec-7","region":"us-east-1"}',
        'primary',
      ],
      ['Hold', SLACK_ACTION.hold, '{"target":"payments","decision":"dec-7","region":"us-east-1"}', 'danger'],
    ]);
    expect(JSON.stringify(elements[0])).toContain('Roll payments back from payments@r8 to payments@r7');
  });

  it('puts Hold alone on an automatic rollback, and nothing on a manual one or any other kind', () => {
    const rollback = (reason: string) =>
      typed({
        kind: 'rollback-started',
        context: { kind: 'rollback-started', target: 'checkout', decisionId: 'dec-8', reason },
      });
    const [auto] = actionBlocks(rollback('alarm'));
    expect(auto?.type === 'actions' && auto.elements.map((e) => e.text.text)).toEqual(['Hold']);
    expect(actionBlocks(rollback('manual'))).toEqual([]);
    expect(
      actionBlocks(typed({ kind: 'rollback-succeeded', context: { decisionId: 'dec-8', reason: 'alarm' } })),
    ).toEqual([]);
  });

  it('adds no button without slack.interactive, or when the message names no decision', () => {
    expect(actionBlocks(approval, false)).toEqual([]);
    expect(
      actionBlocks(typed({ kind: 'approval-requested', context: { kind: 'approval-requested' } })),
    ).toEqual([]);
  });

  it('updates a pressed message in place without its buttons, and answers a refusal to the presser alone', () => {
    const original = toSlackMessage(approval, { interactive: true });
    const updated = slackUpdatedMessage(original, ':white_check_mark: <@U1> approved');
    expect(JSON.stringify(updated)).not.toContain(SLACK_ACTION.approve);
    expect(updated).toMatchObject({ replace_original: true });
    expect(slackEphemeral('no <!channel> here')).toEqual({
      response_type: 'ephemeral',
      replace_original: false,
      text: 'no &lt;!channel&gt; here',
    });
  });
});
