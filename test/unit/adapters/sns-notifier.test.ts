import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import {
  renderMessageAttributes,
  renderSnsMessage,
  SnsNotifier,
} from '../../../lambda/adapters/sns-notifier';
import { CHATBOT_LIMITS, renderChatbotCard as renderChatbotMessage } from '../../../lambda/channels/chatbot';
import {
  EMAIL_TEXT_MAX_LENGTH,
  renderEmailText,
  renderSubject,
  SUBJECT_MAX_LENGTH,
} from '../../../lambda/channels/email';
import type { Notification } from '../../../lambda/use-cases/ports';
import { awsError } from '../../support/aws-errors';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:rollback-watchdog';

function notification(overrides: Partial<Notification> = {}): Notification {
  return {
    kind: 'rollback-started',
    severity: 'warning',
    target: 'checkout',
    title: 'Rolling back checkout from checkout:42 to checkout:41',
    fired: 'checkout-5xx went to ALARM (Threshold Crossed).',
    changed: ['checkout:42 → checkout:41'],
    did: 'Stopped the deployment of checkout:42.',
    nextSteps: [
      { text: 'Watch the rollback', command: 'npx rollback-watchdog status checkout' },
      { text: 'See every decision', command: 'npx rollback-watchdog history checkout' },
    ],
    links: [],
    keywords: ['checkout', 'rollback-started'],
    context: {
      kind: 'rollback-started',
      target: 'checkout',
      from: 'checkout:42',
      to: 'checkout:41',
      trigger: 'checkout-5xx',
      reason: 'alarm',
      decisionId: 'd-123',
    },
    ...overrides,
  };
}

describe('SnsNotifier', () => {
  const sns = mockClient(SNSClient);

  beforeEach(() => sns.reset());

  it('publishes the Chatbot custom notification with the filter attributes', async () => {
    // Prepare
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const notifier = new SnsNotifier({ client: new SNSClient({ region: 'us-east-1' }), topicArn: TOPIC });

    // Act
    await notifier.publish(notification());

    // Assess
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    const input = sns.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(input).toEqual({
      TopicArn: TOPIC,
      Message: expect.any(String),
      MessageStructure: 'json',
      Subject: 'Rolling back checkout from checkout:42 to checkout:41',
      MessageAttributes: {
        kind: { DataType: 'String', StringValue: 'rollback-started' },
        target: { DataType: 'String', StringValue: 'checkout' },
        severity: { DataType: 'String', StringValue: 'warning' },
        notification: { DataType: 'String', StringValue: expect.any(String) },
      },
    });
    expect(JSON.parse(input?.MessageAttributes?.['notification']?.StringValue ?? '')).toEqual({
      formatVersion: 1,
      ...notification(),
    });
    const members = JSON.parse(input?.Message ?? '') as Record<string, string>;
    expect(Object.keys(members)).toEqual(['default', 'email']);
    expect(members.email).toBe(renderEmailText(notification()));
    expect(JSON.parse(members.default)).toEqual({
      version: '1.0',
      source: 'custom',
      content: {
        title: 'Rolling back checkout from checkout:42 to checkout:41',
        description: [
          'What fired: checkout-5xx went to ALARM (Threshold Crossed).',
          'What changed: checkout:42 → checkout:41',
          'What the watchdog did: Stopped the deployment of checkout:42.',
          'What to do next: Watch the rollback: npx rollback-watchdog status checkout',
        ].join('\n'),
        nextSteps: [
          'Watch the rollback: npx rollback-watchdog status checkout',
          'See every decision: npx rollback-watchdog history checkout',
        ],
        keywords: ['checkout', 'rollback-started'],
      },
      metadata: {
        threadId: 'checkout',
        additionalContext: {
          kind: 'rollback-started',
          target: 'checkout',
          from: 'checkout:42',
          to: 'checkout:41',
          trigger: 'checkout-5xx',
          reason: 'alarm',
          decisionId: 'd-123',
        },
      },
    });
  });

  it('lets a publish failure propagate for the caller to log and count', async () => {
    // Prepare
    sns.on(PublishCommand).rejects(awsError('KMSAccessDeniedException'));
    const notifier = new SnsNotifier({ client: new SNSClient({ region: 'us-east-1' }), topicArn: TOPIC });

    // Act & Assess
    await expect(notifier.publish(notification())).rejects.toMatchObject({
      name: 'KMSAccessDeniedException',
    });
  });
});

describe('renderChatbotMessage', () => {
  it("cuts the title and description to Chatbot's limits with an ellipsis", () => {
    // Prepare
    const long = notification({ title: 't'.repeat(400), fired: 'd'.repeat(9_000) });

    // Act
    const { content } = renderChatbotMessage(long);

    // Assess
    expect(content.title).toHaveLength(CHATBOT_LIMITS.title);
    expect(content.title.endsWith('…')).toBe(true);
    expect(content.description).toHaveLength(CHATBOT_LIMITS.description);
    expect(content.description.endsWith('…')).toBe(true);
  });

  it('keeps kind and target in the context equal to the message attributes', () => {
    // Prepare
    const n = notification({ kind: 'escalation', context: { kind: 'stale', detail: 'x' } });

    // Act
    const { metadata } = renderChatbotMessage(n);

    // Assess
    expect(metadata.additionalContext).toEqual({ kind: 'escalation', target: 'checkout', detail: 'x' });
  });
});

