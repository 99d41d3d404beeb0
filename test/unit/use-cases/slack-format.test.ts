import { renderChatbotMessage } from '../../../lambda/adapters/sns-notifier';
import type { ChatbotNotification } from '../../../lambda/boundary/sns-event';
import { decisionNotification } from '../../../lambda/use-cases/notifications';
import {
  escapeMrkdwn,
  SLACK_LIMITS,
  toSlackMessage,
  type SlackBlock,
} from '../../../lambda/use-cases/slack-format';
import { ecsTarget, T0, transition } from '../../support/domain-fixtures';

/** A rollback-started message exactly as the watchdog publishes it. */
function published(): ChatbotNotification {
  const n = decisionNotification(
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
    { region: 'us-east-1', target: ecsTarget() },
  )!;
  return JSON.parse(JSON.stringify(renderChatbotMessage(n)));
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

describe('toSlackMessage', () => {
  it('renders header, description, link buttons, next steps and context from a published message', () => {
    // Act
    const message = toSlackMessage(published(), 'warning');

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
    expect(description).toContain('\n*What changed:* checkout:42 → checkout:41\n');
    expect(description).toContain(
      '\n*What to do next:* Watch the rollback: `npx rollback-watchdog status checkout --region us-east-1`',
    );
    // The links became buttons, so they are not repeated in the text.
    expect(description).not.toContain('Links:');
    expect(description).not.toContain('https://');
    expect(ofType(message.blocks, 'actions')[0]?.elements.map((e) => [e.text.text, e.url])).toEqual([
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
    ]);
  });

  it.each([
    ['high', ':rotating_light:'],
    ['warning', ':warning:'],
    ['info', ':information_source:'],
  ] as const)('puts the %s severity emoji in the header and the fallback text', (severity, emoji) => {
    // Act
    const message = toSlackMessage(chatbot({ title: 'Hello' }), severity);

    // Assess
    expect(message.text).toBe(`${emoji} Hello`);
    expect(ofType(message.blocks, 'header')[0]?.text.text).toBe(`${emoji} Hello`);
  });

  it.each([
    ['escalation', ':rotating_light:'],
    ['approval-requested', ':rotating_light:'],
    ['rollback-started', ':warning:'],
    ['drill', ':information_source:'],
    ['something-new', ':information_source:'],
  ])('without a severity attribute, derives it from the kind %s', (kind, emoji) => {
    // Act
    const message = toSlackMessage(chatbot({ title: 'T' }, { kind }));

    // Assess
    expect(message.text).toBe(`${emoji} T`);
  });

  it('escapes text so that nobody can mention a channel or forge a link', () => {
    // Prepare
    const hostile = 'reason <!channel> & <https://evil.example|click>';

    // Act
    const message = toSlackMessage(
      chatbot({ title: hostile, description: hostile, nextSteps: [hostile] }, { target: '<@U123>' }),
      'high',
    );

    // Assess
    const json = JSON.stringify(message.blocks.filter((b) => b.type !== 'header')) + message.text;
    expect(json).not.toMatch(/<!channel>|<https:|<@U123>/);
    expect(json).toContain('&lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;');
    // Header text is plain_text: Slack shows it verbatim and never parses it.
    expect(ofType(message.blocks, 'header')[0]?.text).toEqual({
      type: 'plain_text',
      text: `:rotating_light: ${hostile}`,
      emoji: true,
    });
  });

  it('keeps link lines that are not https in the text instead of making buttons of them', () => {
    // Act
    const message = toSlackMessage(
      chatbot({
        description:
          'Body.\n\nLinks:\nAlarm: https://console.example/a\nOld: http://insecure.example/b\nnot a link',
      }),
    );

    // Assess
    expect(ofType(message.blocks, 'actions')[0]?.elements.map((e) => e.url)).toEqual([
      'https://console.example/a',
    ]);
    expect(ofType(message.blocks, 'section')[0]?.text.text).toBe(
      'Body.\n\nLinks:\nOld: http://insecure.example/b\nnot a link',
    );
  });

  it('omits the actions and next-steps blocks when there is nothing to put in them', () => {
    // Act
    const message = toSlackMessage(chatbot({ description: 'Just text.' }), 'info');

    // Assess
    expect(message.blocks.map((b) => b.type)).toEqual(['header', 'section', 'context']);
  });

  it("stays inside Slack's limits for long titles and descriptions", () => {
    // Prepare
    const longLine = 'x'.repeat(5_000);
    const description = Array.from({ length: 40 }, (_, i) => `line ${i} ${'y'.repeat(200)}`).join('\n');

    // Act
    const message = toSlackMessage(
      chatbot({ title: 't'.repeat(400), description: `${longLine}\n${description}`, nextSteps: [longLine] }),
      'info',
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
