import { App, ArnFormat, Stack, Validations } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { acknowledge, nagFindingValue } from '../../../lib/private/nag';

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

describe('acknowledge', () => {
  it("records the acknowledgements with aws-cdk-lib's Validations, where cdk-nag 3 reads them", () => {
    const stack = new Stack(new App(), 'Stack');
    const queue = new Queue(stack, 'Queue');
    acknowledge(queue, { id: 'AwsSolutions-SQS3', reason: 'it is the dead-letter queue' });
    const recorded = queue.node.metadata.filter(
      (m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY,
    );
    expect(JSON.stringify(recorded)).toContain('AwsSolutions-SQS3');
    expect(JSON.stringify(recorded)).toContain('it is the dead-letter queue');
  });
});