describe('renderSubject', () => {
  it.each([
    ['plain ASCII is kept', 'Rollback of checkout started', 'Rollback of checkout started'],
    [
      'arrows and dashes become ASCII',
      'checkout:42 → checkout:41 — rolled back',
      'checkout:42 -> checkout:41 - rolled back',
    ],
    ['accents lose their marks, emoji go', '🚨 Café déployé\nagain', 'Cafe deploye again'],
  ])('%s', (_label, title, subject) => {
    // Act & Assess
    expect(renderSubject({ title, kind: 'rollback-started', target: 'checkout' })).toBe(subject);
  });

  it('stays under 100 characters', () => {
    // Act
    const subject = renderSubject({ title: 'x'.repeat(300), kind: 'rollback-started', target: 'checkout' });

    // Assess
    expect(subject).toHaveLength(SUBJECT_MAX_LENGTH);
    expect(subject.endsWith('...')).toBe(true);
  });

  it('falls back to kind and target when nothing of the title is ASCII', () => {
    // Act & Assess
    expect(renderSubject({ title: '🚨🚨', kind: 'escalation', target: 'checkout' })).toBe(
      'Rollback watchdog: escalation checkout',
    );
  });
});

describe('renderEmailText (the email member: plain text)', () => {
  it('gives the title, the description as written, numbered commands to paste and the facts', () => {
    const text = renderEmailText(
      notification({
        fired: 'checkout-5xx went to ALARM.',
        changed: [],
        did: 'stopped checkout:42.',
        nextSteps: [
          {
            text: 'Watch the rollback',
            command: 'npx rollback-watchdog status checkout --stack shop --region eu-west-1',
          },
          {
            text: 'See every decision',
            command: 'npx rollback-watchdog history checkout --stack shop --region eu-west-1',
          },
        ],
        links: [{ label: 'Runbook for checkout', url: 'https://wiki.example.com/runbooks/checkout' }],
      }),
    );
    expect(text).toBe(
      [
        'Rolling back checkout from checkout:42 to checkout:41',
        '='.repeat(53),
        '',
        'What fired: checkout-5xx went to ALARM.',
        'What the watchdog did: stopped checkout:42.',
        'What to do next: Watch the rollback: npx rollback-watchdog status checkout --stack shop --region eu-west-1',
        '',
        'Links:',
        'Runbook for checkout: https://wiki.example.com/runbooks/checkout',
        '',
        'Next steps:',
        '1. Watch the rollback: npx rollback-watchdog status checkout --stack shop --region eu-west-1',
        '2. See every decision: npx rollback-watchdog history checkout --stack shop --region eu-west-1',
        '',
        '--',
        'kind: rollback-started',
        'target: checkout',
        'from: checkout:42',
        'to: checkout:41',
        'trigger: checkout-5xx',
        'reason: alarm',
        'decisionId: d-123',
        'severity: warning',
        '',
        'Sent by Rollback Watchdog. Every decision is in the audit log: npx rollback-watchdog history',
      ].join('\n'),
    );
    // Plain text: no JSON, no markup.
    expect(text).not.toMatch(/[{}]|\*\*|<\/?[a-z]+>/);
  });

  it("keeps the whole published message under SNS's 256 KB however long the description", () => {
    const huge = notification({ fired: 'x'.repeat(200_000), did: 'y'.repeat(200_000) });
    const text = renderEmailText(huge);
    expect(text.length).toBeLessThanOrEqual(EMAIL_TEXT_MAX_LENGTH);
    expect(text.endsWith('[cut: the full text is in the audit log]')).toBe(true);
    expect(Buffer.byteLength(renderSnsMessage(huge))).toBeLessThan(256 * 1024);
  });

  it('keeps the message and its attributes together under 256 KB, the typed notification bounded too', () => {
    const huge = notification({
      fired: 'x'.repeat(200_000),
      did: 'y'.repeat(200_000),
      changed: Array.from({ length: 500 }, (_, i) => `• web-${i}: ${'z'.repeat(3_000)}`),
    });
    const attributes = renderMessageAttributes(huge);
    const size =
      Buffer.byteLength(renderSnsMessage(huge)) +
      Object.entries(attributes).reduce(
        (sum, [name, a]) => sum + Buffer.byteLength(name) + Buffer.byteLength(a.StringValue ?? '') + 6,
        0,
      );
    expect(size).toBeLessThan(256 * 1024);
    const typed = JSON.parse(attributes['notification']?.StringValue ?? '') as Notification;
    expect(typed.fired.length).toBeLessThanOrEqual(4_000);
    expect(typed.changed).toHaveLength(20);
  });
});
