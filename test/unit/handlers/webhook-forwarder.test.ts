import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { renderMessageAttributes, renderSnsMessage } from '../../../lambda/adapters/sns-notifier';
import { WEBHOOK_CHANNELS, type WebhookChannel } from '../../../lambda/channels/registry';
import { toSlackMessage } from '../../../lambda/channels/slack';
import { ENV, METRIC, webhookChannelEnv, type WatchdogNotification } from '../../../lambda/contract';
import { webhookHandlerFromEnvironment } from '../../../lambda/handlers/webhook-forwarder';
import { RecordingTelemetry } from '../../support/fakes';
import { DEAD_LETTER_ALARM, snsFixture } from '../../support/sns-fixtures';
import { TEST_HOOK, TEST_HOOK_HOST, TEST_HOOK_NAME } from '../../support/test-webhook-channel';

/**
 * The webhook forwarder as the construct deploys it for any channel: built from its environment
 * (WATCHDOG_WEBHOOK_CHANNEL and the channel's own variables), the channel looked up in the registry. A
 * test-only channel goes through the same path as Slack: registry entry, environment, secret, URL rule,
 * rendering, the shared poster's retries and redaction.
 */

const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:watchdog/test-hook-AbCdEf';
const TOKEN = 'T0k3nS3cr3tXyZ';
const HOOK_URL = `https://${TEST_HOOK_HOST}/hooks/${TOKEN}`;
const channels: Readonly<Record<string, WebhookChannel>> = {
  ...WEBHOOK_CHANNELS,
  [TEST_HOOK_NAME]: TEST_HOOK,
};
const vars = webhookChannelEnv(TEST_HOOK_NAME);

const failed: WatchdogNotification = {
  kind: 'rollback-failed',
  severity: 'high',
  target: 'checkout',
  title: 'Rollback of checkout to checkout:41 failed',
  fired: 'checkout-5xx started this rollback (alarm) at 2026-03-01 10:00:00 UTC.',
  changed: ['checkout:42 → checkout:41'],
  did: 'The rollback failed.',
  nextSteps: [{ text: 'Inspect the target', command: 'npx rollback-watchdog status checkout' }],
  links: [],
  keywords: ['checkout', 'rollback-failed'],
  context: { kind: 'rollback-failed', target: 'checkout', decisionId: 'dec-1' },
};

/** The SNS event the topic delivers for one published notification; without the typed attribute if asked. */
function delivered(n: WatchdogNotification, typed = true): Record<string, unknown> {
  const members = JSON.parse(renderSnsMessage(n)) as { default: string };
  const attributes = Object.fromEntries(
    Object.entries(renderMessageAttributes(n))
      .filter(([name]) => typed || name !== 'notification')
      .map(([name, a]) => [name, { Type: a.DataType, Value: a.StringValue }]),
  );
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        Sns: { MessageId: 'm-1', Message: members.default, MessageAttributes: attributes },
      },
    ],
  };
}

