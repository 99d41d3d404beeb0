import { Stack, Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { ENV, webhookChannelEnv } from '../../lambda/contract';
import {
  NotificationChannel,
  RollbackTarget,
  RollbackWatchdog,
  WEBHOOK_CHANNEL_DEFINITIONS,
  type WebhookChannelDefinition,
  type WebhookChannelName,
} from '../../lib';
import { TEST_HOOK_DEFINITION, TEST_HOOK_NAME } from '../support/test-webhook-channel';
import { appWithoutBundling, asList, logicalIdOf, roleStatements } from './helpers';

/**
 * The construct's side of the webhook channels (docs/architecture.md, "A new notification channel"): one
 * forwarder per configured channel, for every channel the construct defines and for a test-only one added
 * the way a real one is, each with the channel's name in its environment, its own secret to read, and its
 * subscription to the topic.
 */

type Resources = Record<string, { Type: string; Properties: Record<string, any> }>;

const definitions = WEBHOOK_CHANNEL_DEFINITIONS as Record<string, WebhookChannelDefinition>;
const target = RollbackTarget.ecsService({ id: 'web', cluster: 'prod', serviceName: 'web', alarms: ['a'] });

/** A mention in each channel's syntax. */
const MENTIONS: Readonly<Record<string, string>> = { slack: '<!here>', [TEST_HOOK_NAME]: '@@oncall' };

beforeAll(() => {
  definitions[TEST_HOOK_NAME] = TEST_HOOK_DEFINITION;
});

afterAll(() => {
  delete definitions[TEST_HOOK_NAME];
});

function watchdogWith(
  channels: (secretOf: (name: string) => secretsmanager.ISecret) => NotificationChannel[],
) {
  const app = appWithoutBundling();
  const stack = new Stack(app, 'S', { env: { account: '123456789012', region: 'us-east-1' } });
  const secrets = new Map<string, secretsmanager.ISecret>();
  const secretOf = (name: string) => {
    if (!secrets.has(name)) secrets.set(name, new secretsmanager.Secret(stack, `${name}-secret`));
    return secrets.get(name)!;
  };
  const watchdog = new RollbackWatchdog(stack, 'Watchdog', {
    targets: [target],
    notificationChannels: channels(secretOf),
  });
  return { app, stack, watchdog, secretOf };
}

const names = () => Object.keys(definitions);

describe.each([...Object.keys(WEBHOOK_CHANNEL_DEFINITIONS), TEST_HOOK_NAME])('webhook channel %s', (name) => {
  const channel = name as WebhookChannelName;
  const mention = MENTIONS[name];
  const built = () => {
    const { stack, watchdog, secretOf } = watchdogWith((secretOf) => [
      NotificationChannel.webhook(channel, secretOf(name), mention !== undefined ? { mention } : {}),
    ]);
    const template = Template.fromStack(stack);
    const fn = watchdog.webhookNotifiers[name];
    return {
      stack,
      watchdog,
      template,
      fn,
      fnId: logicalIdOf(stack, fn),
      secretId: logicalIdOf(stack, secretOf(name)),
      resources: template.toJSON().Resources as Resources,
    };
  };

  it('is in the construct definitions with a name the forwarder can read', () => {
    expect(names()).toContain(name);
  });

  it('gets one forwarder, the on-webhook bundle, named after the channel', () => {
    const { watchdog, fn, resources } = built();
    expect(Object.keys(watchdog.webhookNotifiers)).toEqual([name]);
    const pascal = name.replace(/(?:^|-)([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
    expect(fn.node.id).toBe(`${pascal}Notifier`);
    const functions = Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    const forwarders = functions.filter((r) => r.Properties.Environment?.Variables?.[ENV.webhookChannel]);
    expect(forwarders).toHaveLength(1);
    expect(forwarders[0]?.Properties.Handler).toBe('index.handler');
  });

  it("names the channel, its secret and its mention in the forwarder's environment", () => {
    const { fnId, secretId, resources } = built();
    const variables = resources[fnId].Properties.Environment.Variables as Record<string, unknown>;
    const vars = webhookChannelEnv(name);
    expect(variables[ENV.webhookChannel]).toBe(name);
    expect(variables[vars.secretArn]).toEqual({ Ref: secretId });
    expect(variables[vars.mention]).toBe(mention);
    expect(variables[ENV.stackName]).toBe('S');
  });

  it('lets the forwarder read its secret and no other', () => {
    const { template, fnId, secretId } = built();
    const reads = roleStatements(template, fnId).filter((s) =>
      asList(s.Action).some((a) => a.startsWith('secretsmanager:')),
    );
    expect(reads.flatMap((s) => asList(s.Resource))).toEqual([{ Ref: secretId }]);
    expect(reads.flatMap((s) => asList(s.Action)).sort()).toEqual([
      'secretsmanager:DescribeSecret',
      'secretsmanager:GetSecretValue',
    ]);
  });

  it('subscribes the forwarder to the topic, dead-lettering what SNS cannot deliver', () => {
    const { stack, watchdog, fnId, resources } = built();
    const subscriptions = Object.values(resources).filter(
      (r) => r.Type === 'AWS::SNS::Subscription' && r.Properties.Protocol === 'lambda',
    );
    expect(subscriptions).toHaveLength(1);
    expect(subscriptions[0]?.Properties).toMatchObject({
      Endpoint: { 'Fn::GetAtt': [fnId, 'Arn'] },
      TopicArn: { Ref: logicalIdOf(stack, watchdog.notificationTopic) },
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [logicalIdOf(stack, watchdog.deadLetterQueue), 'Arn'] },
      },
    });
    const invoke = Object.values(resources).filter(
      (r) => r.Type === 'AWS::Lambda::Permission' && r.Properties.Principal === 'sns.amazonaws.com',
    );
    expect(invoke.map((r) => r.Properties.FunctionName)).toEqual([{ 'Fn::GetAtt': [fnId, 'Arn'] }]);
  });

  it("alarms on the forwarder's errors under the channel's label", () => {
    const { resources, fnId } = built();
    const label = definitions[name].label;
    const descriptions = Object.values(resources)
      .filter(
        (r) =>
          r.Type === 'AWS::CloudWatch::Alarm' &&
          JSON.stringify(r.Properties.Dimensions ?? []).includes(`"Ref":"${fnId}"`),
      )
      .map((r) => r.Properties.AlarmDescription as string);
    expect(descriptions).toContain(`Rollback Watchdog: ${label} notifier: invocations failed`);
  });
});

describe('webhook channels together and apart', () => {
  it('gives each configured channel its own forwarder, in the order they were given', () => {
    const { stack, watchdog } = watchdogWith((secretOf) => [
      NotificationChannel.webhook(TEST_HOOK_NAME as WebhookChannelName, secretOf(TEST_HOOK_NAME)),
      NotificationChannel.slackWebhook(secretOf('slack')),
    ]);
    Template.fromStack(stack);
    expect(Object.keys(watchdog.webhookNotifiers)).toEqual([TEST_HOOK_NAME, 'slack']);
    expect(watchdog.slackNotifier).toBe(watchdog.webhookNotifiers['slack']);
    expect(watchdog.webhookNotifiers[TEST_HOOK_NAME].node.id).toBe('TestHookNotifier');
  });

  it('keeps the construct ids of the Slack forwarder, whichever way Slack is configured', () => {
    const viaFactory = watchdogWith((secretOf) => [NotificationChannel.slackWebhook(secretOf('slack'))]);
    const viaProp = (() => {
      const app = appWithoutBundling();
      const stack = new Stack(app, 'S', { env: { account: '123456789012', region: 'us-east-1' } });
      const secret = new secretsmanager.Secret(stack, 'slack-secret');
      const watchdog = new RollbackWatchdog(stack, 'Watchdog', {
        targets: [target],
        slackWebhookSecret: secret,
      });
      return { stack, watchdog };
    })();
    for (const { stack, watchdog } of [viaFactory, viaProp]) {
      expect(watchdog.slackNotifier!.node.path).toBe('S/Watchdog/SlackNotifier');
      const ids = Object.keys(Template.fromStack(stack).toJSON().Resources as Resources).filter((id) =>
        id.startsWith('WatchdogSlackNotifier'),
      );
      // The ids a deployed stack has: a change would replace the function, its role and its subscription.
      expect(ids.sort()).toEqual([
        'WatchdogSlackNotifier8234ACE6',
        'WatchdogSlackNotifierAllowInvokeSWatchdogNotificationTopic0AB26797E88616F1',
        'WatchdogSlackNotifierEventInvokeConfigCB4BAD3B',
        'WatchdogSlackNotifierLogsB37DAA1F',
        'WatchdogSlackNotifierNotificationTopicE145E40E',
        'WatchdogSlackNotifierRoleA2582BF7',
        'WatchdogSlackNotifierRoleDefaultPolicyD98AF3FB',
      ]);
    }
    expect(Template.fromStack(viaFactory.stack).toJSON()).toEqual(Template.fromStack(viaProp.stack).toJSON());
  });

  it('builds the same stack from NotificationChannel.webhook("slack") as from slackWebhook', () => {
    const generic = watchdogWith((secretOf) => [
      NotificationChannel.webhook('slack', secretOf('slack'), { mention: '<!here>' }),
    ]);
    const named = watchdogWith((secretOf) => [
      NotificationChannel.slackWebhook(secretOf('slack'), { mention: '<!here>' }),
    ]);
    expect(Template.fromStack(generic.stack).toJSON()).toEqual(Template.fromStack(named.stack).toJSON());
  });

  it.each([
    [
      'two webhooks of one channel',
      (s: (n: string) => secretsmanager.ISecret) => [
        NotificationChannel.webhook(TEST_HOOK_NAME as WebhookChannelName, s('a')),
        NotificationChannel.webhook(TEST_HOOK_NAME as WebhookChannelName, s('b')),
      ],
      () =>
        "notificationChannels: at most one Test hook webhook (NotificationChannel.webhook('test-hook', …)); keep one",
    ],
    [
      'a mention not in the channel syntax',
      (s: (n: string) => secretsmanager.ISecret) => [
        NotificationChannel.webhook(TEST_HOOK_NAME as WebhookChannelName, s('a'), { mention: '@oncall' }),
      ],
      () =>
        `notificationChannels: the Test hook webhook's mention must be "@@" and a team name (got "@oncall")`,
    ],
    [
      'a token mention',
      (s: (n: string) => secretsmanager.ISecret) => [
        NotificationChannel.webhook(TEST_HOOK_NAME as WebhookChannelName, s('a'), {
          mention: Token.asString({ Ref: 'Mention' }),
        }),
      ],
      () => "notificationChannels: the Test hook webhook's mention must be a literal string, not a token",
    ],
    [
      'a channel the construct does not define',
      (s: (n: string) => secretsmanager.ISecret) => [
        NotificationChannel.webhook('no-such-channel' as WebhookChannelName, s('a')),
      ],
      // Read when the test runs, after the test-only channel was added.
      () =>
        `notificationChannels: no webhook channel is called "no-such-channel"; there are ${names().join(', ')}`,
    ],
  ])('refuses %s at synth', (_what, channels, problem) => {
    const { app } = watchdogWith(channels);
    expect(() => app.synth()).toThrow(problem());
  });

  it('refuses a mention for a channel that takes none', () => {
    definitions['no-mention'] = { label: 'Quiet hook', configuredBy: 'NotificationChannel.webhook' };
    try {
      const { app } = watchdogWith((s) => [
        NotificationChannel.webhook('no-mention' as WebhookChannelName, s('a'), { mention: '@x' }),
      ]);
      expect(() => app.synth()).toThrow(
        "notificationChannels: the Quiet hook webhook's mention: Quiet hook takes no mention; remove it",
      );
    } finally {
      delete definitions['no-mention'];
    }
  });
});
