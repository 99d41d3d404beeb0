import type { RuntimeLambdaAliasTarget, RuntimeTarget } from '../../contract';

/**
 * The names of a Lambda alias target, shared by its deployer, its event parser, its config schema and its
 * simulated account, so that the ids the deployer reads back and the ids the events carry cannot drift apart.
 */

/** Lambda function names: 1-64 letters, digits, `-` or `_` (UpdateAlias: "limited to 64 characters"). */
export const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** Alias names: 1-128 letters, digits, `-` or `_`, not all digits (that would name a version). */
export const ALIAS_NAME = /^(?!\d+$)[A-Za-z0-9_-]{1,128}$/;

/**
 * A published version (PublishVersion numbers them from 1). `$LATEST` is not one: the code it runs changes
 * with every UpdateFunctionCode, so it can be neither known-good nor rolled back to.
 */
export const PUBLISHED_VERSION = /^[1-9][0-9]{0,19}$/;

/**
 * UpdateAlias and GetAlias take the function as a name, an ARN or a partial ARN (`123456789012:function:my-fn`),
 * optionally qualified; CloudTrail records it as the caller wrote it. This follows the API's FunctionName
 * pattern, with regions written the way EventBridge envelopes write them.
 */
const FUNCTION_REF =
  /^(?:arn:(?:aws[a-zA-Z-]*)?:lambda:)?(?:([a-z]{2}(?:-[a-z]+)+-\d{1,2}):)?(?:(\d{12}):)?(?:function:)?([A-Za-z0-9_-]{1,64})(?::(\$LATEST|[A-Za-z0-9_-]{1,128}))?$/;

export interface FunctionRef {
  readonly name: string;
  /** Only when the reference is an ARN that names them. */
  readonly region?: string;
  readonly account?: string;
  readonly qualifier?: string;
}

/** The function a FunctionName parameter names, or undefined when it is none of the forms Lambda accepts. */
export function parseFunctionRef(ref: string): FunctionRef | undefined {
  const m = FUNCTION_REF.exec(ref);
  if (!m) return undefined;
  const [, region, account, name = '', qualifier] = m;
  return {
    name,
    ...(region !== undefined ? { region } : {}),
    ...(account !== undefined ? { account } : {}),
    ...(qualifier !== undefined ? { qualifier } : {}),
  };
}

/**
 * A deployment of an alias, as the watchdog names it: the version it moves traffic to and the alias's
 * RevisionId after the change (`8@0f2b…`). GetAlias reports no deployment ids and no times; the RevisionId
 * "changes when you update the alias" (AliasConfiguration), so the pair is the same on every read of one alias
 * state and new on every change, and the CloudTrail record of the UpdateAlias that made the change carries both
 * (responseElements). The known-good ledger keeps the times it first saw under one id (domain/ledger.ts,
 * reconcileWithLive), so repeated reads never restart a bake.
 */
export function deploymentId(version: string, revisionId: string): string {
  return `${version}@${revisionId}`;
}

/** The version and RevisionId of a deploymentId (and of a stop reference, which is one). */
export function parseDeploymentId(id: string): { version: string; revisionId: string } | undefined {
  const at = id.indexOf('@');
  if (at <= 0 || at === id.length - 1) return undefined;
  const version = id.slice(0, at);
  return PUBLISHED_VERSION.test(version) ? { version, revisionId: id.slice(at + 1) } : undefined;
}

/** `alias live of function checkout-api`, for messages and errors. */
export function describeAlias(target: Pick<RuntimeLambdaAliasTarget, 'functionName' | 'alias'>): string {
  return `alias ${target.alias} of function ${target.functionName}`;
}

/** `checkout-api:live`: the alias in one token, as Lambda qualifies a function with it. */
export function aliasResource(target: Pick<RuntimeLambdaAliasTarget, 'functionName' | 'alias'>): string {
  return `${target.functionName}:${target.alias}`;
}

/** The runtime routes targets to deployers by type; a mismatch is a wiring bug, not a target problem. */
export function lambdaAliasTarget(target: RuntimeTarget, who: string): RuntimeLambdaAliasTarget {
  if (target.type !== 'lambda-alias')
    throw new TypeError(`${who} cannot handle ${target.type} target ${target.id}`);
  return target;
}
