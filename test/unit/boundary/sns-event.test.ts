import { parseSnsChatbotEvent } from '../../../lambda/boundary/sns-event';

const chatbot = {
  version: '1.0',
  source: 'custom',
  content: {
    title: 'Rolling back checkout',
    description: 'What fired: checkout-5xx',
    nextSteps: ['npx watchdog status checkout'],
    keywords: ['checkout', 'rollback-started'],
  },
  metadata: {
    threadId: 'checkout',
    additionalContext: { kind: 'rollback-started', target: 'checkout', decisionId: 'dec-1' },
  },
};

function snsEvent(message: string, attributes: Record<string, string> = {}) {
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: 'arn:aws:sns:us-east-1:123456789012:watchdog:sub',
        Sns: {
          Type: 'Notification',
          MessageId: 'msg-1',
          TopicArn: 'arn:aws:sns:us-east-1:123456789012:watchdog',
          Subject: 'Rolling back checkout',
          Message: message,
          Timestamp: '2026-03-01T10:01:00.000Z',
          MessageAttributes: Object.fromEntries(
            Object.entries(attributes).map(([k, v]) => [k, { Type: 'String', Value: v }]),
          ),
        },
      },
    ],
  };
}

describe('parseSnsChatbotEvent', () => {
  it('parses the Chatbot notification and the severity and kind attributes', () => {
    // Act
    const parsed = parseSnsChatbotEvent(
      snsEvent(JSON.stringify({ ...chatbot, extra: true }), {
        kind: 'rollback-started',
        severity: 'warning',
      }),
    );

    // Assess
    expect(parsed).toEqual({
      ok: true,
      records: [
        {
          ok: true,
          messageId: 'msg-1',
          message: {
            version: '1.0',
            source: 'custom',
            content: chatbot.content,
            metadata: chatbot.metadata,
          },
          severity: 'warning',
          kind: 'rollback-started',
        },
      ],
    });
  });

  it('fills optional lists and leaves out an unknown severity', () => {
    // Act
    const parsed = parseSnsChatbotEvent(
      snsEvent(
        JSON.stringify({ version: '1.0', source: 'custom', content: { title: 'T', description: '' } }),
        {
          severity: 'catastrophic',
        },
      ),
    );

    // Assess
    expect(parsed).toEqual({
      ok: true,
      records: [
        {
          ok: true,
          messageId: 'msg-1',
          message: {
            version: '1.0',
            source: 'custom',
            content: { title: 'T', description: '', nextSteps: [], keywords: [] },
            metadata: { additionalContext: {} },
          },
        },
      ],
    });
  });

  it.each([
    [
      'not JSON',
      'Rolling back checkout',
      ['$.Records[0].Sns.Message: must be JSON (a Chatbot custom notification)'],
    ],
    [
      'an alarm notification published straight to the topic',
      JSON.stringify({ AlarmName: 'checkout-5xx', NewStateValue: 'ALARM' }),
      [
        '$.Records[0].Sns.Message.version: Invalid input: expected "1.0"',
        '$.Records[0].Sns.Message.source: Invalid input: expected "custom"',
        '$.Records[0].Sns.Message.content: Invalid input: expected object, received undefined',
      ],
    ],
    [
      'a notification without a title',
      JSON.stringify({ ...chatbot, content: { ...chatbot.content, title: '' } }),
      ['$.Records[0].Sns.Message.content.title: Too small: expected string to have >=1 characters'],
    ],
  ])('rejects a record that is %s, naming every problem', (_label, message, problems) => {
    // Act
    const parsed = parseSnsChatbotEvent(snsEvent(message));

    // Assess
    expect(parsed).toEqual({ ok: true, records: [{ ok: false, messageId: 'msg-1', problems }] });
  });

  it.each([
    ['not an object', 'hello', ['$: must be a JSON object (an SNS event)']],
    ['without records', { Records: [] }, ['$.Records: must hold at least one record']],
    [
      'an EventBridge event',
      { source: 'aws.cloudwatch', detail: {} },
      ['$.Records: Invalid input: expected array, received undefined'],
    ],
  ])('rejects an event that is %s', (_label, raw, problems) => {
    // Act & Assess
    expect(parseSnsChatbotEvent(raw)).toEqual({ ok: false, problems });
  });
});
