import { App, ArnFormat, CfnResource, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { maxResolvedLength } from '../../../lib/private/chunked-rules';
import { compactArn, GrowingGrant, MAX_STATEMENT_RESOURCE_CHARS } from '../../../lib/private/growing-grant';
import { evaluate } from '../../infra/helpers';

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
    const arnOf = new Map(arns.map((arn) => [JSON.stringify(stack.resolve(compactArn(stack, arn))), arn]));
    for (const statement of statements) {
      const chars = statement.Resource.reduce<number>(
        (sum, resource) => sum + maxResolvedLength(stack, arnOf.get(JSON.stringify(resource))!) + 3,
        0,
      );
      expect(chars).toBeLessThanOrEqual(MAX_STATEMENT_RESOURCE_CHARS);
    }
  });
});

describe('compactArn', () => {
  const stack = new Stack(new App(), 'Stack');
  const resolved = (arn: string): unknown => stack.resolve(compactArn(stack, arn));

  it('writes an ARN of pseudo parameters as one Fn::Sub string with the same value', () => {
    const arn = stack.formatArn({
      service: 'codedeploy',
      resource: 'application',
      resourceName: 'web-app',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    expect(resolved(arn)).toEqual({
      'Fn::Sub': 'arn:${AWS::Partition}:codedeploy:${AWS::Region}:${AWS::AccountId}:application:web-app',
    });
    expect(evaluate(resolved(arn))).toBe(evaluate(stack.resolve(arn)));
  });

  it('writes a literal "${" in a name so that CloudFormation does not read it as a variable', () => {
    const arn = stack.formatArn({
      service: 'cloudwatch',
      resource: 'alarm',
      resourceName: 'cost-${team}',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    expect(resolved(arn)).toEqual({
      'Fn::Sub': 'arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:cost-${!team}',
    });
  });

  it('keeps plain strings, and ARNs with tokens other than pseudo parameters, as they are', () => {
    expect(compactArn(stack, '*')).toBe('*');
    expect(compactArn(stack, 'arn:aws:ecs:us-east-1:123456789012:service/prod/a')).toBe(
      'arn:aws:ecs:us-east-1:123456789012:service/prod/a',
    );
    const topic = new CfnResource(stack, 'Topic', { type: 'AWS::SNS::Topic' });
    const withRef = `arn:aws:sns:us-east-1:123456789012:${topic.ref}`;
    expect(compactArn(stack, withRef)).toBe(withRef);
  });
});
