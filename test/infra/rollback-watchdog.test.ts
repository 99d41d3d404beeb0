import { Duration, Fn, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  DEFAULT_POLICY,
  DEFAULT_SWEEP_INTERVAL_MINUTES,
  DETAIL_TYPE,
  ENV,
  RETENTION,
} from '../../lambda/contract';
import { RollbackTarget, RollbackWatchdog, type RollbackWatchdogProps } from '../../lib';
import {
  PSEUDO,
  appWithoutBundling,
  asList,
  evaluate,
  logicalIdOf,
  roleStatements,
  type Statement,
  writtenConfig,
  nagFindings,
} from './helpers';

type Resources = Record<string, { Type: string; Properties: Record<string, any> }>;

/** The patterns of the rules for `source`: its state-change events, or with `cloudTrail` its API call records. */
function rulePatterns(template: Template, source: string, cloudTrail = false): Record<string, any>[] {
  return Object.values(template.toJSON().Resources as Resources)
    .filter(
      (r) =>
        r.Type === 'AWS::Events::Rule' &&
        r.Properties.EventPattern?.source[0] === source &&
        (r.Properties.EventPattern['detail-type'][0] === DETAIL_TYPE.cloudTrailApiCall) === cloudTrail,
    )
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
    expect(writtenConfig(stack, template)).toEqual({
      schemaVersion: 1,
      account: PSEUDO['AWS::AccountId'],
      region: PSEUDO['AWS::Region'],
      maxEventAgeMinutes: 20,
      sweepIntervalMinutes: DEFAULT_SWEEP_INTERVAL_MINUTES,
      auditRetentionDays: RETENTION.auditDays,
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

  it('filters the CloudTrail records of successful deploying calls on both services’ ARNs (who deployed)', () => {
    const patterns = rulePatterns(template, 'aws.ecs', true);
    expect(patterns).toHaveLength(1);
    const [pattern] = patterns;
    expect(pattern).toEqual({
      source: ['aws.ecs'],
      'detail-type': ['AWS API Call via CloudTrail'],
      detail: {
        eventSource: ['ecs.amazonaws.com'],
        eventName: ['CreateService', 'UpdateService'],
        errorCode: [{ exists: false }],
        responseElements: { service: { serviceArn: expect.any(Array) } },
      },
    });
    expect((pattern.detail.responseElements.service.serviceArn as unknown[]).map(evaluate)).toEqual([
      `arn:aws:ecs:us-east-1:123456789012:service/<${clusterId}>/<${serviceId}.Name>`,
      'arn:aws:ecs:us-east-1:123456789012:service/prod/search',
    ]);
    expect(rulePatterns(template, 'aws.codedeploy', true)).toEqual([]);
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
    expect(nagFindings(watchdog)).toEqual([]);
  });
});

describe('RollbackWatchdog protecting CodeDeploy deployment groups next to an ECS service', () => {
  let stack: Stack;
  let template: Template;
  let watchdog: RollbackWatchdog;
  let applicationId: string;
  let groupId: string;

  const arn = (rest: string) => `arn:aws:codedeploy:us-east-1:123456789012:${rest}`;

  beforeAll(() => {
    stack = new Stack(appWithoutBundling(), 'App');
    const application = new codedeploy.ServerApplication(stack, 'Application');
    const deploymentGroup = new codedeploy.ServerDeploymentGroup(stack, 'Group', { application });
    watchdog = new RollbackWatchdog(stack, 'Watchdog', {
      targets: [
        RollbackTarget.codeDeployGroup({ id: 'orders', deploymentGroup, alarms: ['orders-5xx'] }),
        RollbackTarget.codeDeployGroup({
          id: 'payments',
          application: 'payments',
          deploymentGroupName: 'payments-prod',
          alarms: ['payments-errors'],
          policy: { cooldown: Duration.minutes(30) },
        }),
        RollbackTarget.ecsService({ id: 'web', cluster: 'prod', serviceName: 'web', alarms: ['web-5xx'] }),
      ],
      sweepInterval: Duration.minutes(10),
    });
    template = Template.fromStack(stack);
    applicationId = stack.getLogicalId(application.node.defaultChild as codedeploy.CfnApplication);
    groupId = stack.getLogicalId(deploymentGroup.node.defaultChild as codedeploy.CfnDeploymentGroup);
  });

  it('writes the groups (token names resolved at deploy time) and the sweep interval into the config item', () => {
    const config = writtenConfig(stack, template);
    expect(config.sweepIntervalMinutes).toBe(10);
    expect(config.targets.slice(0, 2)).toEqual([
      {
        id: 'orders',
        type: 'codedeploy',
        application: `<${applicationId}>`,
        deploymentGroup: `<${groupId}>`,
        alarms: ['orders-5xx'],
        policy: DEFAULT_POLICY,
      },
      {
        id: 'payments',
        type: 'codedeploy',
        application: 'payments',
        deploymentGroup: 'payments-prod',
        alarms: ['payments-errors'],
        policy: { ...DEFAULT_POLICY, cooldownMinutes: 30 },
      },
    ]);
  });

  it('filters CodeDeploy state changes on both deployment group ARNs, for the deployment handler', () => {
    const rules = Object.values(template.findResources('AWS::Events::Rule')).filter(
      (r) =>
        r.Properties.EventPattern?.source[0] === 'aws.codedeploy' &&
        r.Properties.EventPattern['detail-type'][0] === DETAIL_TYPE.codeDeployStateChange,
    );
    expect(rules).toHaveLength(1);
    expect(rules[0].Properties.EventPattern).toEqual({
      source: ['aws.codedeploy'],
      'detail-type': ['CodeDeploy Deployment State-change Notification'],
      resources: expect.any(Array),
    });
    expect((rules[0].Properties.EventPattern.resources as unknown[]).map(evaluate)).toEqual([
      arn(`deploymentgroup:<${applicationId}>/<${groupId}>`),
      arn('deploymentgroup:payments/payments-prod'),
    ]);
    expect(evaluate(rules[0].Properties.Targets[0].Arn)).toBe(
      `<${logicalIdOf(stack, watchdog.deploymentHandler)}.Arn>`,
    );
  });

  it('runs the sweep at sweepInterval, delivered like every other event', () => {
    const [rule] = Object.values(template.findResources('AWS::Events::Rule')).filter(
      (r) => r.Properties.ScheduleExpression !== undefined,
    );
    expect(rule.Properties.ScheduleExpression).toBe('rate(10 minutes)');
    expect(rule.Properties.Targets).toEqual([
      expect.objectContaining({
        Arn: { 'Fn::GetAtt': [logicalIdOf(stack, watchdog.sweepHandler), 'Arn'] },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalIdOf(stack, watchdog.deadLetterQueue), 'Arn'] } },
        RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 8 },
      }),
    ]);
  });

  it('scopes the CodeDeploy actions to the groups, their applications and the account’s deployment configs', () => {
    const groups = [
      arn(`deploymentgroup:<${applicationId}>/<${groupId}>`),
      arn('deploymentgroup:payments/payments-prod'),
    ];
    for (const fn of [watchdog.alarmHandler, watchdog.sweepHandler]) {
      const statements = roleStatements(template, logicalIdOf(stack, fn));
      const resourcesOf = (action: string) =>
        statements
          .filter((s) => asList(s.Action).includes(action))
          .flatMap((s) => asList(s.Resource).map(evaluate));
      expect(resourcesOf('codedeploy:CreateDeployment')).toEqual(groups);
      expect(resourcesOf('codedeploy:ListDeployments')).toEqual(groups);
      expect(resourcesOf('codedeploy:GetApplicationRevision')).toEqual([
        arn(`application:<${applicationId}>`),
        arn('application:payments'),
      ]);
      expect(resourcesOf('codedeploy:GetDeploymentConfig')).toEqual([arn('deploymentconfig:*')]);
      expect(resourcesOf('codedeploy:StopDeployment')).toEqual(['*']);
    }
    const reads = roleStatements(template, logicalIdOf(stack, watchdog.deploymentHandler)).filter((s) =>
      asList(s.Action).some((a) => a.startsWith('codedeploy:')),
    );
    expect(reads).toEqual(
      expect.arrayContaining([
        {
          Effect: 'Allow',
          Action: [
            'codedeploy:GetDeploymentGroup',
            'codedeploy:ListDeployments',
            'codedeploy:BatchGetDeployments',
            'codedeploy:GetDeployment',
          ],
          Resource: expect.any(Array),
        },
        // The viability preflight reads whether a known-good revision is still registered.
        { Effect: 'Allow', Action: 'codedeploy:GetApplicationRevision', Resource: expect.any(Array) },
      ]),
    );
    expect(reads).toHaveLength(2);
    const resourcesOf = (action: string) =>
      reads.filter((s) => asList(s.Action).includes(action)).flatMap((s) => asList(s.Resource).map(evaluate));
    expect(resourcesOf('codedeploy:GetDeployment')).toEqual(groups);
    expect(resourcesOf('codedeploy:GetApplicationRevision')).toEqual([
      arn(`application:<${applicationId}>`),
      arn('application:payments'),
    ]);
  });

  it('passes cdk-nag with ECS and CodeDeploy targets side by side', () => {
    expect(nagFindings(watchdog)).toEqual([]);
  });
});

