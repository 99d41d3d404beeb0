import { TARGET_TYPES } from '../../lambda/contract';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { buildApp, DEFAULT_STACK_NAME } from '../../bin/app';
import { Stack } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { NotificationChannel, RollbackTarget, RollbackWatchdog, WatchdogStack } from '../../lib';
import { EXAMPLE_CONFIG_FILE, appWithoutBundling, writtenConfig } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'watchdog-app-'));

function configFile(name: string, content: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

function buildError(context: Record<string, unknown>): Error {
  try {
    buildApp(appWithoutBundling(context));
  } catch (err) {
    return err as Error;
  }
  throw new Error('buildApp succeeded, expected an error');
}

describe('bin/app.ts', () => {
  it('builds the stack from watchdog.config.json under the default stack name', () => {
    const [stack] = buildApp(appWithoutBundling({ config: EXAMPLE_CONFIG_FILE }));
    expect(stack.stackName).toBe(DEFAULT_STACK_NAME);
  });

  it('takes the stack name from the stackName context', () => {
    const [stack] = buildApp(
      appWithoutBundling({ config: EXAMPLE_CONFIG_FILE, stackName: 'WatchdogStaging' }),
    );
    expect(stack.stackName).toBe('WatchdogStaging');
  });

  it('fails with one error naming every bad JSON path of an invalid config (RELIABILITY #24)', () => {
    const file = configFile('invalid.json', {
      targets: [
        {
          id: 'checkout',
          type: 'ecs-service',
          cluster: 'prod',
          service: 'checkout',
          alarms: ['a'],
          colour: 'red',
        },
        { id: 'checkout', type: 'ecs-service', cluster: 'prod', service: 'other', alarms: ['b'] },
        { id: 'payments', type: 'lambda', alarms: ['c'] },
        {
          id: 'search',
          type: 'ecs-service',
          cluster: 'prod',
          service: 'search',
          alarms: ['d'],
          cooldownMinutes: -5,
        },
      ],
    });
    const error = buildError({ config: file });
    expect(error.message).toMatch(
      new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not a valid`),
    );
    expect(error.message).toContain('(4 problem(s))');
    for (const path of [
      '$.targets[0].colour: unknown key',
      '$.targets[1].id: duplicate target id "checkout" (also $.targets[0].id)',
      `$.targets[2].type: must be one of ${TARGET_TYPES.map((t) => JSON.stringify(t)).join(', ')} (got "lambda")`,
      '$.targets[3].cooldownMinutes: must be a whole number >= 0 (got -5)',
    ]) {
      expect(error.message).toContain(`  - ${path}`);
    }
  });

  it('fails naming the file when it is missing or not JSON', () => {
    expect(buildError({ config: join(dir, 'absent.json') }).message).toContain('absent.json: file not found');
    expect(buildError({ config: configFile('broken.json', '{') }).message).toContain(
      'broken.json: not valid JSON',
    );
  });
});

describe('WatchdogStack notifications from the config', () => {
  const target = { id: 'web', type: 'ecs-service', cluster: 'prod', service: 'web', alarms: ['a'] } as const;
  const functions = (stack: WatchdogStack) =>
    Object.keys(Template.fromStack(stack).findResources('AWS::Lambda::Function'));

  it('deploys a Slack notifier for notifications.slackWebhookSecretName, and none without it', () => {
    const withSlack = new WatchdogStack(appWithoutBundling(), 'W', {
      config: { targets: [target], notifications: { slackWebhookSecretName: 'watchdog/slack' } },
    });
    const without = new WatchdogStack(appWithoutBundling(), 'W', { config: { targets: [target] } });
    expect(withSlack.watchdog.slackNotifier).toBeDefined();
    expect(without.watchdog.slackNotifier).toBeUndefined();
    expect(functions(withSlack).length).toBe(functions(without).length + 1);
    Annotations.fromStack(withSlack).hasNoWarning('*', Match.anyValue());
  });

  it('passes notifications.slack.mention to the Slack notifier only, and a runbookUrl into the config item', () => {
    const stack = new WatchdogStack(appWithoutBundling(), 'W', {
      config: {
        targets: [{ ...target, runbookUrl: 'https://wiki.example.com/runbooks/web' }],
        notifications: { slack: { webhookSecretName: 'watchdog/slack', mention: '<!subteam^S0123ABCD>' } },
      },
    });
    const template = Template.fromStack(stack);
    const withMention = Object.values(template.findResources('AWS::Lambda::Function')).filter(
      (fn) => fn['Properties']?.Environment?.Variables?.['WATCHDOG_SLACK_MENTION'] !== undefined,
    );
    expect(withMention.map((fn) => fn['Properties'].Environment.Variables['WATCHDOG_SLACK_MENTION'])).toEqual(
      ['<!subteam^S0123ABCD>'],
    );
    expect(withMention[0]?.['Properties'].Environment.Variables['WATCHDOG_SLACK_SECRET_ARN']).toBeDefined();
    expect(writtenConfig(stack, template).targets[0]?.runbookUrl).toBe(
      'https://wiki.example.com/runbooks/web',
    );
  });

  it("writes the config file's groups into the config item with their defaults resolved", () => {
    const api = { ...target, id: 'api', service: 'api', alarms: ['api-5xx'] };
    const stack = new WatchdogStack(appWithoutBundling(), 'G', {
      config: {
        targets: [target, api],
        groups: [{ id: 'storefront', targets: [target.id, 'api'], releaseWindowMinutes: 45 }],
      },
    });
    expect(writtenConfig(stack).groups).toEqual([
      { id: 'storefront', targets: [target.id, 'api'], releaseWindowMinutes: 45, onMemberFailure: 'stop' },
    ]);
  });

  it('refuses a Slack mention without a webhook, and a runbook that is not https, at synth', () => {
    const app = appWithoutBundling();
    new RollbackWatchdog(new Stack(app, 'S'), 'W', {
      targets: [
        RollbackTarget.ecsService({
          id: 'web',
          cluster: 'prod',
          serviceName: 'web',
          alarms: ['a'],
          runbookUrl: 'http://wiki.example.com/web',
        }),
      ],
      slackMention: '@oncall',
    });
    expect(() => app.synth()).toThrow(
      /runbookUrl: must be an https URL[\s\S]*slackMention: must be Slack mention syntax/,
    );
  });
});

describe('NotificationChannel factories', () => {
  const target = RollbackTarget.ecsService({ id: 'web', cluster: 'prod', serviceName: 'web', alarms: ['a'] });

  it('wires e-mail, Chatbot and the Slack webhook with its mention, as the single-channel props do', () => {
    const app = appWithoutBundling();
    const stack = new Stack(app, 'S', { env: { account: '123456789012', region: 'us-east-1' } });
    const secret = secretsmanager.Secret.fromSecretNameV2(stack, 'Slack', 'watchdog/slack');
    const watchdog = new RollbackWatchdog(stack, 'W', {
      targets: [target],
      notificationEmails: ['a@example.com'],
      notificationChannels: [
        NotificationChannel.email('b@example.com'),
        NotificationChannel.chatbotSlack({ slackWorkspaceId: 'T0123ABCD', slackChannelId: 'C0123ABCD' }),
        NotificationChannel.slackWebhook(secret, { mention: '<!here>' }),
      ],
    });
    const template = Template.fromStack(stack);
    template.resourcePropertiesCountIs('AWS::SNS::Subscription', { Protocol: 'email' }, 2);
    template.resourceCountIs('AWS::Chatbot::SlackChannelConfiguration', 1);
    expect(watchdog.slackNotifier).toBeDefined();
    const mentions = Object.values(template.findResources('AWS::Lambda::Function')).flatMap((fn) => {
      const value: unknown = fn['Properties']?.Environment?.Variables?.['WATCHDOG_SLACK_MENTION'];
      return value === undefined ? [] : [value];
    });
    expect(mentions).toEqual(['<!here>']);
  });

  it('refuses two Slack webhooks or two Chatbot channels, naming both ways of giving one', () => {
    const app = appWithoutBundling();
    const stack = new Stack(app, 'S', { env: { account: '123456789012', region: 'us-east-1' } });
    const secret = secretsmanager.Secret.fromSecretNameV2(stack, 'Slack', 'watchdog/slack');
    const chatbot = { slackWorkspaceId: 'T0123ABCD', slackChannelId: 'C0123ABCD' };
    new RollbackWatchdog(stack, 'W', {
      targets: [target],
      slackWebhookSecret: secret,
      chatbotSlack: chatbot,
      notificationChannels: [
        NotificationChannel.slackWebhook(secret),
        NotificationChannel.chatbotSlack(chatbot),
      ],
    });
    expect(() => app.synth()).toThrow(
      /at most one Chatbot Slack channel \(chatbotSlack or NotificationChannel.chatbotSlack\)[\s\S]*at most one Slack webhook \(slackWebhookSecret or NotificationChannel.slackWebhook\)/,
    );
  });

  it('takes notifications.chatbotSlack from the config file', () => {
    const stack = new WatchdogStack(appWithoutBundling(), 'W', {
      env: { account: '123456789012', region: 'us-east-1' },
      config: {
        targets: [{ id: 'web', type: 'ecs-service', cluster: 'prod', service: 'web', alarms: ['a'] }],
        notifications: { chatbotSlack: { slackWorkspaceId: 'T0123ABCD', slackChannelId: 'C0123ABCD' } },
      },
    });
    Template.fromStack(stack).hasResourceProperties('AWS::Chatbot::SlackChannelConfiguration', {
      SlackWorkspaceId: 'T0123ABCD',
      SlackChannelId: 'C0123ABCD',
    });
  });
});

describe('operator principals from the config file', () => {
  it('lets the config name who may operate and who may only read, by ARN', () => {
    const stack = new WatchdogStack(appWithoutBundling(), 'W', {
      env: { account: '123456789012', region: 'us-east-1' },
      config: {
        targets: [{ id: 'web', type: 'ecs-service', cluster: 'prod', service: 'web', alarms: ['a'] }],
        operatorPrincipals: ['arn:aws:iam::123456789012:role/oncall'],
        readOnlyPrincipals: ['arn:aws:iam::123456789012:role/support'],
      },
    });
    const permissions = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Permission')).map(
      (p) => ({
        principal: p['Properties'].Principal as unknown,
        action: p['Properties'].Action as string,
        fn: JSON.stringify(p['Properties'].FunctionName),
      }),
    );
    const of = (arn: string) => permissions.filter((p) => p.principal === arn);
    const operator = of('arn:aws:iam::123456789012:role/oncall');
    const reader = of('arn:aws:iam::123456789012:role/support');
    // Operators may call both URLs; readers only the read-only one.
    const operatorFunctions = new Set(operator.map((p) => p.fn));
    const readerFunctions = new Set(reader.map((p) => p.fn));
    expect(operatorFunctions.size).toBe(2);
    expect(readerFunctions.size).toBe(1);
    expect(operatorFunctions.has([...readerFunctions][0])).toBe(true);
    expect([...readerFunctions][0]).toContain('OperatorReadHandler');
    expect(reader.map((p) => p.action).sort()).toEqual(['lambda:InvokeFunction', 'lambda:InvokeFunctionUrl']);
  });
});
