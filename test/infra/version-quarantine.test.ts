import { Stack, type StackProps } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { parseWatchdogConfig } from '../../lambda/boundary/config-schema';
import {
  ENV,
  QUARANTINE_DETAIL_TYPE,
  QUARANTINE_SOURCE,
  versionBusName,
  type WatchdogConfig,
} from '../../lambda/contract';
import {
  RollbackTarget,
  RollbackWatchdog,
  synthProblems,
  watchdogStacks,
  type WatchdogStack,
} from '../../lib';
import {
  PSEUDO,
  allStatements,
  appWithoutBundling,
  asList,
  evaluate,
  logicalIdOf,
  writtenConfig,
  type Statement,
} from './helpers';

/**
 * Version quarantine across regions (lambda/contract/quarantine.ts): with two or more regions, each region's
 * stack has a version bus, forwards its own quarantines and receipts to the other regions' buses and delivers
 * theirs, and its own checks, to the alarm handler. With one region nothing of it exists.
 */

type Resources = Record<string, { Type: string; Properties: Record<string, any>; DependsOn?: string[] }>;

const STACK_NAME = 'W';
const BUS_NAME = versionBusName(STACK_NAME);
const THREE = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];
const SEVEN = ['us-east-1', 'us-east-2', 'us-west-2', 'eu-west-1', 'eu-west-2', 'eu-central-1', 'ap-south-1'];
const CARRIED = [QUARANTINE_DETAIL_TYPE.quarantine, QUARANTINE_DETAIL_TYPE.receipt];

const busArn = (region: string) =>
  `arn:aws:events:${region}:${PSEUDO['AWS::AccountId']}:event-bus/${BUS_NAME}`;

function config(input: unknown): WatchdogConfig {
  const parsed = parseWatchdogConfig(input);
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  return parsed.config;
}

const web = { id: 'web', type: 'ecs-service', cluster: 'prod', service: 'web', alarms: ['web-5xx'] };

interface Synthesized {
  readonly stack: WatchdogStack;
  readonly template: Template;
  readonly resources: Resources;
}

function synth(regions: readonly string[] | undefined): Synthesized[] {
  const stacks = watchdogStacks(appWithoutBundling(), STACK_NAME, {
    config: config({ ...(regions ? { regions } : {}), targets: [web] }),
  });
  return stacks.map((stack) => {
    const template = Template.fromStack(stack);
    return { stack, template, resources: template.toJSON().Resources as Resources };
  });
}

const ofType = (resources: Resources, type: string) =>
  Object.entries(resources).filter(([, r]) => r.Type === type);

const ruleOnBus = (resources: Resources, busId: string) =>
  ofType(resources, 'AWS::Events::Rule').filter(([, r]) => r.Properties.EventBusName?.Ref === busId);

const isForwarding = (pattern: { detail?: { from?: unknown[] } }, region: string) =>
  JSON.stringify(pattern.detail?.from) === JSON.stringify([region]) &&
  JSON.stringify((pattern as Record<string, unknown>)['detail-type']) === JSON.stringify(CARRIED);

function parts(s: Synthesized) {
  const { stack, resources } = s;
  const watchdog = stack.watchdog;
  const [[busId]] = ofType(resources, 'AWS::Events::EventBus');
  const onBus = ruleOnBus(resources, busId);
  const forwarding = onBus.filter(([, r]) => isForwarding(r.Properties.EventPattern, stack.region));
  const roleOf = (fn: { role?: unknown }) => logicalIdOf(stack, fn.role as never);
  return {
    busId,
    onBus,
    forwarding,
    dlqId: logicalIdOf(stack, watchdog.deadLetterQueue),
    alarmFnId: logicalIdOf(stack, watchdog.alarmHandler),
    configWriterId: logicalIdOf(stack, watchdog.node.findChild('RuntimeConfig')),
    roles: {
      alarm: roleOf(watchdog.alarmHandler),
      sweep: roleOf(watchdog.sweepHandler),
      operator: roleOf(watchdog.operatorFunction),
      deployment: roleOf(watchdog.deploymentHandler),
      reader: roleOf(watchdog.operatorReadFunction),
    },
  };
}

