import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { fleetConfig } from '../../bench/scale';
import { RollbackTarget, RollbackWatchdog, WatchdogStack } from '../../lib';
import { PSEUDO, allStatements, appWithoutBundling, asList, evaluate, writtenConfig } from './helpers';

const ROLLBACK_ACTIONS = ['ecs:UpdateService', 'ecs:StopServiceDeployment', 'codedeploy:CreateDeployment'];
const PREFIX = `${PSEUDO['AWS::Region']}:${PSEUDO['AWS::AccountId']}`;

/**
 * Issue 15: 1,000 ECS targets with two alarms each, in one stack, with the grants by cluster and alarm-name
 * pattern the config opts into. One synth (with both cdk-nag packs) serves every check.
 */
describe('a 1,000-target fleet in one stack (permissions: ecs "clusters", alarmNamePatterns)', () => {
  const config = fleetConfig(1000);
  let stack: WatchdogStack;
  let template: Template;
  let assemblyDir: string;

  beforeAll(() => {
    const app = appWithoutBundling();
    stack = new WatchdogStack(app, 'RollbackWatchdog', { config });
    template = Template.fromStack(stack);
    assemblyDir = app.synth().directory;
  }, 120_000);

  it('opts into patterns, as the benchmark fleet of this size does', () => {
    expect(config.permissions).toEqual({ ecs: 'clusters', alarmNamePatterns: ['service-*'] });
  });

  it('stays far inside CloudFormation, IAM, EventBridge and SQS limits', () => {
    const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: any }>;
    expect(Object.keys(resources).length).toBeLessThan(100);
    const templateFile = join(assemblyDir, stack.templateFile);
    expect(readFileSync(templateFile).length).toBeLessThan(500_000);
    expect(Object.values(resources).filter((r) => r.Type === 'AWS::IAM::ManagedPolicy')).toEqual([]);
    const rules = Object.values(resources).filter((r) => r.Type === 'AWS::Events::Rule');
    // Alarms, deployment state changes, deploying calls' CloudTrail records (who deployed), the sweep.
    expect(rules).toHaveLength(4);
    const [queuePolicy] = Object.values(resources).filter((r) => r.Type === 'AWS::SQS::QueuePolicy');
    expect(queuePolicy.Properties.PolicyDocument.Statement.length).toBeLessThanOrEqual(20);
  });

  it('RELIABILITY #23: rollback actions only on the configured cluster, never on "*"', () => {
    const granted = allStatements(template)
      .map(({ statement }) => statement)
      .filter((s) => s.Effect === 'Allow' && asList(s.Action).some((a) => ROLLBACK_ACTIONS.includes(a)));
    expect(granted.length).toBeGreaterThan(0);
    const named = new Set(granted.flatMap((s) => asList(s.Resource)).map((r) => evaluate(r)));
    expect([...named].sort()).toEqual([
      `arn:aws:ecs:${PREFIX}:service-deployment/production/*`,
      `arn:aws:ecs:${PREFIX}:service/production/*`,
    ]);
  });

  it('lets drills set only the alarms of the configured pattern, and only the operator', () => {
    const setters = allStatements(template).filter(({ statement }) =>
      asList(statement.Action).includes('cloudwatch:SetAlarmState'),
    );
    expect(setters.map(({ statement }) => asList(statement.Resource).map((r) => evaluate(r)))).toEqual([
      [`arn:aws:cloudwatch:${PREFIX}:alarm:service-*`],
    ]);
  });

  it('matches the cluster prefix and the alarm pattern in one rule entry each', () => {
    const patterns = Object.values(template.toJSON().Resources as Record<string, any>)
      .filter((r) => r.Type === 'AWS::Events::Rule' && r.Properties.EventPattern)
      .map((r) => r.Properties.EventPattern);
    const alarm = patterns.find((p) => p.source[0] === 'aws.cloudwatch');
    const ecs = patterns.find((p) => p.source[0] === 'aws.ecs');
    expect(alarm.detail.alarmName).toEqual([{ wildcard: 'service-*' }]);
    expect((ecs.resources as { prefix: unknown }[]).map((r) => evaluate(r.prefix))).toEqual([
      `arn:aws:ecs:${PREFIX}:service/production/`,
    ]);
    const calls = patterns.find((p) => p['detail-type'][0] === 'AWS API Call via CloudTrail');
    expect(
      (calls.detail.responseElements.service.serviceArn as { prefix: unknown }[]).map((r) =>
        evaluate(r.prefix),
      ),
    ).toEqual([`arn:aws:ecs:${PREFIX}:service/production/`]);
  });

  it('still writes every target into the config item', () => {
    expect(writtenConfig(stack, template).targets.map((t) => t.id)).toEqual(config.targets.map((t) => t.id));
  });

  it.each([
    ['AwsSolutions', () => new AwsSolutionsChecks()],
    ['Serverless', () => new ServerlessChecks()],
  ])('%s: no unacknowledged finding on the large stack', (_name, pack) => {
    const { violations } = pack().validateScope(stack);
    expect(violations.map((v) => v.ruleName)).toEqual([]);
    expect(existsSync(assemblyDir)).toBe(true);
  });
});

describe('above what one stack holds', () => {
  it('fails synth with the number and the fix when 1,000 targets keep exact grants', () => {
    const stack = new WatchdogStack(appWithoutBundling(), 'RollbackWatchdog', {
      config: fleetConfig(1000, {}),
    });
    expect(() => Template.fromStack(stack)).toThrow(
      /targets: 1000 targets need \d+ managed policies on the OperatorHandler role, but IAM attaches at most 10 to a role; grant by pattern .* or split the fleet across stacks/,
    );
  }, 120_000);

  it('reports an alarm-name pattern that covers none of the configured alarms', () => {
    const stack = new Stack(appWithoutBundling(), 'App');
    new RollbackWatchdog(stack, 'Watchdog', {
      targets: [
        RollbackTarget.ecsService({ id: 'web', cluster: 'prod', serviceName: 'web', alarms: ['web-5xx'] }),
      ],
      permissions: { alarmNamePatterns: ['api-*'] },
    });
    expect(() => Template.fromStack(stack)).toThrow(
      'permissions.alarmNamePatterns[0]: matches none of the configured alarms (got "api-*"); fix it or remove it',
    );
  });
});
