import { Match, Template } from 'aws-cdk-lib/assertions';
import { resolveRuntimeConfig } from '../../lambda/boundary/config-schema';
import {
  DETAIL_TYPE,
  ENV,
  STACK_OUTPUT,
  EVENT_SOURCE,
  METRICS_NAMESPACE,
  POWERTOOLS_ENV,
  CONFIG_WRITER_PROPERTY,
  CONFIG_WRITER_RESOURCE_TYPE,
  SERVICE_NAME,
  TABLE,
  type CodeDeployTargetConfig,
  type EcsServiceTargetConfig,
  type WatchdogConfig,
} from '../../lambda/contract';
import { WatchdogStack } from '../../lib';
import {
  PSEUDO,
  allStatements,
  appWithoutBundling,
  asList,
  evaluate,
  exampleConfig,
  logicalIdOf,
  roleStatements,
  type Statement,
  writtenConfig,
} from './helpers';

/**
 * RELIABILITY #23 (docs/reliability.md) against the stack `cdk synth` builds from the example
 * watchdog.config.json.
 */
describe('WatchdogStack from the example config', () => {
  const config = exampleConfig();
  const ecsTargets = config.targets.filter((t): t is EcsServiceTargetConfig => t.type === 'ecs-service');
  const codeDeployTargets = config.targets.filter(
    (t): t is CodeDeployTargetConfig => t.type === 'codedeploy',
  );
  let stack: WatchdogStack;
  let template: Template;
  let resources: Record<string, { Type: string; Properties: Record<string, any>; DeletionPolicy?: string }>;
  let alarmHandlerId: string;
  let deploymentHandlerId: string;
  let sweepHandlerId: string;
  let operatorId: string;
  let slackNotifierId: string;

  const arnPrefix = (service: string) =>
    `arn:aws:${service}:${PSEUDO['AWS::Region']}:${PSEUDO['AWS::AccountId']}`;
  const serviceArn = (t: EcsServiceTargetConfig) => `${arnPrefix('ecs')}:service/${t.cluster}/${t.service}`;
  const deploymentsArn = (t: EcsServiceTargetConfig) =>
    `${arnPrefix('ecs')}:service-deployment/${t.cluster}/${t.service}/*`;
  const groupArn = (t: CodeDeployTargetConfig) =>
    `${arnPrefix('codedeploy')}:deploymentgroup:${t.application}/${t.deploymentGroup}`;
  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
  const grantingAction = (statements: Statement[], action: string) =>
    statements.filter((s) => s.Effect === 'Allow' && asList(s.Action).includes(action));
  const resourcesOf = (statements: Statement[]) =>
    statements.flatMap((s) => asList(s.Resource)).map((r) => evaluate(r));
  const identityStatements = () =>
    Object.values(resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .flatMap((r) => r.Properties.PolicyDocument.Statement as Statement[]);
  /** The rules of `source`'s state-change events, or with `cloudTrail` of its API call records. */
  const eventRules = (source: string, cloudTrail = false) =>
    ofType('AWS::Events::Rule').filter(
      ([, r]) =>
        r.Properties.EventPattern?.source?.[0] === source &&
        (r.Properties.EventPattern['detail-type'][0] === DETAIL_TYPE.cloudTrailApiCall) === cloudTrail,
    );
  const actingHandlers = (): [string, () => string][] => [
    ['alarm handler', () => alarmHandlerId],
    ['sweep', () => sweepHandlerId],
    ['operator', () => operatorId],
  ];
  const allHandlers = (): [string, () => string][] => [
    ...actingHandlers(),
    ['deployment handler', () => deploymentHandlerId],
  ];
  const everyFunction = (): [string, () => string][] => [
    ...allHandlers(),
    ['Slack notifier', () => slackNotifierId],
  ];
  const alarmArn = (name: string) => `${arnPrefix('cloudwatch')}:alarm:${name}`;
  const stageArn = (freeze: { pipeline: string; stage: string }) =>
    `${arnPrefix('codepipeline')}:${freeze.pipeline}/${freeze.stage}`;
  const frozenStages = () => config.targets.flatMap((t) => (t.freeze ? [stageArn(t.freeze)] : []));
  const slackSecretArn = () =>
    `${arnPrefix('secretsmanager')}:secret:${config.notifications!.slackWebhookSecretName!}-??????`;

  beforeAll(() => {
    stack = new WatchdogStack(appWithoutBundling(), 'RollbackWatchdog', { config });
    template = Template.fromStack(stack);
    resources = template.toJSON().Resources;
    alarmHandlerId = logicalIdOf(stack, stack.watchdog.alarmHandler);
    deploymentHandlerId = logicalIdOf(stack, stack.watchdog.deploymentHandler);
    sweepHandlerId = logicalIdOf(stack, stack.watchdog.sweepHandler);
    operatorId = logicalIdOf(stack, stack.watchdog.operatorFunction);
    slackNotifierId = logicalIdOf(stack, stack.watchdog.slackNotifier!);
  });

  it('is the mixed fleet the example promises: ECS services and a CodeDeploy deployment group', () => {
    expect(ecsTargets.length).toBeGreaterThan(0);
    expect(codeDeployTargets.length).toBeGreaterThan(0);
  });

  it('shows approval mode, a deploy freeze and a Slack webhook secret', () => {
    expect(config.targets.some((t) => t.mode === 'approval')).toBe(true);
    expect(frozenStages().length).toBeGreaterThan(0);
    expect(config.notifications?.slackWebhookSecretName).toBeDefined();
  });

  describe('IAM', () => {
    // No Action "*", no service-wide wildcard, no iam:PassRole, rollback actions only on the protected
    // resources: security.test.ts (RELIABILITY #23), over this stack and the construct with every option.

    it('allows Resource "*" in identity policies only for actions without resource-level permissions', () => {
      const wildcardActions = identityStatements()
        .filter((s) => s.Effect === 'Allow' && asList(s.Resource).includes('*'))
        .flatMap((s) => asList(s.Action));
      expect(new Set(wildcardActions)).toEqual(
        new Set([
          'xray:PutTraceSegments',
          'xray:PutTelemetryRecords',
          // No resource type in the Service Authorization Reference.
          'codedeploy:StopDeployment',
          // Composite alarms are only visible on "*" (docs/architecture.md, "AWS behaviour it relies on").
          'cloudwatch:DescribeAlarms',
          // No resource type in the Service Authorization Reference.
          'ecs:DescribeTaskDefinition',
        ]),
      );
    });

    it('grants cloudwatch:DescribeAlarms ("*") to the sweep only', () => {
      const granted = grantingAction(identityStatements(), 'cloudwatch:DescribeAlarms');
      expect(granted).toEqual(
        grantingAction(roleStatements(template, sweepHandlerId), 'cloudwatch:DescribeAlarms'),
      );
      expect(resourcesOf(granted)).toEqual(['*']);
    });

    it('grants the rollback actions to the alarm handler, the sweep and the operator only', () => {
      for (const action of [
        'ecs:UpdateService',
        'ecs:StopServiceDeployment',
        'codedeploy:CreateDeployment',
        'codedeploy:StopDeployment',
      ]) {
        const granted = grantingAction(identityStatements(), action);
        expect(granted.length).toBeGreaterThanOrEqual(3);
        expect(new Set(granted)).toEqual(
          new Set(
            [alarmHandlerId, sweepHandlerId, operatorId].flatMap((id) =>
              grantingAction(roleStatements(template, id), action),
            ),
          ),
        );
      }
    });

    it('gives the operator exactly the alarm handler’s ECS and CodeDeploy permissions', () => {
      const scoped = (id: string) =>
        roleStatements(template, id)
          .flatMap((s) =>
            asList(s.Action)
              .filter((a) => a.startsWith('ecs:') || a.startsWith('codedeploy:'))
              .flatMap((a) => asList(s.Resource).map((r) => `${a} ${evaluate(r)}`)),
          )
          .sort();
      expect(scoped(operatorId)).toEqual(scoped(alarmHandlerId));
      expect(scoped(operatorId).length).toBeGreaterThan(0);
    });

    it('lets only the operator force alarm states (drills), and only of the configured alarms', () => {
      const granted = grantingAction(identityStatements(), 'cloudwatch:SetAlarmState');
      expect(granted).toEqual(
        grantingAction(roleStatements(template, operatorId), 'cloudwatch:SetAlarmState'),
      );
      const names = [...new Set(config.targets.flatMap((t) => t.alarms))];
      expect(resourcesOf(granted).sort()).toEqual(names.map(alarmArn).sort());
    });

    it('lets the alarm handler, the sweep and the operator disable transitions of the configured stages only', () => {
      for (const id of [alarmHandlerId, sweepHandlerId, operatorId]) {
        const granted = grantingAction(roleStatements(template, id), 'codepipeline:DisableStageTransition');
        expect(resourcesOf(granted)).toEqual(frozenStages());
      }
      expect(
        grantingAction(roleStatements(template, deploymentHandlerId), 'codepipeline:DisableStageTransition'),
      ).toEqual([]);
    });

    it('lets only the operator enable transitions again (resume), of the configured stages only', () => {
      const granted = grantingAction(identityStatements(), 'codepipeline:EnableStageTransition');
      expect(granted).toEqual(
        grantingAction(roleStatements(template, operatorId), 'codepipeline:EnableStageTransition'),
      );
      expect(resourcesOf(granted)).toEqual(frozenStages());
      const codepipelineActions = identityStatements()
        .flatMap((s) => asList(s.Action))
        .filter((a) => a.startsWith('codepipeline:'));
      expect(new Set(codepipelineActions)).toEqual(
        new Set(['codepipeline:DisableStageTransition', 'codepipeline:EnableStageTransition']),
      );
    });

    it.each(allHandlers())('%s: may describe task definitions (image changes in notifications)', (_n, id) => {
      expect(
        resourcesOf(grantingAction(roleStatements(template, id()), 'ecs:DescribeTaskDefinition')),
      ).toEqual(['*']);
    });

    it.each(allHandlers())(
      '%s: may describe service revisions (image digests in notifications) of the configured clusters only',
      (_n, id) => {
        const clusters = [...new Set(ecsTargets.map((t) => t.cluster))];
        expect(
          resourcesOf(grantingAction(roleStatements(template, id()), 'ecs:DescribeServiceRevisions')).sort(),
        ).toEqual(clusters.map((c) => `${arnPrefix('ecs')}:service-revision/${c}/*`).sort());
      },
    );

    it('grants ecs:DescribeServiceRevisions to the handlers that announce rollbacks and to no other role', () => {
      const granted = grantingAction(identityStatements(), 'ecs:DescribeServiceRevisions');
      expect(new Set(granted)).toEqual(
        new Set(
          allHandlers().flatMap(([, id]) =>
            grantingAction(roleStatements(template, id()), 'ecs:DescribeServiceRevisions'),
          ),
        ),
      );
    });

    it.each(allHandlers())(
      '%s: may read ECR images and lifecycle policies (viability, retention) of its own account and region only',
      (_n, id) => {
        const statements = roleStatements(template, id());
        for (const action of ['ecr:DescribeImages', 'ecr:GetLifecyclePolicy']) {
          expect(resourcesOf(grantingAction(statements, action))).toEqual([
            `${arnPrefix('ecr')}:repository/*`,
          ]);
        }
        const ecrActions = statements.flatMap((s) => asList(s.Action)).filter((a) => a.startsWith('ecr:'));
        expect(new Set(ecrActions)).toEqual(new Set(['ecr:DescribeImages', 'ecr:GetLifecyclePolicy']));
      },
    );

    it('grants the ECR reads to the handlers that announce rollbacks and to no other role', () => {
      const granted = grantingAction(identityStatements(), 'ecr:DescribeImages');
      expect(new Set(granted)).toEqual(
        new Set(
          allHandlers().flatMap(([, id]) =>
            grantingAction(roleStatements(template, id()), 'ecr:DescribeImages'),
          ),
        ),
      );
    });

    it.each(actingHandlers())('%s: scopes ecs:UpdateService to the configured services', (_n, id) => {
      expect(resourcesOf(grantingAction(roleStatements(template, id()), 'ecs:UpdateService')).sort()).toEqual(
        ecsTargets.map(serviceArn).sort(),
      );
    });

    it.each(actingHandlers())(
      '%s: scopes ecs:StopServiceDeployment to the configured services and their service deployments',
      (_n, id) => {
        const statements = roleStatements(template, id());
        expect(resourcesOf(grantingAction(statements, 'ecs:StopServiceDeployment')).sort()).toEqual(
          [...ecsTargets.map(serviceArn), ...ecsTargets.map(deploymentsArn)].sort(),
        );
      },
    );

    it.each(actingHandlers())(
      '%s: may read, stop and redeploy exactly the configured CodeDeploy groups',
      (_n, id) => {
        const statements = roleStatements(template, id());
        for (const action of [
          'codedeploy:GetDeploymentGroup',
          'codedeploy:ListDeployments',
          'codedeploy:BatchGetDeployments',
          'codedeploy:GetDeployment',
          'codedeploy:CreateDeployment',
        ]) {
          expect(resourcesOf(grantingAction(statements, action))).toEqual(codeDeployTargets.map(groupArn));
        }
        expect(resourcesOf(grantingAction(statements, 'codedeploy:StopDeployment'))).toEqual(['*']);
        // What CreateDeployment needs besides the group (CodeDeploy permissions reference, footnote 1).
        expect(resourcesOf(grantingAction(statements, 'codedeploy:GetApplicationRevision'))).toEqual([
          ...new Set(codeDeployTargets.map((t) => `${arnPrefix('codedeploy')}:application:${t.application}`)),
        ]);
        expect(resourcesOf(grantingAction(statements, 'codedeploy:GetDeploymentConfig'))).toEqual([
          `${arnPrefix('codedeploy')}:deploymentconfig:*`,
        ]);
      },
    );

    it('lets the deployment handler only read the configured services and deployment groups', () => {
      const statements = roleStatements(template, deploymentHandlerId);
      const actions = statements.flatMap((s) => asList(s.Action));
      expect(new Set(actions.filter((a) => a.startsWith('ecs:')))).toEqual(
        new Set([
          'ecs:DescribeServices',
          'ecs:ListServiceDeployments',
          'ecs:DescribeTaskDefinition',
          'ecs:DescribeServiceRevisions',
        ]),
      );
      expect(new Set(actions.filter((a) => a.startsWith('codedeploy:')))).toEqual(
        new Set([
          'codedeploy:GetDeploymentGroup',
          'codedeploy:ListDeployments',
          'codedeploy:BatchGetDeployments',
          'codedeploy:GetDeployment',
          'codedeploy:GetApplicationRevision',
        ]),
      );
      // The viability preflight: is a known-good revision still registered? On the applications only.
      expect(resourcesOf(grantingAction(statements, 'codedeploy:GetApplicationRevision'))).toEqual([
        ...new Set(codeDeployTargets.map((t) => `${arnPrefix('codedeploy')}:application:${t.application}`)),
      ]);
      expect(resourcesOf(grantingAction(statements, 'ecs:DescribeServices')).sort()).toEqual(
        ecsTargets.map(serviceArn).sort(),
      );
      expect(resourcesOf(grantingAction(statements, 'codedeploy:GetDeployment'))).toEqual(
        codeDeployTargets.map(groupArn),
      );
    });

    it('lets every handler use the table and publish to the topic with its key', () => {
      const tableArn = `<${logicalIdOf(stack, stack.watchdog.stateTable)}.Arn>`;
      const topicArn = `<${logicalIdOf(stack, stack.watchdog.notificationTopic)}>`;
      const keyArn = `<${logicalIdOf(stack, stack.watchdog.topicKey!)}.Arn>`;
      for (const id of [alarmHandlerId, deploymentHandlerId, sweepHandlerId, operatorId]) {
        const statements = roleStatements(template, id);
        expect(resourcesOf(grantingAction(statements, 'dynamodb:PutItem'))).toEqual([tableArn]);
        expect(resourcesOf(grantingAction(statements, 'dynamodb:Query'))).toEqual([tableArn]);
        expect(resourcesOf(grantingAction(statements, 'sns:Publish'))).toEqual([topicArn]);
        expect(resourcesOf(grantingAction(statements, 'kms:GenerateDataKey*'))).toEqual([keyArn]);
      }
    });
  });

  describe('Lambda handlers', () => {
    it('are the rule targets: one per event source, the sweep on its schedule', () => {
      const targetArns = ofType('AWS::Events::Rule').flatMap(([, r]) =>
        (r.Properties.Targets as { Arn: unknown }[]).map((t) => evaluate(t.Arn)),
      );
      expect(new Set(targetArns)).toEqual(
        new Set([`<${alarmHandlerId}.Arn>`, `<${deploymentHandlerId}.Arn>`, `<${sweepHandlerId}.Arn>`]),
      );
    });

    it.each(allHandlers())('%s: runtime, tracing, sizing and environment', (_name, id) => {
      expect(resources[id()].Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        MemorySize: 512,
        // The sweep reads targets one after another: longer than the event handlers' 30 s.
        Timeout: id() === sweepHandlerId ? 300 : 30,
        TracingConfig: { Mode: 'Active' },
        Handler: 'index.handler',
      });
      const variables = resources[id()].Properties.Environment.Variables;
      expect(variables).toMatchObject({
        [ENV.tableName]: { Ref: logicalIdOf(stack, stack.watchdog.stateTable) },
        [ENV.topicArn]: { Ref: logicalIdOf(stack, stack.watchdog.notificationTopic) },
        [ENV.stackName]: 'RollbackWatchdog',
        [ENV.configVersion]: expect.stringMatching(/^[0-9a-f]{16}$/),
        [POWERTOOLS_ENV.serviceName]: SERVICE_NAME,
        [POWERTOOLS_ENV.metricsNamespace]: METRICS_NAMESPACE,
      });
    });

    it('Slack notifier: the same runtime settings, told only which secret to read', () => {
      expect(resources[slackNotifierId].Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        MemorySize: 512,
        Timeout: 30,
        TracingConfig: { Mode: 'Active' },
        Handler: 'index.handler',
      });
      const variables = resources[slackNotifierId].Properties.Environment.Variables;
      expect(evaluate(variables[ENV.slackSecretArn])).toBe(
        `${arnPrefix('secretsmanager')}:secret:${config.notifications!.slackWebhookSecretName!}`,
      );
      expect(variables[ENV.tableName]).toBeUndefined();
      expect(variables[ENV.topicArn]).toBeUndefined();
    });

    it.each(everyFunction().filter(([name]) => name !== 'operator'))(
      '%s: on-failure destination, two retries, bounded event age',
      (_name, id) => {
        const dlqArn = `<${logicalIdOf(stack, stack.watchdog.deadLetterQueue)}.Arn>`;
        const configs = ofType('AWS::Lambda::EventInvokeConfig').filter(
          ([, r]) => r.Properties.FunctionName.Ref === id(),
        );
        expect(configs).toHaveLength(1);
        const props = configs[0][1].Properties;
        expect(evaluate(props.DestinationConfig.OnFailure.Destination)).toBe(dlqArn);
        expect(props.MaximumRetryAttempts).toBe(2);
        expect(props.MaximumEventAgeInSeconds).toBeLessThanOrEqual(3600);
      },
    );

    it('the operator functions, which only their Function URLs invoke (synchronously), have no async retries', () => {
      for (const fn of [stack.watchdog.operatorFunction, stack.watchdog.operatorReadFunction]) {
        const fnId = logicalIdOf(stack, fn);
        expect(
          ofType('AWS::Lambda::EventInvokeConfig').filter(([, r]) => r.Properties.FunctionName.Ref === fnId),
        ).toEqual([]);
      }
    });

    it('every function (custom-resource provider included) logs to a log group with retention', () => {
      const functions = ofType('AWS::Lambda::Function');
      expect(functions.length).toBeGreaterThanOrEqual(4);
      for (const [, fn] of functions) {
        const logGroupId = fn.Properties.LoggingConfig.LogGroup.Ref as string;
        expect(resources[logGroupId].Type).toBe('AWS::Logs::LogGroup');
        expect(resources[logGroupId].Properties.RetentionInDays).toBe(30);
      }
      template.resourceCountIs('Custom::LogRetention', 0);
    });
  });

  describe('EventBridge rules', () => {
    it('match alarm state changes of exactly the configured alarms, in one rule', () => {
      const names = [...new Set(config.targets.flatMap((t) => t.alarms))];
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: {
          source: [EVENT_SOURCE.cloudwatch],
          'detail-type': [DETAIL_TYPE.alarmStateChange],
          detail: { alarmName: names },
        },
      });
    });

    it('match deployment state changes of exactly the configured service ARNs', () => {
      const rules = eventRules(EVENT_SOURCE.ecs);
      expect(rules).toHaveLength(1);
      const pattern = rules[0][1].Properties.EventPattern;
      expect(pattern['detail-type']).toEqual([DETAIL_TYPE.ecsDeploymentStateChange]);
      expect(pattern.source).toEqual([EVENT_SOURCE.ecs]);
      expect((pattern.resources as unknown[]).map(evaluate)).toEqual(ecsTargets.map(serviceArn));
    });

    it('match CodeDeploy state changes of exactly the configured deployment group ARNs', () => {
      const rules = eventRules(EVENT_SOURCE.codedeploy);
      expect(rules).toHaveLength(1);
      const { EventPattern: pattern, Targets: targets } = rules[0][1].Properties;
      expect(Object.keys(pattern).sort()).toEqual(['detail-type', 'resources', 'source']);
      expect(pattern.source).toEqual([EVENT_SOURCE.codedeploy]);
      expect(pattern['detail-type']).toEqual([DETAIL_TYPE.codeDeployStateChange]);
      expect((pattern.resources as unknown[]).map(evaluate)).toEqual(codeDeployTargets.map(groupArn));
      expect((targets as { Arn: unknown }[]).map((t) => evaluate(t.Arn))).toEqual([
        `<${deploymentHandlerId}.Arn>`,
      ]);
    });

    it('match the CloudTrail records of the calls that deploy the configured services and applications', () => {
      const [[, ecsRule], ...moreEcs] = eventRules(EVENT_SOURCE.ecs, true);
      expect(moreEcs).toEqual([]);
      const ecsPattern = ecsRule.Properties.EventPattern;
      expect(ecsPattern.detail.eventName).toEqual(['CreateService', 'UpdateService']);
      expect(ecsPattern.detail.errorCode).toEqual([{ exists: false }]);
      expect((ecsPattern.detail.responseElements.service.serviceArn as unknown[]).map(evaluate)).toEqual(
        ecsTargets.map(serviceArn),
      );
      const [[, codeDeployRule], ...moreCodeDeploy] = eventRules(EVENT_SOURCE.codedeploy, true);
      expect(moreCodeDeploy).toEqual([]);
      const codeDeployPattern = codeDeployRule.Properties.EventPattern;
      expect(codeDeployPattern.detail.eventName).toEqual(['CreateDeployment']);
      expect(codeDeployPattern.detail.requestParameters.applicationName).toEqual([
        ...new Set(codeDeployTargets.map((t) => t.application)),
      ]);
      for (const rule of [ecsRule, codeDeployRule]) {
        expect((rule.Properties.Targets as { Arn: unknown }[]).map((t) => evaluate(t.Arn))).toEqual([
          `<${deploymentHandlerId}.Arn>`,
        ]);
      }
    });

    it('run the sweep on the default schedule, every 5 minutes', () => {
      const schedules = ofType('AWS::Events::Rule').filter(([, r]) => r.Properties.ScheduleExpression);
      expect(schedules).toHaveLength(1);
      const { ScheduleExpression, Targets: targets } = schedules[0][1].Properties;
      expect(ScheduleExpression).toBe('rate(5 minutes)');
      expect((targets as { Arn: unknown }[]).map((t) => evaluate(t.Arn))).toEqual([
        `<${sweepHandlerId}.Arn>`,
      ]);
    });

    it('deliver with a DLQ, bounded retries and bounded event age', () => {
      for (const [, rule] of ofType('AWS::Events::Rule')) {
        for (const target of rule.Properties.Targets) {
          expect(evaluate(target.DeadLetterConfig.Arn)).toBe(
            `<${logicalIdOf(stack, stack.watchdog.deadLetterQueue)}.Arn>`,
          );
          expect(target.RetryPolicy.MaximumEventAgeInSeconds).toBeLessThanOrEqual(3600);
          expect(target.RetryPolicy.MaximumRetryAttempts).toBeGreaterThan(0);
        }
      }
    });

    it('go live only after the config item is written', () => {
      const writerId = Object.entries(resources).find(([, r]) => r.Type === CONFIG_WRITER_RESOURCE_TYPE)![0];
      for (const [id] of ofType('AWS::Events::Rule')) {
        expect(template.toJSON().Resources[id].DependsOn).toContain(writerId);
      }
    });
  });

  describe('state table', () => {
    it('has the contract key schema, TTL, on-demand billing, PITR and encryption, and is retained', () => {
      template.hasResource('AWS::DynamoDB::Table', {
        Properties: {
          KeySchema: [
            { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
            { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
          ],
          AttributeDefinitions: [
            { AttributeName: TABLE.partitionKey, AttributeType: 'S' },
            { AttributeName: TABLE.sortKey, AttributeType: 'S' },
          ],
          TimeToLiveSpecification: { AttributeName: TABLE.ttlAttribute, Enabled: true },
          BillingMode: 'PAY_PER_REQUEST',
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          SSESpecification: { SSEEnabled: true },
        },
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
    });
  });

  describe('runtime config item', () => {
    const writer = () => Object.values(resources).find((r) => r.Type === CONFIG_WRITER_RESOURCE_TYPE)!;
    const configWriterFn = () => stack.watchdog.configWriterFunction;

    it('is written by the config writer function from an S3 asset, into the state table', () => {
      const { Properties: props } = writer();
      expect(props.ServiceToken).toEqual({ 'Fn::GetAtt': [logicalIdOf(stack, configWriterFn()), 'Arn'] });
      expect(props[CONFIG_WRITER_PROPERTY.tableName]).toEqual({
        Ref: logicalIdOf(stack, stack.watchdog.stateTable),
      });
      expect(evaluate(props[CONFIG_WRITER_PROPERTY.bucket])).toMatch(
        /^cdk-\w+-assets-123456789012-us-east-1$/,
      );
      expect(props[CONFIG_WRITER_PROPERTY.key]).toMatch(/^[0-9a-f]{64}\.json$/);
    });

    it('holds the config the boundary resolves from the same file, deploy-time values substituted', () => {
      expect(writtenConfig(stack, template)).toEqual(
        resolveRuntimeConfig(config, { account: PSEUDO['AWS::AccountId'], region: PSEUDO['AWS::Region'] }),
      );
      // The account and region are the only deploy-time values of a config file.
      expect(writer().Properties[CONFIG_WRITER_PROPERTY.substitutions]).toEqual([
        { Ref: 'AWS::AccountId' },
        { Ref: 'AWS::Region' },
      ]);
    });

    it('keeps the template small: the config is not inlined', () => {
      expect(JSON.stringify(writer()).length).toBeLessThan(1_000);
    });

    it('is written after every handler is updated, so no function reads an item format it does not know', () => {
      const writerId = Object.entries(resources).find(([, r]) => r.Type === CONFIG_WRITER_RESOURCE_TYPE)![0];
      const dependsOn = template.toJSON().Resources[writerId].DependsOn as string[];
      for (const fn of [
        stack.watchdog.alarmHandler,
        stack.watchdog.deploymentHandler,
        stack.watchdog.sweepHandler,
        stack.watchdog.operatorFunction,
      ]) {
        expect(dependsOn).toContain(logicalIdOf(stack, fn));
      }
    });

    it('may read only its own asset object, and the function has tracing, its log group and the DLQ', () => {
      const statements = roleStatements(template, logicalIdOf(stack, configWriterFn()));
      const reads = statements.filter((s) => asList(s.Action).some((a) => a.startsWith('s3:')));
      expect(reads.flatMap((s) => asList(s.Action))).toEqual(['s3:GetObject']);
      const key = writer().Properties[CONFIG_WRITER_PROPERTY.key] as string;
      expect(reads.map((s) => evaluate(s.Resource))).toEqual([
        `arn:aws:s3:::${evaluate(writer().Properties[CONFIG_WRITER_PROPERTY.bucket])}/${key}`,
      ]);
      const fn = resources[logicalIdOf(stack, configWriterFn())].Properties;
      expect(fn.TracingConfig).toEqual({ Mode: 'Active' });
      expect(fn.LoggingConfig.LogGroup).toBeDefined();
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: logicalIdOf(stack, configWriterFn()) },
        DestinationConfig: {
          OnFailure: {
            Destination: { 'Fn::GetAtt': [logicalIdOf(stack, stack.watchdog.deadLetterQueue), 'Arn'] },
          },
        },
      });
    });

    it('may only PutItem on the state table', () => {
      const policies = ofType('AWS::IAM::Policy').filter(([, r]) =>
        (r.Properties.PolicyDocument.Statement as Statement[]).some((s) =>
          asList(s.Action).includes('dynamodb:PutItem'),
        ),
      );
      const writerStatements = policies
        .flatMap(([, r]) => r.Properties.PolicyDocument.Statement as Statement[])
        .filter((s) => asList(s.Action).length === 1 && asList(s.Action)[0] === 'dynamodb:PutItem');
      expect(resourcesOf(writerStatements)).toEqual([
        `<${logicalIdOf(stack, stack.watchdog.stateTable)}.Arn>`,
      ]);
    });
  });

  describe('notifications', () => {
    it('encrypts the topic with a rotating customer-managed key that CloudWatch and EventBridge may use', () => {
      const keyId = logicalIdOf(stack, stack.watchdog.topicKey!);
      template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
      expect(resources[keyId].Properties.EnableKeyRotation).toBe(true);
      const services = (resources[keyId].Properties.KeyPolicy.Statement as Statement[])
        .filter((s) => s.Effect === 'Allow' && (s.Principal as { Service?: unknown } | undefined)?.Service)
        .filter(
          (s) =>
            asList(s.Action).includes('kms:Decrypt') && asList(s.Action).includes('kms:GenerateDataKey*'),
        )
        .flatMap((s) => asList((s.Principal as { Service: string | string[] }).Service));
      expect(new Set(services)).toEqual(new Set(['cloudwatch.amazonaws.com', 'events.amazonaws.com']));
    });

    it('enforces SSL on the topic and lets this account’s alarms publish', () => {
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 'sns:Publish',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
            Match.objectLike({
              Effect: 'Allow',
              Action: 'sns:Publish',
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Condition: Match.objectLike({
                StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              }),
            }),
          ]),
        },
      });
    });

    it('subscribes the configured emails with a redrive policy to the DLQ', () => {
      template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: config.notifications!.emails![0],
        RedrivePolicy: {
          deadLetterTargetArn: {
            'Fn::GetAtt': [logicalIdOf(stack, stack.watchdog.deadLetterQueue), 'Arn'],
          },
        },
      });
    });
  });

  describe('operator entry point', () => {
    it('has a Function URL with AWS_IAM auth, the read-only operator another, and no other URL', () => {
      const urls = ofType('AWS::Lambda::Url');
      expect(urls.map(([, u]) => u.Properties)).toEqual([
        { AuthType: 'AWS_IAM', TargetFunctionArn: { 'Fn::GetAtt': [operatorId, 'Arn'] } },
        {
          AuthType: 'AWS_IAM',
          TargetFunctionArn: {
            'Fn::GetAtt': [logicalIdOf(stack, stack.watchdog.operatorReadFunction), 'Arn'],
          },
        },
      ]);
    });

    it('lets nobody invoke it through a resource policy unless operatorPrincipals say so', () => {
      const permissions = ofType('AWS::Lambda::Permission').filter(
        ([, p]) => evaluate(p.Properties.FunctionName) === `<${operatorId}.Arn>`,
      );
      expect(permissions).toEqual([]);
    });

    it('uses the table and the topic like the other handlers', () => {
      const statements = roleStatements(template, operatorId);
      expect(resourcesOf(grantingAction(statements, 'dynamodb:UpdateItem'))).toEqual([
        `<${logicalIdOf(stack, stack.watchdog.stateTable)}.Arn>`,
      ]);
      expect(resourcesOf(grantingAction(statements, 'sns:Publish'))).toEqual([
        `<${logicalIdOf(stack, stack.watchdog.notificationTopic)}>`,
      ]);
    });
  });

  describe('stack outputs', () => {
    it('carry the contract names, with no export', () => {
      const outputs = template.toJSON().Outputs as Record<string, { Value: unknown; Export?: unknown }>;
      expect(Object.keys(outputs).sort()).toEqual(Object.values(STACK_OUTPUT).sort());
      expect(outputs[STACK_OUTPUT.operatorUrl].Value).toEqual({
        'Fn::GetAtt': [logicalIdOf(stack, stack.watchdog.operatorUrl as never), 'FunctionUrl'],
      });
      expect(outputs[STACK_OUTPUT.operatorFunctionName].Value).toEqual({ Ref: operatorId });
      expect(outputs[STACK_OUTPUT.tableName].Value).toEqual({
        Ref: logicalIdOf(stack, stack.watchdog.stateTable),
      });
      expect(outputs[STACK_OUTPUT.topicArn].Value).toEqual({
        Ref: logicalIdOf(stack, stack.watchdog.notificationTopic),
      });
      for (const output of Object.values(outputs)) expect(output.Export).toBeUndefined();
    });
  });

  describe('Slack webhook notifier', () => {
    it('may read the one configured secret and nothing else', () => {
      const statements = roleStatements(template, slackNotifierId);
      const secretStatements = statements.filter((s) =>
        asList(s.Action).some((a) => a.startsWith('secretsmanager:')),
      );
      expect(secretStatements).toEqual([
        {
          Effect: 'Allow',
          Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
          Resource: expect.anything(),
        },
      ]);
      expect(resourcesOf(secretStatements)).toEqual([slackSecretArn()]);
      const actions = statements.flatMap((s) => asList(s.Action));
      expect(
        actions.filter((a) => /^(dynamodb|sns|kms|ecs|codedeploy|codepipeline|cloudwatch):/.test(a)),
      ).toEqual([]);
    });

    it('is the only function that may read a secret', () => {
      const readers = identityStatements().filter((s) =>
        asList(s.Action).includes('secretsmanager:GetSecretValue'),
      );
      expect(readers).toEqual(
        grantingAction(roleStatements(template, slackNotifierId), 'secretsmanager:GetSecretValue'),
      );
      expect(resourcesOf(readers)).toEqual([slackSecretArn()]);
    });

    it('is subscribed to the topic, with a redrive policy to the DLQ', () => {
      template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'lambda',
        TopicArn: { Ref: logicalIdOf(stack, stack.watchdog.notificationTopic) },
        Endpoint: { 'Fn::GetAtt': [slackNotifierId, 'Arn'] },
        RedrivePolicy: {
          deadLetterTargetArn: { 'Fn::GetAtt': [logicalIdOf(stack, stack.watchdog.deadLetterQueue), 'Arn'] },
        },
      });
      template.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        FunctionName: { 'Fn::GetAtt': [slackNotifierId, 'Arn'] },
        Principal: 'sns.amazonaws.com',
        SourceArn: { Ref: logicalIdOf(stack, stack.watchdog.notificationTopic) },
      });
    });
  });

  describe('dead-letter queue', () => {
    it('is encrypted, keeps messages 14 days and enforces SSL', () => {
      const dlqId = logicalIdOf(stack, stack.watchdog.deadLetterQueue);
      expect(resources[dlqId].Properties).toMatchObject({
        SqsManagedSseEnabled: true,
        MessageRetentionPeriod: 1209600,
      });
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: dlqId }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
            Match.objectLike({
              Effect: 'Allow',
              Principal: { Service: 'events.amazonaws.com' },
              Action: 'sqs:SendMessage',
            }),
          ]),
        },
      });
    });

    // Every topic and queue encrypted and SSL-only: security.test.ts (RELIABILITY #23).

    it('raises an alarm to the topic as soon as anything lands in it', () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Namespace: 'AWS/SQS',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmActions: [{ Ref: logicalIdOf(stack, stack.watchdog.notificationTopic) }],
      });
    });
  });
});