describe('version quarantine, three regions', () => {
  let stacks: Synthesized[];

  beforeAll(() => {
    stacks = synth(THREE);
  });

  it('builds one stack per region under one stack name, each with one version bus of that name', () => {
    expect(stacks.map((s) => [s.stack.region, s.stack.stackName])).toEqual(THREE.map((r) => [r, STACK_NAME]));
    for (const { template, stack } of stacks) {
      template.resourceCountIs('AWS::Events::EventBus', 1);
      template.hasResourceProperties('AWS::Events::EventBus', { Name: 'W-versions' });
      expect(stack.watchdog.versionBus).toBeDefined();
    }
  });

  it.each(THREE.map((region, index) => ({ region, index })))(
    '$region forwards its own quarantines and receipts to the two other buses, each with the DLQ',
    ({ region, index }) => {
      const s = stacks[index];
      const { forwarding, dlqId } = parts(s);
      expect(forwarding).toHaveLength(1);
      const [[, rule]] = forwarding;
      expect(rule.Properties.EventPattern).toEqual({
        source: [QUARANTINE_SOURCE],
        'detail-type': CARRIED,
        detail: { from: [region] },
      });
      const [[roleId]] = ofType(s.resources, 'AWS::IAM::Role').filter(([id]) =>
        id.includes('VersionForwarding'),
      );
      const targets = rule.Properties.Targets as Record<string, any>[];
      expect(targets.map((t) => evaluate(t.Arn))).toEqual(THREE.filter((r) => r !== region).map(busArn));
      for (const target of targets) {
        expect(target.DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [dlqId, 'Arn'] } });
        expect(target.RoleArn).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
        // Not configurable for a bus target: EventBridge retries it for 24 hours itself.
        expect(target.RetryPolicy).toBeUndefined();
      }
    },
  );

  it('gives the forwarding one role, for EventBridge, allowed PutEvents on exactly the two other buses', () => {
    for (const s of stacks) {
      const roles = ofType(s.resources, 'AWS::IAM::Role').filter(([id]) => id.includes('VersionForwarding'));
      expect(roles).toHaveLength(1);
      const [[roleId, role]] = roles;
      expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
        {
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
        },
      ]);
      const statements = (
        role.Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[]
      ).flatMap((p) => p.PolicyDocument.Statement);
      expect(statements.map((st) => [st.Effect, st.Action, asList(st.Resource).map(evaluate)])).toEqual([
        ['Allow', 'events:PutEvents', THREE.filter((r) => r !== s.stack.region).map(busArn)],
      ]);
      // Nothing else is attached to it: each target would otherwise add a statement of its own.
      const attached = ofType(s.resources, 'AWS::IAM::Policy').filter(([, p]) =>
        (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId),
      );
      expect(attached).toEqual([]);
      // Every rule target that names the role is a forwarding target.
      const withRole = ofType(s.resources, 'AWS::Events::Rule').filter(([, r]) =>
        (r.Properties.Targets as { RoleArn?: unknown }[]).some((t) => t.RoleArn !== undefined),
      );
      expect(withRole.map(([id]) => id)).toEqual(parts(s).forwarding.map(([id]) => id));
    }
  });

  it('delivers quarantines and receipts from elsewhere, and its own checks, to the alarm handler', () => {
    for (const s of stacks) {
      const region = s.stack.region;
      const { onBus, alarmFnId, dlqId, configWriterId } = parts(s);
      const receiving = onBus.filter(([, r]) => !isForwarding(r.Properties.EventPattern, region));
      expect(receiving.map(([, r]) => r.Properties.EventPattern)).toEqual([
        {
          source: [QUARANTINE_SOURCE],
          'detail-type': CARRIED,
          detail: { from: [{ 'anything-but': region }] },
        },
        {
          source: [QUARANTINE_SOURCE],
          'detail-type': [QUARANTINE_DETAIL_TYPE.check],
          detail: { from: [region] },
        },
      ]);
      for (const [, rule] of receiving) {
        const targets = rule.Properties.Targets as Record<string, any>[];
        expect(targets).toHaveLength(1);
        expect(targets[0].Arn).toEqual({ 'Fn::GetAtt': [alarmFnId, 'Arn'] });
        expect(targets[0].DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [dlqId, 'Arn'] } });
        expect(targets[0].RetryPolicy).toEqual({ MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 8 });
        // The alarm handler reads the config item: the rules go live once it is written.
        expect(rule.DependsOn).toContain(configWriterId);
      }
    }
  });

  it('lets every rule on the bus dead-letter through the one DLQ statement, and watches each rule', () => {
    for (const s of stacks) {
      const { onBus } = parts(s);
      expect(onBus).toHaveLength(3);
      const dlqStatement = allStatements(s.template).find(
        ({ statement }) => (statement as { Sid?: string }).Sid === 'AllowTheWatchdogRulesToDeadLetter',
      )?.statement;
      const sources = asList(
        (dlqStatement?.Condition as { ArnEquals: { 'aws:SourceArn': unknown } }).ArnEquals['aws:SourceArn'],
      );
      for (const [id] of onBus) expect(sources).toContainEqual({ 'Fn::GetAtt': [id, 'Arn'] });
      // One statement for them all: no per-rule statement as CDK's own targets would add.
      const queuePolicies = ofType(s.resources, 'AWS::SQS::QueuePolicy');
      const statements = queuePolicies.flatMap(
        ([, p]) => p.Properties.PolicyDocument.Statement as Statement[],
      );
      expect(statements.filter((st) => st.Effect === 'Allow')).toHaveLength(1);
      const watched = ofType(s.resources, 'AWS::CloudWatch::Alarm').flatMap(([, a]) =>
        asList(a.Properties.Dimensions as { Name: string; Value: { Ref?: string } }[])
          .filter((d) => d.Name === 'RuleName')
          .map((d) => d.Value.Ref),
      );
      for (const [id] of onBus) expect(watched).toContain(id);
    }
  });

  it('grants PutEvents on the own bus to the alarm, sweep, operator and deployment roles only', () => {
    for (const s of stacks) {
      const { busId, roles } = parts(s);
      const ownBus = JSON.stringify({ 'Fn::GetAtt': [busId, 'Arn'] });
      const granted = ofType(s.resources, 'AWS::IAM::Policy').flatMap(([, p]) =>
        (p.Properties.PolicyDocument.Statement as Statement[])
          .filter((st) => asList(st.Action).includes('events:PutEvents'))
          .flatMap((st) => {
            expect(asList(st.Resource).map((r) => JSON.stringify(r))).toEqual([ownBus]);
            return (p.Properties.Roles as { Ref: string }[]).map((r) => r.Ref);
          }),
      );
      expect(new Set(granted)).toEqual(new Set([roles.alarm, roles.sweep, roles.operator, roles.deployment]));
      expect(granted).not.toContain(roles.reader);
    }
  });

  it('names the bus to the deciding handlers and writes the regions into the runtime config', () => {
    for (const s of stacks) {
      const w = s.stack.watchdog;
      for (const fn of [w.alarmHandler, w.deploymentHandler, w.sweepHandler, w.operatorFunction]) {
        const props = s.resources[logicalIdOf(s.stack, fn)].Properties;
        expect(props.Environment.Variables[ENV.versionBusName]).toBe(BUS_NAME);
      }
      expect(writtenConfig(s.stack, s.template).regions).toEqual(THREE);
    }
  });
});

