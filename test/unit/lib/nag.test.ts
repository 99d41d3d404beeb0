import { App, ArnFormat, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { nagFindingValue } from '../../../lib/private/nag';

describe('nagFindingValue', () => {
  it('renders a token ARN the way cdk-nag names it in finding ids', () => {
    const stack = new Stack(new App(), 'Stack');
    const cluster = new ecs.CfnCluster(stack, 'Cluster');
    const service = new ecs.CfnService(stack, 'Service', { cluster: cluster.ref });
    const arn = stack.formatArn({
      service: 'ecs',
      resource: 'service-deployment',
      resourceName: `${cluster.ref}/${service.attrName}/*`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    expect(nagFindingValue(stack, arn)).toBe(
      'arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:service-deployment/<Cluster>/<Service.Name>/*',
    );
  });

  it('leaves a literal unchanged', () => {
    const stack = new Stack(new App(), 'Stack');
    expect(nagFindingValue(stack, 'arn:aws:ecs:us-east-1:1:service/a/b')).toBe(
      'arn:aws:ecs:us-east-1:1:service/a/b',
    );
  });
});