describe('WatchdogStack from a config with only CodeDeploy targets and a sweep interval', () => {
  const config: WatchdogConfig = {
    defaults: { sweepIntervalMinutes: 15 },
    targets: [
      {
        id: 'payments',
        type: 'codedeploy',
        application: 'payments',
        deploymentGroup: 'payments-prod',
        alarms: ['payments-errors'],
      },
      {
        id: 'api',
        type: 'codedeploy',
        application: 'api',
        deploymentGroup: 'api-live',
        alarms: ['api-5xx'],
        mode: 'dry-run',
      },
    ],
  };
  let stack: WatchdogStack;
  let template: Template;

  beforeAll(() => {
    stack = new WatchdogStack(appWithoutBundling(), 'RollbackWatchdog', { config });
    template = Template.fromStack(stack);
  });

  it('runs the sweep at the configured interval and writes it into the config item', () => {
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(15 minutes)' });
    expect(writtenConfig(stack, template)).toEqual(
      resolveRuntimeConfig(config, { account: PSEUDO['AWS::AccountId'], region: PSEUDO['AWS::Region'] }),
    );
  });

  it('has no ECS rule and grants no ECS action when no ECS service is protected', () => {
    const patterns = Object.values(template.findResources('AWS::Events::Rule')).map(
      (r) => r.Properties.EventPattern as { source: string[] } | undefined,
    );
    expect(patterns.map((p) => p?.source[0]).sort()).toEqual([
      EVENT_SOURCE.cloudwatch,
      EVENT_SOURCE.codedeploy,
      // Its CloudTrail records of CreateDeployment (who deployed).
      EVENT_SOURCE.codedeploy,
      undefined,
    ]);
    const ecsActions = allStatements(template)
      .flatMap(({ statement }) => asList(statement.Action))
      .filter((a) => a.startsWith('ecs:'));
    expect(ecsActions).toEqual([]);
  });
});