describe('version quarantine, permissions boundary', () => {
  it('puts the boundary on the forwarding role like on every other role', () => {
    const boundary = 'arn:aws:iam::123456789012:policy/WatchdogBoundary';
    const [first] = watchdogStacks(appWithoutBundling(), STACK_NAME, {
      config: config({ regions: THREE, targets: [web] }),
      permissionsBoundaryArn: boundary,
    });
    const roles = ofType(Template.fromStack(first).toJSON().Resources as Resources, 'AWS::IAM::Role');
    expect(roles.filter(([id]) => id.includes('VersionForwarding'))).toHaveLength(1);
    for (const [id, role] of roles)
      expect([id, evaluate(role.Properties.PermissionsBoundary)]).toEqual([id, boundary]);
  });
});

describe('version quarantine, seven regions', () => {
  it('splits the forwarding into rules of at most five targets (5 + 1), all with the one role', () => {
    const [first] = synth(SEVEN);
    const { forwarding } = parts(first);
    const targets = forwarding.map(([, r]) =>
      (r.Properties.Targets as { Arn: unknown }[]).map((t) => evaluate(t.Arn)),
    );
    expect(targets.map((t) => t.length)).toEqual([5, 1]);
    expect(targets.flat()).toEqual(SEVEN.slice(1).map(busArn));
    for (const [, rule] of forwarding)
      expect(rule.Properties.EventPattern).toEqual({
        source: [QUARANTINE_SOURCE],
        'detail-type': CARRIED,
        detail: { from: ['us-east-1'] },
      });
    const roles = ofType(first.resources, 'AWS::IAM::Role').filter(([id]) =>
      id.includes('VersionForwarding'),
    );
    expect(roles).toHaveLength(1);
    const [[, role]] = roles;
    const resources = (role.Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[])
      .flatMap((p) => p.PolicyDocument.Statement)
      .flatMap((st) => asList(st.Resource).map(evaluate));
    expect(resources).toEqual(SEVEN.slice(1).map(busArn));
  });
});