describe('the webhook forwarder built from its environment', () => {
  const sm = mockClient(SecretsManagerClient);
  let posts: { url: string; body: unknown }[];
  let replies: { status: number; body: string }[];
  let telemetry: RecordingTelemetry;

  const fetch = (async (input: string, init: RequestInit & { body: string }) => {
    posts.push({ url: input, body: JSON.parse(init.body) });
    const reply = replies.shift() ?? { status: 200, body: 'ok' };
    return new Response(reply.body, { status: reply.status });
  }) as typeof globalThis.fetch;

  const environment = (extra: Record<string, string> = {}) => ({
    [ENV.webhookChannel]: TEST_HOOK_NAME,
    [vars.secretArn]: ARN,
    [vars.mention]: '@@oncall',
    [ENV.stackName]: 'RollbackWatchdog',
    ...extra,
  });

  const build = (env: NodeJS.ProcessEnv, registry = channels) =>
    webhookHandlerFromEnvironment(env, {
      channels: registry,
      telemetry,
      webhook: { fetch, backoffMs: 1, timeoutMs: 200 },
    });

  beforeEach(() => {
    sm.reset();
    sm.on(GetSecretValueCommand, { SecretId: ARN }).resolves({ SecretString: HOOK_URL });
    posts = [];
    replies = [];
    telemetry = new RecordingTelemetry();
  });

  it('renders a typed notification with the channel named in WATCHDOG_WEBHOOK_CHANNEL and its mention', async () => {
    // Prepare
    const forward = build(environment());

    // Act
    const result = await forward(delivered(failed));

    // Assess
    expect(result).toEqual({ posted: 1, rejected: 0 });
    expect(posts).toEqual([
      { url: HOOK_URL, body: TEST_HOOK.render.notification(failed, { mention: '@@oncall' }) },
    ]);
    expect(posts[0]?.body).toEqual({
      from: 'notification',
      title: failed.title,
      severity: 'high',
      mention: '@@oncall',
    });
    expect(telemetry.logs).toEqual([
      {
        level: 'info',
        message: 'posted to Test hook',
        fields: { messageId: 'm-1', kind: 'rollback-failed', target: 'checkout' },
      },
    ]);
  });

  it('renders a health alarm with the stack from WATCHDOG_STACK_NAME, and a card without the typed value', async () => {
    // Prepare
    const forward = build(environment());

    // Act
    await forward(snsFixture('dead-letter-alarm'));
    await forward(delivered(failed, false));

    // Assess
    expect(posts.map((p) => p.body)).toEqual([
      {
        from: 'alarm',
        title: `${DEAD_LETTER_ALARM} is ALARM`,
        stackName: 'RollbackWatchdog',
        mention: '@@oncall',
      },
      { from: 'card', title: failed.title, severity: 'high', mention: '@@oncall' },
    ]);
  });

  it('renders no mention when the channel has no mention variable', async () => {
    // Prepare
    const env: NodeJS.ProcessEnv = environment();
    delete env[vars.mention];
    const forward = build(env);

    // Act
    await forward(delivered(failed));

    // Assess
    expect(posts[0]?.body).toEqual({ from: 'notification', title: failed.title, severity: 'high' });
  });

  it("refuses a URL outside the channel's rule, without a request", async () => {
    // Prepare
    sm.on(GetSecretValueCommand, { SecretId: ARN }).resolves({
      SecretString: 'https://hooks.slack.com/services/T0000/B0000/token',
    });
    const forward = build(environment());

    // Act
    const error = await forward(delivered(failed)).then(
      () => undefined,
      (e: unknown) => e,
    );

    // Assess
    expect(error).toMatchObject({
      name: 'TesthookDeliveryError',
      message: '1 of 1 notification(s) could not be posted to Test hook',
    });
    expect(posts).toEqual([]);
    expect(JSON.stringify(telemetry.logs)).toContain(
      `does not hold a test-hook URL: expected https://${TEST_HOOK_HOST}/…`,
    );
  });

  it('retries a failing webhook with the shared poster, counts the failure and never logs the URL', async () => {
    // Prepare
    for (let i = 0; i < 3; i++) replies.push({ status: 500, body: `upstream failed for ${HOOK_URL}` });
    const forward = build(environment());

    // Act
    const error = await forward(delivered(failed)).then(
      () => undefined,
      (e: unknown) => e,
    );

    // Assess
    expect(error).toMatchObject({ name: 'TesthookDeliveryError' });
    expect(posts).toHaveLength(3);
    expect(telemetry.logs.map((l) => l.message)).toEqual([
      'Test hook webhook attempt failed',
      'Test hook webhook attempt failed',
      'Test hook webhook attempt failed',
      'Test hook post failed',
    ]);
    expect(telemetry.total(METRIC.notificationFailures)).toBe(1);
    const everything = JSON.stringify(telemetry.logs) + String((error as Error).message);
    expect(everything).toContain('[redacted]');
    expect(everything).not.toContain(TOKEN);
  });

  it('renders Slack from the variables the construct sets for it', async () => {
    // Prepare
    const slackUrl = 'https://hooks.slack.com/services/T0000/B0000/token';
    sm.on(GetSecretValueCommand, { SecretId: ARN }).resolves({ SecretString: slackUrl });
    const forward = build({
      [ENV.webhookChannel]: 'slack',
      [ENV.slackSecretArn]: ARN,
      [ENV.slackMention]: '<!here>',
    });

    // Act
    await forward(delivered(failed));

    // Assess
    expect(webhookChannelEnv('slack')).toEqual({ secretArn: ENV.slackSecretArn, mention: ENV.slackMention });
    expect(posts).toEqual([{ url: slackUrl, body: toSlackMessage(failed, { mention: '<!here>' }) }]);
    expect(telemetry.logs.map((l) => l.message)).toEqual(['posted to Slack']);
  });

  it.each([
    ['no channel variable', () => ({}), ENV.webhookChannel],
    ['no secret variable', () => ({ [ENV.webhookChannel]: TEST_HOOK_NAME }), vars.secretArn],
  ])('fails at init with %s, naming it', (_what, env, variable) => {
    expect(() => build(env())).toThrow(`environment variable ${variable} is not set`);
  });

  it('fails at init for a channel the registry lacks, naming the ones it has', () => {
    expect(() => build(environment(), WEBHOOK_CHANNELS)).toThrow(
      `no webhook channel is called "test-hook"; this forwarder renders ${Object.keys(WEBHOOK_CHANNELS).join(', ')}`,
    );
  });
});
