import { App, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { RollbackTarget } from '../../../lib';

describe('RollbackTarget.ecsService', () => {
  const stack = new Stack(new App(), 'Stack');

  it('names the service by cluster and service name', () => {
    const target = RollbackTarget.ecsService({
      id: 'web',
      cluster: 'prod',
      serviceName: 'web',
      alarms: ['web-5xx'],
    });
    expect(target).toMatchObject({
      id: 'web',
      type: 'ecs-service',
      ecsService: { clusterName: 'prod', serviceName: 'web' },
      alarmNames: ['web-5xx'],
      policy: {},
      problems: [],
    });
    expect(target.codeDeployGroup).toBeUndefined();
  });

  it('takes the names from a service or cluster construct and alarm names from alarm constructs', () => {
    const service = ecs.BaseService.fromServiceArnWithCluster(
      stack,
      'Service',
      'arn:aws:ecs:us-east-1:123456789012:service/prod/api',
    );
    const alarm = cloudwatch.Alarm.fromAlarmName(stack, 'Alarm', 'api-5xx');
    const fromService = RollbackTarget.ecsService({ id: 'api', service, alarms: [alarm, 'api-p99'] });
    expect(fromService.ecsService).toEqual({ clusterName: 'prod', serviceName: 'api' });
    expect(fromService.alarmNames).toEqual(['api-5xx', 'api-p99']);

    const cluster = ecs.Cluster.fromClusterArn(
      stack,
      'Cluster',
      'arn:aws:ecs:us-east-1:123456789012:cluster/staging',
    );
    const fromCluster = RollbackTarget.ecsService({ id: 'api', cluster, serviceName: 'api', alarms: ['a'] });
    expect(fromCluster.ecsService).toEqual({ clusterName: 'staging', serviceName: 'api' });
  });

  it('drops repeated alarms, which would only duplicate the pattern entry', () => {
    const target = RollbackTarget.ecsService({
      id: 'web',
      cluster: 'p',
      serviceName: 'w',
      alarms: ['a', 'b', 'a'],
    });
    expect(target.alarmNames).toEqual(['a', 'b']);
  });

  it('records conflicting or missing service options as problems instead of throwing', () => {
    const service = ecs.BaseService.fromServiceArnWithCluster(
      stack,
      'Other',
      'arn:aws:ecs:us-east-1:123456789012:service/prod/other',
    );
    expect(RollbackTarget.ecsService({ id: 'x', service, cluster: 'prod', alarms: ['a'] }).problems).toEqual([
      'give either service, or cluster and serviceName, not both',
    ]);
    expect(RollbackTarget.ecsService({ id: 'x', serviceName: 'web', alarms: ['a'] }).problems).toEqual([
      'cluster is required unless service is given',
    ]);
    expect(RollbackTarget.ecsService({ id: 'x', cluster: 'prod', alarms: ['a'] }).problems).toEqual([
      'serviceName is required unless service is given',
    ]);
  });
});

describe('RollbackTarget.ecsService with a service whose deployment controller it cannot drive', () => {
  function serviceWith(controller: ecs.DeploymentControllerType | undefined): ecs.FargateService {
    const stack = new Stack(new App(), 'Stack');
    const cluster = new ecs.Cluster(stack, 'Cluster', {
      vpc: new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0 }),
    });
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task');
    taskDefinition.addContainer('web', { image: ecs.ContainerImage.fromRegistry('nginx') });
    return new ecs.FargateService(stack, 'Service', {
      cluster,
      taskDefinition,
      deploymentController: controller && { type: controller },
    });
  }

  it('names the fix for a CODE_DEPLOY service: protect its deployment group with codeDeployGroup', () => {
    const target = RollbackTarget.ecsService({
      id: 'pay',
      service: serviceWith(ecs.DeploymentControllerType.CODE_DEPLOY),
      alarms: ['a'],
    });
    expect(target.problems).toEqual([
      'the service uses the CODE_DEPLOY deployment controller, so CodeDeploy deploys it; protect its ' +
        'deployment group with RollbackTarget.codeDeployGroup instead',
    ]);
  });

  it('refuses an EXTERNAL service, whose task sets are deployed outside ECS', () => {
    const target = RollbackTarget.ecsService({
      id: 'pay',
      service: serviceWith(ecs.DeploymentControllerType.EXTERNAL),
      alarms: ['a'],
    });
    expect(target.problems).toEqual([expect.stringContaining('EXTERNAL deployment controller')]);
  });

  it('accepts the rolling-update controller, set or by default', () => {
    for (const controller of [ecs.DeploymentControllerType.ECS, undefined]) {
      const target = RollbackTarget.ecsService({
        id: 'web',
        service: serviceWith(controller),
        alarms: ['a'],
      });
      expect(target.problems).toEqual([]);
    }
  });

  it('leaves an imported service to the runtime check: its controller is unknown at synth', () => {
    const stack = new Stack(new App(), 'Stack');
    const service = ecs.BaseService.fromServiceArnWithCluster(
      stack,
      'Imported',
      'arn:aws:ecs:us-east-1:123456789012:service/prod/pay',
    );
    expect(RollbackTarget.ecsService({ id: 'pay', service, alarms: ['a'] }).problems).toEqual([]);
  });
});

