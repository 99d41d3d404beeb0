import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { parseWatchdogConfig } from '../../lambda/boundary/config-schema';
import { ENV, SLACK_INTERACTION_OUTPUT, type WatchdogConfig } from '../../lambda/contract';
import { RollbackTarget, RollbackWatchdog, WatchdogStack, type RollbackWatchdogProps } from '../../lib';
import {
  appWithoutBundling,
  asList,
  evaluate,
  logicalIdOf,
  nagFindings,
  roleStatements,
  type Statement,
} from './helpers';

/**
 * Slack interactive approvals (README "Approve from Slack"): with `slack.interactive`, a Slack interaction
 * function behind a Function URL with AuthType NONE, the notifier told to add buttons; without it, none of it.
 */

type Resources = Record<string, { Type: string; Properties: Record<string, any>; DependsOn?: string[] }>;

const TARGETS = [
  { id: 'payments', type: 'ecs-service', cluster: 'prod', service: 'payments', alarms: ['payments-5xx'] },
];

function config(slack: Record<string, unknown>): WatchdogConfig {
  const result = parseWatchdogConfig({ targets: TARGETS, notifications: { slack } });
  if (!result.ok) throw new Error(result.problems.join('\n'));
  return result.config;
}

function stackOf(slack: Record<string, unknown>) {
  const stack = new WatchdogStack(appWithoutBundling(), 'RollbackWatchdog', { config: config(slack) });
  const template = Template.fromStack(stack);
  return { stack, template, resources: template.toJSON().Resources as Resources };
}

const ofType = (resources: Resources, type: string) =>
  Object.entries(resources).filter(([, r]) => r.Type === type);

describe('without slack.interactive', () => {
  const { stack, resources, template } = stackOf({ webhookSecretName: 'watchdog/slack' });

  it('has no URL without IAM auth, no interaction function, no output, and a notifier without buttons', () => {
    expect(ofType(resources, 'AWS::Lambda::Url').map(([, r]) => r.Properties.AuthType)).toEqual([
      'AWS_IAM',
      'AWS_IAM',
    ]);
    expect(stack.watchdog.slackInteractionFunction).toBeUndefined();
    expect(Object.keys(template.toJSON().Outputs ?? {})).not.toContain(SLACK_INTERACTION_OUTPUT);
    const notifier = resources[logicalIdOf(stack, stack.watchdog.slackNotifier!)];
    expect(notifier?.Properties.Environment.Variables[ENV.slackInteractive]).toBeUndefined();
  });
});

