import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { DEFAULT_POLICY, ENV, RUNTIME_CONFIG_ATTRIBUTE, type RuntimeConfig } from '../../lambda/contract';
import { RollbackTarget, RollbackWatchdog, type RollbackWatchdogProps } from '../../lib';
import {
  PSEUDO,
  appWithoutBundling,
  asList,
  evaluate,
  logicalIdOf,
  roleStatements,
  type Statement,
} from './helpers';

type Resources = Record<string, { Type: string; Properties: Record<string, any> }>;

function writtenConfig(template: Template): RuntimeConfig {
  const writer = Object.values(template.toJSON().Resources as Resources).find(
    (r) => r.Type === 'Custom::AWS',
  )!;
  const call = JSON.parse(evaluate(writer.Properties.Create));
  return JSON.parse(call.parameters.Item[RUNTIME_CONFIG_ATTRIBUTE].S) as RuntimeConfig;
}

function rulePatterns(template: Template, source: string): Record<string, any>[] {
  return Object.values(template.toJSON().Resources as Resources)
    .filter((r) => r.Type === 'AWS::Events::Rule' && r.Properties.EventPattern.source[0] === source)
    .map((r) => r.Properties.EventPattern);
}

describe('RollbackWatchdog with a service and an alarm created in the same stack (tokens)', () => {
  let stack: Stack;
  let template: Template;
  let watchdog: RollbackWatchdog;
  let serviceId: string;
  let clusterId: string;
  let alarmId: string;

  beforeAll(() => {
    stack = new Stack(appWithoutBundling(), 'App');
    const cluster = new ecs.Cluster(stack, 'Cluster', {
      vpc: new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0 }),
    });
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task');
    taskDefinition.addContainer('web', {
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx'),
    });
    const service = new ecs.FargateService(stack, 'Service', { cluster, taskDefinition });
    const alarm = new cloudwatch.Alarm(stack, 'Errors', {
      metric: new cloudwatch.Metric({ namespace: 'App', metricName: 'Errors' }),
      threshold: 1,
      evaluationPeriods: 1,
    });
    watchdog = new RollbackWatchdog(stack, 'Watchdog', {
      targets: [
        RollbackTarget.ecsService({
          id: 'web',
          service,
          alarms: [alarm, 'web-p99'],
          policy: { mode: 'dry-run', cooldown: Duration.minutes(30) },
        }),
      ],
      defaults: { bake: Duration.minutes(5), maxRollbacks: { count: 3, window: Duration.hours(2) } },
      maxEventAge: Duration.minutes(20),
    });
    // Added after construction: everything derived from targets must include it.
    watchdog.addTarget(
      RollbackTarget.ecsService({
        id: 'search',
        cluster: 'prod',
        serviceName: 'search',
        alarms: ['search-5xx'],
      }),
    );
    template = Template.fromStack(stack);
    serviceId = logicalIdOf(stack, service);
    clusterId = logicalIdOf(stack, cluster);
    alarmId = logicalIdOf(stack, alarm);
  });

  it('writes the token names into the config item, resolved by CloudFormation at deploy time', () => {
    expect(writtenConfig(template)).toEqual({
      schemaVersion: 1,
      account: PSEUDO['AWS::AccountId'],
      region: PSEUDO['AWS::Region'],
      maxEventAgeMinutes: 20,
      targets: [
        {
          id: 'web',
          type: 'ecs-service',
          cluster: `<${clusterId}>`,
          service: `<${serviceId}.Name>`,
          alarms: [`<${alarmId}>`, 'web-p99'],
          policy: {
            ...DEFAULT_POLICY,
            mode: 'dry-run',
            cooldownMinutes: 30,
            bakeMinutes: 5,
            maxRollbacks: { count: 3, windowMinutes: 120 },
          },
        },
        {
          id: 'search',
          type: 'ecs-service',
          cluster: 'prod',
          service: 'search',
          alarms: ['search-5xx'],
          policy: { ...DEFAULT_POLICY, bakeMinutes: 5, maxRollbacks: { count: 3, windowMinutes: 120 } },
        },
      ],
    });
  });

  it('filters alarm events on the alarm construct’s name and the named alarms', () => {
    const [pattern] = rulePatterns(template, 'aws.cloudwatch');
    expect(pattern.detail.alarmName).toEqual([{ Ref: alarmId }, 'web-p99', 'search-5xx']);
  });

  it('filters deployment events on both services’ ARNs', () => {
    const [pattern] = rulePatterns(template, 'aws.ecs');
    expect((pattern.resources as unknown[]).map(evaluate)).toEqual([
      `arn:aws:ecs:us-east-1:123456789012:service/<${clusterId}>/<${serviceId}.Name>`,
      'arn:aws:ecs:us-east-1:123456789012:service/prod/search',
    ]);
  });

  it('scopes rollback actions to both services', () => {
    const statements = roleStatements(template, logicalIdOf(stack, watchdog.alarmHandler));
    const update = statements.filter((s: Statement) => asList(s.Action).includes('ecs:UpdateService'));
    expect(update.flatMap((s) => asList(s.Resource)).map(evaluate)).toEqual([
      `arn:aws:ecs:us-east-1:123456789012:service/<${clusterId}>/<${serviceId}.Name>`,
      'arn:aws:ecs:us-east-1:123456789012:service/prod/search',
    ]);
  });

  it('passes cdk-nag, including the acknowledgement of each token service-deployment ARN', () => {
    for (const pack of [new AwsSolutionsChecks(), new ServerlessChecks()]) {
      expect(pack.validateScope(watchdog).violations).toEqual([]);
    }
  });
});