describe('RollbackTarget.codeDeployGroup', () => {
  it('names the group by application and deployment group name', () => {
    const target = RollbackTarget.codeDeployGroup({
      id: 'payments',
      application: 'payments',
      deploymentGroupName: 'payments-prod',
      alarms: ['payments-errors', 'payments-errors'],
      policy: { mode: 'dry-run' },
    });
    expect(target).toMatchObject({
      id: 'payments',
      type: 'codedeploy',
      codeDeployGroup: { applicationName: 'payments', deploymentGroupName: 'payments-prod' },
      alarmNames: ['payments-errors'],
      policy: { mode: 'dry-run' },
      problems: [],
    });
    expect(target.ecsService).toBeUndefined();
  });

  it('takes the names from a deployment group construct of any compute platform', () => {
    const stack = new Stack(new App(), 'Stack');
    const ecsGroup = codedeploy.EcsDeploymentGroup.fromEcsDeploymentGroupAttributes(stack, 'Ecs', {
      application: codedeploy.EcsApplication.fromEcsApplicationName(stack, 'EcsApp', 'payments'),
      deploymentGroupName: 'payments-prod',
    });
    const lambdaGroup = codedeploy.LambdaDeploymentGroup.fromLambdaDeploymentGroupAttributes(stack, 'Fn', {
      application: codedeploy.LambdaApplication.fromLambdaApplicationName(stack, 'FnApp', 'api'),
      deploymentGroupName: 'api-live',
    });
    const serverApplication = new codedeploy.ServerApplication(stack, 'ServerApp');
    const serverGroup = new codedeploy.ServerDeploymentGroup(stack, 'Server', {
      application: serverApplication,
    });
    const of = (deploymentGroup: Parameters<typeof RollbackTarget.codeDeployGroup>[0]['deploymentGroup']) =>
      RollbackTarget.codeDeployGroup({ id: 'x', deploymentGroup, alarms: ['a'] }).codeDeployGroup;

    expect(of(ecsGroup)).toEqual({ applicationName: 'payments', deploymentGroupName: 'payments-prod' });
    expect(of(lambdaGroup)).toEqual({ applicationName: 'api', deploymentGroupName: 'api-live' });
    expect(stack.resolve(of(serverGroup))).toEqual({
      applicationName: {
        Ref: stack.getLogicalId(serverApplication.node.defaultChild as codedeploy.CfnApplication),
      },
      deploymentGroupName: {
        Ref: stack.getLogicalId(serverGroup.node.defaultChild as codedeploy.CfnDeploymentGroup),
      },
    });
  });

  it('records conflicting or missing group options as problems instead of throwing', () => {
    const stack = new Stack(new App(), 'Stack');
    const deploymentGroup = codedeploy.EcsDeploymentGroup.fromEcsDeploymentGroupAttributes(stack, 'Ecs', {
      application: codedeploy.EcsApplication.fromEcsApplicationName(stack, 'EcsApp', 'payments'),
      deploymentGroupName: 'payments-prod',
    });
    const problemsOf = (options: Partial<Parameters<typeof RollbackTarget.codeDeployGroup>[0]>) =>
      RollbackTarget.codeDeployGroup({ id: 'x', alarms: ['a'], ...options }).problems;

    expect(problemsOf({ deploymentGroup, application: 'payments' })).toEqual([
      'give either deploymentGroup, or application and deploymentGroupName, not both',
    ]);
    expect(problemsOf({ deploymentGroupName: 'payments-prod' })).toEqual([
      'application is required unless deploymentGroup is given',
    ]);
    expect(problemsOf({ application: 'payments' })).toEqual([
      'deploymentGroupName is required unless deploymentGroup is given',
    ]);
  });
});

describe('RollbackTarget deploy freeze', () => {
  it('has none unless asked', () => {
    expect(
      RollbackTarget.ecsService({ id: 'web', cluster: 'prod', serviceName: 'web', alarms: ['a'] }).freeze,
    ).toBeUndefined();
  });

  it('names the stage by pipeline name, or takes the name from a pipeline construct', () => {
    const stack = new Stack(new App(), 'Stack');
    const pipeline = codepipeline.Pipeline.fromPipelineArn(
      stack,
      'Pipeline',
      'arn:aws:codepipeline:us-east-1:123456789012:web-delivery',
    );
    const byName = RollbackTarget.ecsService({
      id: 'web',
      cluster: 'prod',
      serviceName: 'web',
      alarms: ['a'],
      freeze: { pipeline: 'web-delivery', stage: 'Production' },
    });
    const byConstruct = RollbackTarget.codeDeployGroup({
      id: 'pay',
      application: 'pay',
      deploymentGroupName: 'pay-prod',
      alarms: ['a'],
      freeze: { pipeline, stage: 'Deploy' },
    });
    expect(byName.freeze).toEqual({ pipelineName: 'web-delivery', stageName: 'Production' });
    expect(byConstruct.freeze).toEqual({ pipelineName: 'web-delivery', stageName: 'Deploy', pipeline });
    expect(byName.problems).toEqual([]);
    expect(byConstruct.problems).toEqual([]);
  });
});