describe('RollbackWatchdog for on-call work: approval, freeze, Slack, Chatbot, operator principals', () => {
  let stack: Stack;
  let template: Template;
  let watchdog: RollbackWatchdog;
  let secret: secretsmanager.Secret;
  let secretKey: kms.Key;
  let operatorRole: iam.Role;
  let pipeline: codepipeline.IPipeline;
  const operatorArn = 'arn:aws:iam::123456789012:role/OnCall';

  beforeAll(() => {
    stack = new Stack(appWithoutBundling(), 'App');
    secretKey = new kms.Key(stack, 'SecretKey', { enableKeyRotation: true });
    secret = new secretsmanager.Secret(stack, 'SlackSecret', { encryptionKey: secretKey });
    operatorRole = new iam.Role(stack, 'Operators', { assumedBy: new iam.AccountRootPrincipal() });
    // An imported pipeline whose ARN is only known at deploy time: its name is a token.
    pipeline = codepipeline.Pipeline.fromPipelineArn(stack, 'Pipeline', Fn.importValue('web-pipeline-arn'));
    watchdog = new RollbackWatchdog(stack, 'Watchdog', {
      targets: [
        RollbackTarget.ecsService({
          id: 'web',
          cluster: 'prod',
          serviceName: 'web',
          alarms: ['web-5xx'],
          policy: {
            mode: 'approval',
            approvalTimeoutAction: 'rollback',
            verificationTimeout: Duration.minutes(25),
            fastRollback: false,
          },
          freeze: { pipeline, stage: 'Production' },
        }),
        RollbackTarget.codeDeployGroup({
          id: 'pay',
          application: 'pay',
          deploymentGroupName: 'pay-prod',
          alarms: ['pay-errors'],
          freeze: { pipeline: 'pay-delivery', stage: 'Deploy' },
        }),
      ],
      defaults: { approvalTimeout: Duration.minutes(5), verificationTimeout: Duration.minutes(10) },
      slackWebhookSecret: secret,
      chatbotSlack: { slackWorkspaceId: 'T0123ABCD', slackChannelId: 'C0123ABCD' },
      operatorPrincipals: [new iam.ArnPrincipal(operatorArn), operatorRole],
    });
    template = Template.fromStack(stack);
  });

  const stage = (pipelineName: string, stageName: string) =>
    `arn:aws:codepipeline:us-east-1:123456789012:${pipelineName}/${stageName}`;
  const pipelineNameOf = () => evaluate(stack.resolve(pipeline.pipelineName));

  it('writes approval mode, the timeout action, the verification timeout, fastRollback and the freezes into the config item', () => {
    const [web, pay] = writtenConfig(stack, template).targets;
    expect(web.policy).toEqual({
      ...DEFAULT_POLICY,
      mode: 'approval',
      approvalTimeoutMinutes: 5,
      approvalTimeoutAction: 'rollback',
      verificationTimeoutMinutes: 25,
      fastRollback: false,
    });
    expect(web.freeze).toEqual({ pipeline: pipelineNameOf(), stage: 'Production' });
    expect(pay.policy).toEqual({
      ...DEFAULT_POLICY,
      approvalTimeoutMinutes: 5,
      verificationTimeoutMinutes: 10,
    });
    expect(pay.freeze).toEqual({ pipeline: 'pay-delivery', stage: 'Deploy' });
  });

  it('scopes the stage-transition actions to the two stages, the token pipeline name included', () => {
    const stages = [stage(pipelineNameOf(), 'Production'), stage('pay-delivery', 'Deploy')];
    const resourcesOf = (fn: lambda.IFunction, action: string) =>
      roleStatements(template, logicalIdOf(stack, fn))
        .filter((s) => asList(s.Action).includes(action))
        .flatMap((s) => asList(s.Resource).map(evaluate));
    for (const fn of [watchdog.alarmHandler, watchdog.sweepHandler, watchdog.operatorFunction]) {
      expect(resourcesOf(fn, 'codepipeline:DisableStageTransition')).toEqual(stages);
    }
    expect(resourcesOf(watchdog.operatorFunction, 'codepipeline:EnableStageTransition')).toEqual(stages);
    expect(resourcesOf(watchdog.alarmHandler, 'codepipeline:EnableStageTransition')).toEqual([]);
    expect(resourcesOf(watchdog.operatorFunction, 'cloudwatch:SetAlarmState')).toEqual([
      'arn:aws:cloudwatch:us-east-1:123456789012:alarm:web-5xx',
      'arn:aws:cloudwatch:us-east-1:123456789012:alarm:pay-errors',
    ]);
  });

  it('lets the Slack notifier read the secret, and decrypt it with its key only through Secrets Manager', () => {
    const statements = roleStatements(template, logicalIdOf(stack, watchdog.slackNotifier!));
    const read = statements.filter((s) => asList(s.Action).includes('secretsmanager:GetSecretValue'));
    expect(read.flatMap((s) => asList(s.Resource))).toEqual([{ Ref: logicalIdOf(stack, secret) }]);
    // The key is in this stack, so the grant goes into its key policy: kms:Decrypt for this role, through
    // Secrets Manager only.
    const roleId = (template.toJSON().Resources as Resources)[logicalIdOf(stack, watchdog.slackNotifier!)]
      .Properties.Role['Fn::GetAtt'][0] as string;
    const keyPolicy = (template.toJSON().Resources as Resources)[logicalIdOf(stack, secretKey)].Properties
      .KeyPolicy.Statement as Statement[];
    const forSlack = keyPolicy.filter((s) => JSON.stringify(s.Principal).includes(roleId));
    expect(forSlack).toEqual([
      {
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Principal: { AWS: { 'Fn::GetAtt': [roleId, 'Arn'] } },
        Resource: '*',
        Condition: { StringEquals: { 'kms:ViaService': expect.anything() } },
      },
    ]);
    expect(evaluate((forSlack[0].Condition as any).StringEquals['kms:ViaService'])).toBe(
      'secretsmanager.us-east-1.amazonaws.com',
    );
    expect(statements.filter((s) => asList(s.Action).some((a) => a.startsWith('kms:')))).toEqual([]);
    const fn = (template.toJSON().Resources as Resources)[logicalIdOf(stack, watchdog.slackNotifier!)];
    expect(fn.Properties.Environment.Variables[ENV.slackSecretArn]).toEqual({
      Ref: logicalIdOf(stack, secret),
    });
  });

  it('creates a read-only Chatbot channel on the topic, never with the default AdministratorAccess guardrail', () => {
    const channels = Object.values(template.findResources('AWS::Chatbot::SlackChannelConfiguration'));
    expect(channels).toHaveLength(1);
    const props = channels[0].Properties;
    expect(props).toMatchObject({
      SlackWorkspaceId: 'T0123ABCD',
      SlackChannelId: 'C0123ABCD',
      SnsTopicArns: [{ Ref: logicalIdOf(stack, watchdog.notificationTopic) }],
      ConfigurationName: expect.stringMatching(/^[A-Za-z0-9-]{1,128}$/),
    });
    expect(JSON.stringify(props)).not.toContain('AdministratorAccess');
    const [guardrailRef] = props.GuardrailPolicies as { Ref: string }[];
    const resources = template.toJSON().Resources as Resources;
    const deadLetterAlarm = Object.entries(resources).find(
      ([, r]) => r.Type === 'AWS::CloudWatch::Alarm' && r.Properties.Namespace === 'AWS/SQS',
    )![0];
    const onlyReadTheDeadLetterAlarm = [
      {
        Effect: 'Allow',
        Action: 'cloudwatch:DescribeAlarms',
        Resource: { 'Fn::GetAtt': [deadLetterAlarm, 'Arn'] },
      },
    ];
    expect(resources[guardrailRef.Ref].Properties.PolicyDocument.Statement).toEqual(
      onlyReadTheDeadLetterAlarm,
    );
    const roleId = (props.IamRoleArn as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
    expect(resources[roleId].Properties.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({
      Service: 'chatbot.amazonaws.com',
    });
    expect(resources[roleId].Properties.ManagedPolicyArns).toBeUndefined();
    const rolePolicies = Object.values(resources).filter(
      (r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles).includes(roleId),
    );
    expect(rolePolicies.flatMap((p) => p.Properties.PolicyDocument.Statement)).toEqual(
      onlyReadTheDeadLetterAlarm,
    );
  });

  it('lets the operator principals call the Function URL, and invoke the function only through it', () => {
    const operatorFn = logicalIdOf(stack, watchdog.operatorFunction);
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission')).filter(
      (p) => p.Properties.Principal === operatorArn,
    );
    expect(permissions.map((p) => p.Properties)).toEqual(
      expect.arrayContaining([
        {
          Action: 'lambda:InvokeFunctionUrl',
          FunctionName: { 'Fn::GetAtt': [operatorFn, 'Arn'] },
          Principal: operatorArn,
          FunctionUrlAuthType: 'AWS_IAM',
        },
        {
          Action: 'lambda:InvokeFunction',
          FunctionName: { 'Fn::GetAtt': [operatorFn, 'Arn'] },
          Principal: operatorArn,
          InvokedViaFunctionUrl: true,
        },
      ]),
    );
    // The same two on the read-only operator's function: operators may also just look.
    const readFn = logicalIdOf(stack, watchdog.operatorReadFunction);
    expect(permissions.map((p) => p.Properties)).toEqual(
      expect.arrayContaining([
        {
          Action: 'lambda:InvokeFunctionUrl',
          FunctionName: { 'Fn::GetAtt': [readFn, 'Arn'] },
          Principal: operatorArn,
          FunctionUrlAuthType: 'AWS_IAM',
        },
      ]),
    );
    expect(permissions).toHaveLength(4);
    // A role in the same account gets an identity policy instead, with the same conditions.
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes(logicalIdOf(stack, operatorRole)))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Action: 'lambda:InvokeFunctionUrl',
          Condition: { StringEquals: { 'lambda:FunctionUrlAuthType': 'AWS_IAM' } },
        }),
        expect.objectContaining({
          Action: 'lambda:InvokeFunction',
          Condition: { Bool: { 'lambda:InvokedViaFunctionUrl': true } },
        }),
      ]),
    );
  });

  it('passes cdk-nag with the Slack notifier, the Chatbot channel and the operator', () => {
    expect(nagFindings(watchdog)).toEqual([]);
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

describe('RollbackWatchdog at fleet scale', () => {
  const TARGETS = 50;
  const GROUPS = 30;
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
        freeze: { pipeline: `service-number-${i}-delivery`, stage: 'Production' },
      }),
    );
    watchdog = new RollbackWatchdog(stack, 'Watchdog', { targets });
    for (let i = 0; i < GROUPS; i++) {
      watchdog.addTarget(
        RollbackTarget.codeDeployGroup({
          id: `group-${i}`,
          application: `application-number-${i}`,
          deploymentGroupName: `application-number-${i}-production`,
          alarms: [`service-number-${i}-http-5xx-rate`],
        }),
      );
    }
    template = Template.fromStack(stack);
  });

  const longest = (value: unknown) =>
    JSON.stringify(value, (_k, v: unknown) =>
      typeof v === 'object' &&
      v !== null &&
      !Array.isArray(v) &&
      ('Ref' in v || 'Fn::Join' in v || 'Fn::Sub' in v)
        ? evaluate(v).replace('us-east-1', 'ap-southeast-5').replace(/:aws:/, ':aws-iso-b:')
        : v,
    ).length;

  it.each([
    ['alarm', 'aws.cloudwatch', (p: any) => p.detail.alarmName as unknown[], 2 * TARGETS],
    ['deployment', 'aws.ecs', (p: any) => p.resources as unknown[], TARGETS],
    ['CodeDeploy', 'aws.codedeploy', (p: any) => p.resources as unknown[], GROUPS],
    [
      'ECS deployment call',
      'aws.ecs',
      (p: any) => p.detail.responseElements.service.serviceArn as unknown[],
      TARGETS,
      true,
    ],
  ])(
    'splits %s rules so every pattern stays under 2,048 characters and covers each value once',
    (_n, source, values, count, cloudTrail = false) => {
      const patterns = rulePatterns(template, source, cloudTrail);
      expect(patterns.length).toBeGreaterThan(1);
      for (const pattern of patterns) expect(longest(pattern)).toBeLessThanOrEqual(2048);
      const all = patterns.flatMap(values).map((v) => evaluate(v));
      expect(all).toHaveLength(count);
      expect(new Set(all).size).toBe(count);
    },
  );

  it('matches CodeDeploy deployment calls on every protected application, each once, within 2,048 characters', () => {
    const patterns = rulePatterns(template, 'aws.codedeploy', true);
    for (const pattern of patterns) expect(longest(pattern)).toBeLessThanOrEqual(2048);
    const all = patterns.flatMap((p) => p.detail.requestParameters.applicationName as string[]);
    expect(all).toEqual(Array.from({ length: GROUPS }, (_, i) => `application-number-${i}`));
  });

  it.each([
    ['alarm handler', () => watchdog.alarmHandler],
    ['sweep', () => watchdog.sweepHandler],
    ['operator', () => watchdog.operatorFunction],
  ])('%s: keeps its policies within IAM’s size limits', (_name, fn) => {
    const resources = template.toJSON().Resources as Resources;
    const roleId = resources[logicalIdOf(stack, fn())].Properties.Role['Fn::GetAtt'][0];
    const attached = (type: string) =>
      Object.values(resources).filter(
        (r) =>
          r.Type === type &&
          asList(r.Properties.Roles as { Ref: string }[]).some((ref) => ref.Ref === roleId),
      );
    // 10,240 characters of inline policy per role; past that CDK moves statements to managed policies of
    // at most 6,144 characters each, and a role may have 10 of those by default.
    const inline = attached('AWS::IAM::Policy').reduce(
      (sum, p) => sum + longest(p.Properties.PolicyDocument),
      0,
    );
    expect(inline).toBeLessThan(10240);
    const managed = attached('AWS::IAM::ManagedPolicy');
    expect(managed.length).toBeLessThanOrEqual(10);
    for (const policy of managed) expect(longest(policy.Properties.PolicyDocument)).toBeLessThan(6144);
  });

  it('passes cdk-nag with the statements CDK moved into overflow managed policies', () => {
    expect(nagFindings(watchdog)).toEqual([]);
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