describe('one region, or none', () => {
  it.each([
    ['one region', ['eu-west-1']],
    ['no regions', undefined],
  ])('%s: no bus, no quarantine rules, no bus name, no regions in the runtime config', (_name, regions) => {
    const [only, ...rest] = synth(regions);
    expect(rest).toEqual([]);
    only.template.resourceCountIs('AWS::Events::EventBus', 0);
    // QUARANTINE_SOURCE is also the service name of the metrics: look at the rules and grants only.
    const rules = ofType(only.resources, 'AWS::Events::Rule');
    expect(
      rules.filter(([, r]) => asList(r.Properties.EventPattern?.source).includes(QUARANTINE_SOURCE)),
    ).toEqual([]);
    expect(rules.filter(([, r]) => r.Properties.EventBusName !== undefined)).toEqual([]);
    expect(
      allStatements(only.template).filter(({ statement }) =>
        asList(statement.Action).includes('events:PutEvents'),
      ),
    ).toEqual([]);
    for (const [, fn] of ofType(only.resources, 'AWS::Lambda::Function'))
      expect(Object.keys(fn.Properties.Environment?.Variables ?? {})).not.toContain(ENV.versionBusName);
    expect(writtenConfig(only.stack, only.template)).not.toHaveProperty('regions');
    expect(only.stack.watchdog.versionBus).toBeUndefined();
  });

  it('leaves the template exactly as without the prop when the one region is the stack’s', () => {
    const template = (regions?: readonly string[]) => {
      const stack = new Stack(appWithoutBundling(), 'Same', {
        env: { account: '123456789012', region: 'eu-west-1' },
      });
      new RollbackWatchdog(stack, 'Watchdog', { targets: [target()], ...(regions ? { regions } : {}) });
      return Template.fromStack(stack).toJSON();
    };
    expect(template(['eu-west-1'])).toEqual(template());
  });
});

const target = () =>
  RollbackTarget.ecsService({ id: 'web', cluster: 'prod', serviceName: 'web', alarms: ['web-5xx'] });

function synthError(regions: readonly string[], props: StackProps): string {
  const app = appWithoutBundling();
  const stack = new Stack(app, 'App', props);
  new RollbackWatchdog(stack, 'Watchdog', { targets: [target()], regions });
  try {
    app.synth();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('synth succeeded, expected a validation error');
}

describe('regions validation', () => {
  const inIreland = { env: { account: '123456789012', region: 'eu-west-1' } };

  it('refuses a region listed twice', () => {
    expect(synthError(['eu-west-1', 'us-east-1', 'eu-west-1'], inIreland)).toContain(
      'regions[2]: lists eu-west-1 twice (also regions[0]); list each region once',
    );
  });

  it("refuses a list without the stack's own region", () => {
    expect(synthError(['us-east-1', 'us-west-2'], inIreland)).toContain(
      'regions: does not list this stack\'s region eu-west-1 (got "us-east-1", "us-west-2"); list every region a watchdog with this stack name runs in, eu-west-1 included',
    );
  });

  it('refuses two or more regions in an environment-agnostic stack, which must name its region', () => {
    expect(synthError(['us-east-1', 'eu-west-1'], {})).toContain(
      "regions: the version quarantine across regions (two or more regions) needs the stack's region at synth, but this stack is environment-agnostic: give the stack env: { region }",
    );
  });

  it('refuses regions of different partitions', () => {
    expect(
      synthError(['cn-north-1', 'us-east-1'], { env: { account: '123456789012', region: 'cn-north-1' } }),
    ).toContain('regions: mixes partitions (aws-cn, aws); ');
  });

  it('refuses a name that is no region', () => {
    expect(synthError(['eu-west-1', 'Ireland'], inIreland)).toContain(
      'regions[1]: must be a region name like "eu-west-1" (got "Ireland")',
    );
  });

  it('lets `watchdog validate` (synthProblems) pass a valid multi-region config', () => {
    expect(synthProblems(config({ regions: THREE, targets: [web] }))).toEqual([]);
  });
});
