import { DETAIL_TYPE } from '../../../lambda/contract';
import { simTopicArn } from '../../../lambda/sim/world/account';
import { SimWorld } from '../../../lambda/sim/world/world';
import { START_MS, minutes, recordingContext, validScenario } from './support';

const REGION = 'eu-west-1';
const ACCOUNT = '123456789012';
const ALICE = 'arn:aws:sts::123456789012:assumed-role/release-pipeline/alice';

/** A world with an ECS service, a CodeDeploy group, a Lambda alias and their alarms, simulated in eu-west-1. */
function world() {
  const ctx = recordingContext(START_MS, REGION);
  const scenario = validScenario({
    config: {
      targets: [
        {
          id: 'checkout',
          type: 'ecs-service',
          cluster: 'prod',
          service: 'checkout',
          alarms: ['checkout-5xx'],
        },
        {
          id: 'payments',
          type: 'codedeploy',
          application: 'payments',
          deploymentGroup: 'payments-prod',
          alarms: ['payments-errors'],
        },
        {
          id: 'checkout-api',
          type: 'lambda-alias',
          functionName: 'checkout-api',
          alias: 'live',
          alarms: ['api-errors'],
        },
      ],
    },
    world: {
      ecsServices: [
        { cluster: 'prod', service: 'checkout', taskDefinition: 'checkout:41', rolloutSeconds: 120 },
      ],
      codeDeployGroups: [
        { application: 'payments', deploymentGroup: 'payments-prod', revision: 'payments@r7' },
      ],
      lambdaAliases: [{ functionName: 'checkout-api', alias: 'live', version: '7' }],
      alarms: [
        { name: 'checkout-5xx', watches: 'checkout', delaySeconds: 60 },
        { name: 'payments-errors', watches: 'payments' },
        { name: 'api-errors', watches: 'checkout-api' },
      ],
      badVersions: ['checkout:42'],
    },
    timeline: [],
  });
  const sim = new SimWorld(scenario, ctx, () => undefined);
  const table = sim.commands();
  const run = (service: string, op: string, input: Record<string, unknown>) => {
    const command = table[service]?.[op];
    if (!command) throw new Error(`no ${service}:${op}`);
    return command.run(input) as Record<string, any>;
  };
  const emitted = (detailType: string) =>
    ctx.emitted.filter((e) => e.event['detail-type'] === detailType).map((e) => e.event);
  return { ctx, sim, run, emitted };
}

describe('SimWorld in the region of its WorldContext', () => {
  it("emits ECS deployment events and CloudTrail records in the world's region", () => {
    const { sim, emitted } = world();
    sim.deploy('checkout', 'checkout:42', ALICE);

    const [deployment] = emitted(DETAIL_TYPE.ecsDeploymentStateChange);
    expect(deployment).toMatchObject({
      account: ACCOUNT,
      region: REGION,
      resources: [`arn:aws:ecs:${REGION}:${ACCOUNT}:service/prod/checkout`],
    });
    const [call] = emitted(DETAIL_TYPE.cloudTrailApiCall);
    expect(call).toMatchObject({ region: REGION, detail: { awsRegion: REGION } });
    expect(JSON.stringify(call?.detail.responseElements)).not.toContain('us-east-1');
  });

  it("answers ECS and ECR reads with the world's region's ARNs and registry", () => {
    const { sim, run } = world();
    sim.deploy('checkout', 'checkout:42');

    const { services, failures } = run('ecs', 'DescribeServices', {
      cluster: 'prod',
      services: ['checkout', 'missing'],
    });
    expect(services[0]).toMatchObject({
      serviceArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/prod/checkout`,
      clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/prod`,
      taskDefinition: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/checkout:42`,
      currentServiceDeployment: expect.stringMatching(
        new RegExp(`^arn:aws:ecs:${REGION}:${ACCOUNT}:service-deployment/prod/checkout/`),
      ),
    });
    for (const d of services[0].deployments) expect(d.taskDefinition).toMatch(`arn:aws:ecs:${REGION}:`);
    expect(failures).toEqual([
      { arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/prod/missing`, reason: 'MISSING' },
    ]);

    const { serviceDeployments } = run('ecs', 'ListServiceDeployments', {
      cluster: 'prod',
      service: 'checkout',
    });
    expect(serviceDeployments[0]).toMatchObject({
      serviceArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/prod/checkout`,
      targetServiceRevisionArn: expect.stringMatching(
        new RegExp(`^arn:aws:ecs:${REGION}:${ACCOUNT}:service-revision/prod/checkout/`),
      ),
    });

    const { taskDefinition } = run('ecs', 'DescribeTaskDefinition', { taskDefinition: 'checkout:42' });
    expect(taskDefinition).toMatchObject({
      taskDefinitionArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/checkout:42`,
      containerDefinitions: [{ image: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/checkout:42` }],
    });
  });

  it("emits alarm transitions and describes alarms in the world's region", async () => {
    const { ctx, sim, run, emitted } = world();
    sim.deploy('checkout', 'checkout:42');
    await ctx.clock.runUntil(START_MS + minutes(2));

    const [transition] = emitted(DETAIL_TYPE.alarmStateChange);
    expect(transition).toMatchObject({
      region: REGION,
      resources: [`arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:checkout-5xx`],
      detail: { alarmName: 'checkout-5xx', state: { value: 'ALARM' } },
    });
    const { MetricAlarms } = run('cloudwatch', 'DescribeAlarms', { AlarmNames: ['checkout-5xx'] });
    expect(MetricAlarms[0].AlarmArn).toBe(`arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:checkout-5xx`);
  });

  it("emits CodeDeploy state changes in the world's region", () => {
    const { sim, emitted } = world();
    sim.deploy('payments', 'payments@r8', ALICE);

    const [state] = emitted(DETAIL_TYPE.codeDeployStateChange);
    expect(state).toMatchObject({
      region: REGION,
      resources: [
        `arn:aws:codedeploy:${REGION}:${ACCOUNT}:application:payments`,
        `arn:aws:codedeploy:${REGION}:${ACCOUNT}:deploymentgroup:payments/payments-prod`,
      ],
      detail: { region: REGION, application: 'payments', deploymentGroup: 'payments-prod' },
    });
    const [call] = emitted(DETAIL_TYPE.cloudTrailApiCall);
    expect(call).toMatchObject({
      region: REGION,
      detail: { awsRegion: REGION, eventName: 'CreateDeployment' },
    });
  });

  it("knows Lambda functions by the world's region's ARNs only", () => {
    const { run } = world();
    const alias = run('lambda', 'GetAlias', {
      FunctionName: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:checkout-api`,
      Name: 'live',
    });
    expect(alias.AliasArn).toBe(`arn:aws:lambda:${REGION}:${ACCOUNT}:function:checkout-api:live`);
    expect(() =>
      run('lambda', 'GetAlias', {
        FunctionName: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:checkout-api`,
        Name: 'live',
      }),
    ).toThrow(`Function not found: arn:aws:lambda:${REGION}:${ACCOUNT}:function:checkout-api`);
  });

  it("accepts publishes to the watchdog's topic in the world's region only", () => {
    const { run } = world();
    const publish = (region: string) => () =>
      run('sns', 'Publish', { TopicArn: simTopicArn(region), Message: '{}' });
    expect(publish(REGION)()).toEqual({ MessageId: expect.any(String) });
    expect(publish('us-east-1')).toThrow('Topic does not exist');
  });
});
