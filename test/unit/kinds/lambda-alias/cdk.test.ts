import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import {
  codeDeployManagedAliasProblem,
  LAMBDA_ALIAS_CALL_RULE,
  LAMBDA_CALLS,
  lambdaAliasCdkKind,
} from '../../../../lib/kinds/lambda-alias';
import type { KindProtectContext, KindRoles, KindRule } from '../../../../lib/kinds/kind';
import { ChunkedRules } from '../../../../lib/private/chunked-rules';
import {
  ALIAS_CALLS,
  LAMBDA_CLOUDTRAIL_SOURCE,
  LAMBDA_EVENT_SOURCE,
} from '../../../../lambda/kinds/lambda-alias/events';

const FN = 'arn:aws:lambda:us-east-1:123456789012:function:checkout-api';

/** A context that records what the kind asks for, and routes into real rules as the construct does. */
function context(scope: Construct) {
  const grants: { key: string; roles: KindRoles; actions: readonly string[]; resource: string }[] = [];
  const acknowledged: { key: string; roles: KindRoles; id: string }[] = [];
  const rules = new Map<string, ChunkedRules>();
  const ctx: KindProtectContext = {
    scope,
    permissions: {},
    arn: ({ service, resource, resourceName, sep }) =>
      `arn:aws:${service}:us-east-1:123456789012:${resource}${resourceName === undefined ? '' : `${sep}${resourceName}`}`,
    grant: (key, roles, actions, resource) => grants.push({ key, roles, actions, resource }),
    route: (rule: KindRule, value, matcher) => {
      let chunked = rules.get(rule.id);
      if (!chunked) {
        chunked = new ChunkedRules(
          scope,
          (i) =>
            new events.Rule(scope, i === 0 ? rule.id : `${rule.id}${i + 1}`, {
              description: rule.description,
              eventPattern: structuredClone(rule.pattern),
            }),
          rule.baseChars,
          rule.patternFor,
        );
        rules.set(rule.id, chunked);
      }
      chunked.add(value, matcher);
    },
    once: () => undefined,
    environment: () => undefined,
    acknowledge: (key, roles, finding) => acknowledged.push({ key, roles, id: finding.id }),
  };
  return { ctx, grants, acknowledged };
}

function protect(...functions: [string, string][]) {
  const stack = new Stack(new App(), 'Stack', { env: { account: '123456789012', region: 'us-east-1' } });
  const recorded = context(stack);
  functions.forEach(([functionName, alias], i) =>
    lambdaAliasCdkKind.protect(recorded.ctx, {
      id: `target-${i}`,
      type: 'lambda-alias',
      resource: { functionName, alias },
    }),
  );
  const patterns = Object.values(Template.fromStack(stack).findResources('AWS::Events::Rule')).map(
    (r) => (r as { Properties: { EventPattern: Record<string, any> } }).Properties.EventPattern,
  );
  return { ...recorded, patterns };
}

