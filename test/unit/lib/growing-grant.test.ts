import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { GrowingGrant } from '../../../lib/private/growing-grant';

describe('GrowingGrant', () => {
  function build(arns: string[]) {
    const stack = new Stack(new App(), 'Stack');
    const roles = ['A', 'B'].map(
      (id) => new iam.Role(stack, id, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }),
    );
    const grant = new GrowingGrant(roles, ['ecs:DescribeServices', 'ecs:UpdateService']);
    arns.forEach((arn) => grant.add(arn));
    return Template.fromStack(stack);
  }

  it('attaches nothing until the first resource: IAM rejects a statement without resources', () => {
    build([]).resourceCountIs('AWS::IAM::Policy', 0);
  });

  it('gives every role one statement listing each resource once, in order', () => {
    const a = 'arn:aws:ecs:us-east-1:123456789012:service/prod/a';
    const b = 'arn:aws:ecs:us-east-1:123456789012:service/prod/b';
    const template = build([a, b, a]);
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    expect(policies).toHaveLength(2);
    for (const policy of policies) {
      expect(policy.Properties.PolicyDocument.Statement).toEqual([
        {
          Effect: 'Allow',
          Action: ['ecs:DescribeServices', 'ecs:UpdateService'],
          Resource: [a, b],
        },
      ]);
    }
  });
});