describe('with slack.interactive and approvers', () => {
  const { stack, resources, template } = stackOf({
    webhookSecretName: 'watchdog/slack',
    interactive: true,
    approvers: ['U0123ABCD', 'W0456EFGH'],
  });
  const fnId = logicalIdOf(stack, stack.watchdog.slackInteractionFunction!);
  const fn = resources[fnId];

  it('creates one URL with AuthType NONE, on the interaction function, and outputs it', () => {
    const none = ofType(resources, 'AWS::Lambda::Url').filter(([, r]) => r.Properties.AuthType === 'NONE');
    expect(none).toHaveLength(1);
    expect(none[0]?.[1].Properties.TargetFunctionArn).toEqual({ 'Fn::GetAtt': [fnId, 'Arn'] });
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs[SLACK_INTERACTION_OUTPUT]?.Value).toEqual({
      'Fn::GetAtt': [expect.any(String), 'FunctionUrl'],
    });
  });

  it('tells the function its approvers and the secret, and the notifier to add the buttons', () => {
    const vars = fn.Properties.Environment.Variables;
    expect(vars[ENV.slackApprovers]).toBe('U0123ABCD,W0456EFGH');
    expect(evaluate(vars[ENV.slackSecretArn])).toContain(':secret:watchdog/slack');
    expect(vars[ENV.tableName]).toBeDefined();
    const notifier = resources[logicalIdOf(stack, stack.watchdog.slackNotifier!)];
    expect(notifier?.Properties.Environment.Variables[ENV.slackInteractive]).toBe('true');
  });

  it("may read the one Slack secret and invoke only itself, and acts with the operator's rollback grants", () => {
    const statements = roleStatements(template, fnId);
    const of = (action: string) => statements.filter((s: Statement) => asList(s.Action).includes(action));
    expect(of('secretsmanager:GetSecretValue').flatMap((s) => asList(s.Resource).map(evaluate))).toEqual([
      expect.stringContaining(':secret:watchdog/slack'),
    ]);
    expect(of('lambda:InvokeFunction').flatMap((s) => asList(s.Resource))).toEqual([
      { 'Fn::GetAtt': [fnId, 'Arn'] },
    ]);
    expect(of('ecs:UpdateService')).toHaveLength(1);
    // The function does not wait for the policy that names it (no circular dependency).
    expect(fn.DependsOn ?? []).not.toContain(
      Object.entries(resources).find(
        ([, r]) =>
          r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties).includes('lambda:InvokeFunction'),
      )?.[0],
    );
  });

  it('does not retry its asynchronous work (acted once or told), and sends failures to the DLQ', () => {
    const [, config] = ofType(resources, 'AWS::Lambda::EventInvokeConfig').find(
      ([, r]) => JSON.stringify(r.Properties.FunctionName) === JSON.stringify({ Ref: fnId }),
    )!;
    expect(config.Properties).toMatchObject({ MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 300 });
    expect(config.Properties.DestinationConfig.OnFailure.Destination).toBeDefined();
  });

  it('cdk-nag AwsSolutions and Serverless: no finding left', () => {
    expect(nagFindings(stack)).toEqual([]);
  });
});

describe('validation', () => {
  it.each([
    [
      { interactive: true, approvers: ['U0123ABCD'] },
      '$.notifications.slack.interactive: needs the Slack app',
    ],
    [
      { webhookSecretName: 's', interactive: true },
      '$.notifications.slack.approvers: is required with interactive',
    ],
    [
      { webhookSecretName: 's', approvers: ['U0123ABCD'] },
      '$.notifications.slack.approvers: only applies with "interactive": true',
    ],
    [{ webhookSecretName: 's', interactive: true, approvers: [] }, 'must list at least one Slack member id'],
    [
      { webhookSecretName: 's', interactive: true, approvers: ['S0123ABCD'] },
      'user groups cannot be resolved without a bot token',
    ],
    [
      { webhookSecretName: 's', interactive: true, approvers: ['U0123ABCD', 'U0123ABCD'] },
      'lists a member id twice',
    ],
  ])('the config file refuses %j', (slack, problem) => {
    const result = parseWatchdogConfig({ targets: TARGETS, notifications: { slack } });
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.problems.join('\n')).toContain(problem);
  });

  it('the construct refuses slackInteraction without the secret, and approvers that are not member ids', () => {
    const target = () =>
      RollbackTarget.ecsService({ id: 'web', cluster: 'prod', serviceName: 'web', alarms: ['web-5xx'] });
    const synth = (props: (stack: Stack) => Partial<RollbackWatchdogProps>): string => {
      const app = appWithoutBundling();
      const stack = new Stack(app, 'S', { env: { account: '123456789012', region: 'us-east-1' } });
      new RollbackWatchdog(stack, 'W', { targets: [target()], ...props(stack) });
      try {
        app.synth();
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    };
    const problems = synth(() => ({ slackInteraction: { approvers: ['oncall'] } }));
    expect(problems).toContain("slackInteraction: needs the Slack app's secret: set slackWebhookSecret too");
    expect(problems).toContain('slackInteraction.approvers: must be Slack member ids like "U0123ABCD"');
    expect(
      synth((stack) => ({
        slackWebhookSecret: secretsmanager.Secret.fromSecretNameV2(stack, 'Secret', 'watchdog/slack'),
        slackInteraction: { approvers: ['U0123ABCD'] },
      })),
    ).toBe('');
  });
});