describe('RollbackWatchdog with a topic and a table passed in', () => {
  let stack: Stack;
  let template: Template;
  let watchdog: RollbackWatchdog;
  let topic: sns.Topic;
  let table: dynamodb.Table;

  beforeAll(() => {
    stack = new Stack(appWithoutBundling(), 'App');
    topic = new sns.Topic(stack, 'OwnTopic');
    table = new dynamodb.Table(stack, 'OwnTable', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
    });
    watchdog = new RollbackWatchdog(stack, 'Watchdog', {
      topic,
      table,
      targets: [
        RollbackTarget.ecsService({ id: 'web', cluster: 'prod', serviceName: 'web', alarms: ['web-5xx'] }),
      ],
    });
    template = Template.fromStack(stack);
  });

  it('creates no table, topic or key of its own and exposes the ones passed in', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.resourceCountIs('AWS::KMS::Key', 0);
    expect(watchdog.stateTable).toBe(table);
    expect(watchdog.notificationTopic).toBe(topic);
    expect(watchdog.topicKey).toBeUndefined();
  });

  it('points the handlers at them and grants their use', () => {
    const handlerId = logicalIdOf(stack, watchdog.alarmHandler);
    const fn = (template.toJSON().Resources as Resources)[handlerId];
    expect(fn.Properties.Environment.Variables[ENV.tableName]).toEqual({ Ref: logicalIdOf(stack, table) });
    expect(fn.Properties.Environment.Variables[ENV.topicArn]).toEqual({ Ref: logicalIdOf(stack, topic) });
    const publish = roleStatements(template, handlerId).filter((s) =>
      asList(s.Action).includes('sns:Publish'),
    );
    expect(publish.map((s) => evaluate(s.Resource))).toEqual([`<${logicalIdOf(stack, topic)}>`]);
  });
});

describe('RollbackWatchdog at fleet scale (DESIGN.md §7)', () => {
  const TARGETS = 50;
  let stack: Stack;
  let template: Template;
  let watchdog: RollbackWatchdog;

  beforeAll(() => {
    stack = new Stack(appWithoutBundling(), 'App');
    const targets = Array.from({ length: TARGETS }, (_, i) =>
      RollbackTarget.ecsService({
        id: `service-${i}`,
        cluster: 'production-cluster',
        serviceName: `service-number-${i}`,
        alarms: [`service-number-${i}-http-5xx-rate`, `service-number-${i}-p99-latency`],
      }),
    );
    watchdog = new RollbackWatchdog(stack, 'Watchdog', { targets });
    template = Template.fromStack(stack);
  });

  const longest = (value: unknown) =>
    JSON.stringify(value, (_k, v: unknown) =>
      typeof v === 'object' && v !== null && !Array.isArray(v) && ('Ref' in v || 'Fn::Join' in v)
        ? evaluate(v).replace('us-east-1', 'ap-southeast-5').replace(/:aws:/, ':aws-iso-b:')
        : v,
    ).length;

  it.each([
    ['alarm', 'aws.cloudwatch', (p: any) => p.detail.alarmName as unknown[], 2 * TARGETS],
    ['deployment', 'aws.ecs', (p: any) => p.resources as unknown[], TARGETS],
  ])(
    'splits %s rules so every pattern stays under 2,048 characters and covers each value once',
    (_n, source, values, count) => {
      const patterns = rulePatterns(template, source);
      expect(patterns.length).toBeGreaterThan(1);
      for (const pattern of patterns) expect(longest(pattern)).toBeLessThanOrEqual(2048);
      const all = patterns.flatMap(values).map((v) => evaluate(v));
      expect(all).toHaveLength(count);
      expect(new Set(all).size).toBe(count);
    },
  );

  it('keeps the alarm handler’s inline policy under IAM’s 10,240 characters', () => {
    const roleId = (template.toJSON().Resources as Resources)[logicalIdOf(stack, watchdog.alarmHandler)]
      .Properties.Role['Fn::GetAtt'][0];
    const policies = Object.values(template.toJSON().Resources as Resources).filter(
      (r) =>
        r.Type === 'AWS::IAM::Policy' &&
        (r.Properties.Roles as { Ref: string }[]).some((ref) => ref.Ref === roleId),
    );
    const size = policies.reduce((sum, p) => sum + longest(p.Properties.PolicyDocument), 0);
    expect(size).toBeLessThan(10240);
  });
});

describe('RollbackWatchdog config version', () => {
  const version = (props: RollbackWatchdogProps) => {
    const stack = new Stack(appWithoutBundling(), 'App');
    const watchdog = new RollbackWatchdog(stack, 'Watchdog', props);
    const fn = (Template.fromStack(stack).toJSON().Resources as Resources)[
      logicalIdOf(stack, watchdog.alarmHandler)
    ];
    return fn.Properties.Environment.Variables[ENV.configVersion] as string;
  };
  const target = (cooldown?: Duration) =>
    RollbackTarget.ecsService({
      id: 'web',
      cluster: 'prod',
      serviceName: 'web',
      alarms: ['a'],
      policy: { cooldown },
    });

  it('is stable for the same config and changes when only the config changes', () => {
    const base = version({ targets: [target()] });
    expect(version({ targets: [target()] })).toBe(base);
    expect(version({ targets: [target(Duration.minutes(45))] })).not.toBe(base);
  });
});
