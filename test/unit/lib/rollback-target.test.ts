import { App, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
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
