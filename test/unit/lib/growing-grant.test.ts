import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { maxResolvedLength } from '../../../lib/private/chunked-rules';
import { GrowingGrant, MAX_STATEMENT_RESOURCE_CHARS } from '../../../lib/private/growing-grant';

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

describe('GrowingGrant at fleet scale', () => {
  it('starts a new statement before one could outgrow a managed policy, covering every ARN once', () => {
    const stack = new Stack(new App(), 'Stack');
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const grant = new GrowingGrant([role], ['cloudwatch:SetAlarmState']);
    const arns = Array.from({ length: 200 }, (_, i) =>
      stack.formatArn({
        service: 'cloudwatch',
        resource: 'alarm',
        resourceName: `alarm-number-${i}-of-many`,
      }),
    );
    arns.forEach((arn) => grant.add(arn));
    arns.forEach((arn) => grant.add(arn));
    const template = Template.fromStack(stack);
    const statements = [
      ...Object.values(template.findResources('AWS::IAM::Policy')),
      ...Object.values(template.findResources('AWS::IAM::ManagedPolicy')),
    ].flatMap((p) => p.Properties.PolicyDocument.Statement as { Resource: unknown[] }[]);
    expect(statements.length).toBeGreaterThan(1);
    expect(statements.flatMap((s) => s.Resource)).toHaveLength(arns.length);
    // Each statement holds at most the limit, its ARNs' tokens at their longest.
    const arnOf = new Map(arns.map((arn) => [JSON.stringify(stack.resolve(arn)), arn]));
    for (const statement of statements) {
      const chars = statement.Resource.reduce<number>(
        (sum, resource) => sum + maxResolvedLength(stack, arnOf.get(JSON.stringify(resource))!) + 3,
        0,
      );
      expect(chars).toBeLessThanOrEqual(MAX_STATEMENT_RESOURCE_CHARS);
    }
  });
});