describe('lambdaAliasCdkKind', () => {
  it('grants the reads and UpdateAlias on the function and the qualified ARNs they are authorized against', () => {
    // Act
    const { grants } = protect(['checkout-api', 'live']);

    // Assess
    const reads = ['lambda:GetAlias', 'lambda:GetFunctionConfiguration'];
    expect(grants).toEqual([
      { key: 'lambda-alias:read:reading', roles: 'reading', actions: reads, resource: FN },
      { key: 'lambda-alias:read:reading', roles: 'reading', actions: reads, resource: `${FN}:*` },
      { key: 'lambda-alias:read:acting', roles: 'acting', actions: reads, resource: FN },
      { key: 'lambda-alias:read:acting', roles: 'acting', actions: reads, resource: `${FN}:*` },
      { key: 'lambda-alias:update', roles: 'acting', actions: ['lambda:UpdateAlias'], resource: FN },
      {
        key: 'lambda-alias:update',
        roles: 'acting',
        actions: ['lambda:UpdateAlias'],
        resource: `${FN}:live`,
      },
    ]);
  });

  it("acknowledges the wildcard over the function's versions, by its exact finding id, on every role holding it", () => {
    // Act
    const { acknowledged } = protect(['checkout-api', 'live']);

    // Assess
    const id = `AwsSolutions-IAM5[Resource::${FN}:*]`;
    expect(acknowledged).toEqual([
      { key: 'lambda-alias:versions:reading:checkout-api', roles: 'reading', id },
      { key: 'lambda-alias:versions:acting:checkout-api', roles: 'acting', id },
    ]);
  });

  it('routes the successful alias calls of each function, by name and by the ending of both ARN forms', () => {
    // Act
    const { patterns } = protect(['checkout-api', 'live'], ['checkout-api', 'canary'], ['payments', 'live']);

    // Assess: one rule; the two aliases of one function share its entries
    expect(patterns).toEqual([
      {
        source: ['aws.lambda'],
        'detail-type': ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: ['lambda.amazonaws.com'],
          eventName: ['UpdateAlias20150331', 'CreateAlias20150331'],
          errorCode: [{ exists: false }],
          requestParameters: {
            functionName: [
              'checkout-api',
              { suffix: ':function:checkout-api' },
              'payments',
              { suffix: ':function:payments' },
            ],
          },
        },
      },
    ]);
  });

  it('lets through every form CloudTrail records the function in, and no other function', () => {
    // Prepare: the entries the rule matches requestParameters.functionName with (exact values, suffixes)
    const { patterns } = protect(['checkout-api', 'live']);
    const entries = patterns[0]?.detail.requestParameters.functionName as (string | { suffix: string })[];
    const accepts = (functionName: string) =>
      entries.some((e) => (typeof e === 'string' ? e === functionName : functionName.endsWith(e.suffix)));

    // Act, Assess
    expect(accepts('checkout-api')).toBe(true);
    expect(accepts('arn:aws:lambda:us-east-1:123456789012:function:checkout-api')).toBe(true);
    expect(accepts('123456789012:function:checkout-api')).toBe(true);
    expect(accepts('arn:aws:lambda:us-east-1:123456789012:function:checkout-api-v2')).toBe(false);
    expect(accepts('arn:aws:lambda:us-east-1:123456789012:function:new-checkout-api')).toBe(false);
    expect(accepts('checkout')).toBe(false);
  });

  it('matches what the runtime parses: same source, eventSource and event names', () => {
    // Act, Assess
    expect(LAMBDA_CALLS).toEqual({
      source: LAMBDA_EVENT_SOURCE,
      eventSource: LAMBDA_CLOUDTRAIL_SOURCE,
      eventNames: [...ALIAS_CALLS],
    });
  });

  it('sizes its base pattern for chunking as its JSON with an empty list of functions', () => {
    // Act
    const { baseChars, pattern } = LAMBDA_ALIAS_CALL_RULE;

    // Assess
    const detail = pattern.detail as Record<string, unknown>;
    expect(baseChars).toBe(
      JSON.stringify({ ...pattern, detail: { ...detail, requestParameters: { functionName: [] } } }).length,
    );
    expect(LAMBDA_ALIAS_CALL_RULE.patternFor('fn')).toEqual({
      detail: { requestParameters: { functionName: ['fn'] } },
    });
  });

  it('refuses a target reference without its identity fields as a wiring bug', () => {
    // Prepare
    const { ctx } = context(new Stack(new App(), 'Stack'));

    // Act
    const protecting = () =>
      lambdaAliasCdkKind.protect(ctx, { id: 'x', type: 'lambda-alias', resource: { functionName: 'fn' } });

    // Assess
    expect(protecting).toThrow('lambda-alias target x has no alias');
  });
});

describe('codeDeployManagedAliasProblem', () => {
  function alias() {
    const stack = new Stack(new App(), 'Stack');
    const fn = new lambda.Function(stack, 'Fn', {
      functionName: 'checkout-api',
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({});'),
    });
    const live = new lambda.Alias(stack, 'Live', { aliasName: 'live', version: fn.currentVersion });
    return { stack, live };
  }

  it('sends an alias a CodeDeploy deployment group manages to its deployment group', () => {
    // Prepare
    const { stack, live } = alias();
    new codedeploy.LambdaDeploymentGroup(stack, 'Group', { alias: live });

    // Act
    const problem = codeDeployManagedAliasProblem(live);

    // Assess
    expect(problem).toMatch(/^alias live \(Stack\/Live\) is deployed by a CodeDeploy deployment group/);
    expect(problem).toMatch(
      /protect its CodeDeploy deployment group with RollbackTarget\.codeDeployGroup instead$/,
    );
  });

  it('has no problem with an alias nothing manages, nor with an imported one', () => {
    // Prepare
    const { stack, live } = alias();
    const imported = lambda.Alias.fromAliasAttributes(stack, 'Imported', {
      aliasName: 'live',
      aliasVersion: lambda.Version.fromVersionArn(stack, 'V', `${FN}:7`),
    });

    // Act, Assess
    expect(codeDeployManagedAliasProblem(live)).toBeUndefined();
    expect(codeDeployManagedAliasProblem(imported)).toBeUndefined();
  });
});
