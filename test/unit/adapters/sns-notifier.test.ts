import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import {
  CHATBOT_LIMITS,
  EMAIL_TEXT_MAX_LENGTH,
  renderSnsMessage,
  renderChatbotMessage,
  renderEmailText,
  renderSubject,
  SnsNotifier,
  SUBJECT_MAX_LENGTH,
} from '../../../lambda/adapters/sns-notifier';
import type { Notification } from '../../../lambda/use-cases/ports';
import { awsError } from '../../support/aws-errors';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:rollback-watchdog';

function notification(overrides: Partial<Notification> = {}): Notification {
  return {
    kind: 'rollback-started',
    severity: 'warning',
    target: 'checkout',
    title: 'Rolling back checkout from checkout:42 to checkout:41',
    description:
      'checkout-5xx went to ALARM (Threshold Crossed). The watchdog stopped the deployment of checkout:42.',
    nextSteps: ['npx watchdog status checkout', 'npx watchdog history checkout'],
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
      },
    });
    const members = JSON.parse(input?.Message ?? '') as Record<string, string>;
    expect(Object.keys(members)).toEqual(['default', 'email']);
    expect(members.email).toBe(renderEmailText(notification()));
    expect(JSON.parse(members.default)).toEqual({
      version: '1.0',
      source: 'custom',
      content: {
        title: 'Rolling back checkout from checkout:42 to checkout:41',
        description:
          'checkout-5xx went to ALARM (Threshold Crossed). The watchdog stopped the deployment of checkout:42.',
        nextSteps: ['npx watchdog status checkout', 'npx watchdog history checkout'],
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
    const long = notification({ title: 't'.repeat(400), description: 'd'.repeat(9_000) });

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
        description: 'What fired: checkout-5xx went to ALARM.\nWhat the watchdog did: stopped checkout:42.',
        nextSteps: [
          'Watch the rollback: npx rollback-watchdog status checkout --stack shop --region eu-west-1',
          'See every decision: npx rollback-watchdog history checkout --stack shop --region eu-west-1',
        ],
      }),
    );
    expect(text).toBe(
      [
        'Rolling back checkout from checkout:42 to checkout:41',
        '='.repeat(53),
        '',
        'What fired: checkout-5xx went to ALARM.',
        'What the watchdog did: stopped checkout:42.',
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
    const huge = notification({ description: 'x'.repeat(400_000) });
    const text = renderEmailText(huge);
    expect(text.length).toBeLessThanOrEqual(EMAIL_TEXT_MAX_LENGTH);
    expect(text.endsWith('[cut: the full text is in the audit log]')).toBe(true);
    expect(Buffer.byteLength(renderSnsMessage(huge))).toBeLessThan(256 * 1024);
  });
});
