import { CfnResource } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { DETAIL_TYPE } from '../../lambda/contract';
import { nagFindingValue } from '../private/nag';
import type { CdkTargetKind, KindProtectContext, KindRoles, KindRule, KindTargetRef } from './kind';

/**
 * What the runtime's parser of Lambda's CloudTrail records expects (lambda/kinds/lambda-alias/events.ts, which
 * lib/ may not import; a unit test holds the two equal).
 */
export const LAMBDA_CALLS = {
  source: 'aws.lambda',
  eventSource: 'lambda.amazonaws.com',
  eventNames: ['UpdateAlias20150331', 'CreateAlias20150331'],
} as const;

const callPattern = {
  source: [LAMBDA_CALLS.source],
  detailType: [DETAIL_TYPE.cloudTrailApiCall],
  detail: {
    eventSource: [LAMBDA_CALLS.eventSource],
    eventName: [...LAMBDA_CALLS.eventNames],
    // A failed call moved no alias.
    errorCode: events.Match.doesNotExist(),
  },
};

/**
 * The CloudTrail records of the calls that move protected aliases, by function. CloudTrail records
 * `requestParameters.functionName` as the caller wrote it: a name, an ARN or a partial ARN
 * (`123456789012:function:my-fn`). Each function is matched by its name exactly and by the suffix
 * `:function:<name>`, which both ARN forms end with and no other function's ARN does; the handler matches the
 * alias (EventBridge has no way to pair a function with its alias across several targets in one rule).
 * EventBridge receives these records only when the account has a trail.
 */
export const LAMBDA_ALIAS_CALL_RULE: KindRule = {
  id: 'LambdaAliasCallRule',
  description: 'Rollback Watchdog: CloudTrail records of the calls that move protected Lambda aliases',
  pattern: callPattern,
  patternFor: (functionName) => ({ detail: { requestParameters: { functionName: [functionName] } } }),
  baseChars: JSON.stringify({
    ...callPattern,
    detail: { ...callPattern.detail, requestParameters: { functionName: [] } },
  }).length,
};

const READS = ['lambda:GetAlias', 'lambda:GetFunctionConfiguration'];

/**
 * The CDK side of `lambda-alias` targets. Grants follow Lambda's authorization: GetAlias, UpdateAlias and
 * GetFunctionConfiguration authorize against the function (the Lambda Developer Guide's table of resources for
 * function actions lists "Function" for them), and a call with a qualifier is reported against the qualified
 * ARN (`function:<name>:<alias or version>`), so each grant names both. IAM cannot narrow UpdateAlias to one
 * alias of a function: the grant on the function allows its other aliases too.
 * - reading (deployment handler, read-only operator) and acting (alarm handler, sweep, operator): GetAlias and
 *   GetFunctionConfiguration (the version's LastModified dates the deployment) on the function and its
 *   versions;
 * - acting: UpdateAlias on the function and the alias.
 * What a rollback changes (describeChange) is read with GetFunctionConfiguration too, in the roles that send
 * notifications: each of them reads or acts, so it holds that grant already, and a role that did not would
 * only send the message without the change lines. So is the viability preflight (is a known-good version still
 * published, and not Failed?), from the deployment handler and the acting roles: the same grant on the
 * function's versions covers it.
 */
export const lambdaAliasCdkKind: CdkTargetKind = {
  type: 'lambda-alias',
  protect(ctx: KindProtectContext, target: KindTargetRef): void {
    const functionName = required(target, 'functionName');
    const alias = required(target, 'alias');
    const fn = ctx.arn({ service: 'lambda', resource: 'function', resourceName: functionName, sep: ':' });
    const versions = ctx.arn({
      service: 'lambda',
      resource: 'function',
      resourceName: `${functionName}:*`,
      sep: ':',
    });
    const aliasArn = ctx.arn({
      service: 'lambda',
      resource: 'function',
      resourceName: `${functionName}:${alias}`,
      sep: ':',
    });
    for (const roles of ['reading', 'acting'] as const) {
      for (const resource of [fn, versions]) ctx.grant(`lambda-alias:read:${roles}`, roles, READS, resource);
    }
    for (const resource of [fn, aliasArn]) {
      ctx.grant('lambda-alias:update', 'acting', ['lambda:UpdateAlias'], resource);
    }
    for (const roles of ['reading', 'acting'] as const satisfies readonly KindRoles[]) {
      ctx.acknowledge(`lambda-alias:versions:${roles}:${functionName}`, roles, {
        id: `AwsSolutions-IAM5[Resource::${nagFindingValue(ctx.scope, versions)}]`,
        reason:
          `Reading a Lambda alias needs GetFunctionConfiguration of the versions it routes to, which are ` +
          `published after the watchdog is deployed: the wildcard covers the versions of function ` +
          `${functionName} only, for GetAlias and GetFunctionConfiguration (read-only).`,
      });
    }
    ctx.route(LAMBDA_ALIAS_CALL_RULE, functionName);
    const suffix = `:function:${functionName}`;
    // {"suffix":"..."} around the value.
    ctx.route(LAMBDA_ALIAS_CALL_RULE, `suffix:${suffix}`, {
      pattern: { detail: { requestParameters: { functionName: events.Match.suffix(suffix) } } },
      extraChars: 12,
    });
  },
};

function required(target: KindTargetRef, field: 'functionName' | 'alias'): string {
  const value = target.resource[field];
  if (value === undefined) throw new TypeError(`lambda-alias target ${target.id} has no ${field}`);
  return value;
}

/**
 * Why an alias construct cannot be protected as a `lambda-alias` target: a CodeDeploy LambdaDeploymentGroup
 * manages it (aws-cdk-lib marks the alias's AWS::Lambda::Alias with the CodeDeployLambdaAliasUpdate update
 * policy), so CodeDeploy shifts its traffic and would fight the watchdog's UpdateAlias; its deployment group is
 * the target to protect. Undefined for an alias nothing manages, and for an imported one (no CloudFormation
 * resource to read).
 */
export function codeDeployManagedAliasProblem(alias: lambda.IAlias): string | undefined {
  const resource = alias.node.defaultChild;
  if (!(resource instanceof CfnResource)) return undefined;
  if (resource.cfnOptions.updatePolicy?.codeDeployLambdaAliasUpdate === undefined) return undefined;
  // By construct path: the function's name is usually a token at synth time.
  return (
    `alias ${alias.aliasName} (${alias.node.path}) is deployed by a CodeDeploy deployment group (its ` +
    'CodeDeployLambdaAliasUpdate update policy): protect its CodeDeploy deployment group with ' +
    'RollbackTarget.codeDeployGroup instead'
  );
}
