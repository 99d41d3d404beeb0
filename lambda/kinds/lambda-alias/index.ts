import { LambdaClient } from '@aws-sdk/client-lambda';
import type { NotificationLink, RuntimeLambdaAliasTarget } from '../../contract';
import type { Clock } from '../../use-cases/ports';
import { ownsByIdentity, type KindEnv, type TargetKind } from '../kind';
import { LambdaAliasDeployer } from './deployer';
import { lambdaAliasCalls } from './events';
import { aliasResource, describeAlias } from './names';

const IDENTITY_FIELDS = ['functionName', 'alias'] as const;

/**
 * A Lambda function alias (`lambda-alias`): its versions are the function's published versions, moved by
 * UpdateAlias, at once or by weighted routing. Lambda has no deployment events and no rollback of its own; with
 * a trail, CloudTrail's record of each UpdateAlias is the deployment event, and without one only the sweep sees
 * the alias move, so the sweep reads every alias every time.
 */
export const lambdaAliasKind: TargetKind<RuntimeLambdaAliasTarget> = {
  type: 'lambda-alias',
  label: 'Lambda alias',
  identityFields: [...IDENTITY_FIELDS],
  describe: (target) => `Lambda ${describeAlias(target)}`,
  resource: aliasResource,
  createAdapters: (env) => ({
    deployer: new LambdaAliasDeployer({
      client: env.client('lambda', (settings) => new LambdaClient(settings)),
      clock: clockOf(env),
      telemetry: env.telemetry,
    }),
    owns: (target, identity) => ownsByIdentity(IDENTITY_FIELDS, target, identity),
  }),
  consoleLinks,
  sweep: { alwaysInspect: true },
  // A version number is all UpdateAlias needs to route to it again.
  redeployNeedsArtifact: false,
  events: [lambdaAliasCalls],
};

/** The alias's page (versions, weights) and the function's versions, in the Lambda console. */
function consoleLinks(target: RuntimeLambdaAliasTarget, region: string): NotificationLink[] {
  const fn = `https://${region}.console.aws.amazon.com/lambda/home?region=${region}#/functions/${encodeURIComponent(target.functionName)}`;
  return [
    {
      label: `Lambda alias ${aliasResource(target)}`,
      url: `${fn}/aliases/${encodeURIComponent(target.alias)}`,
    },
    { label: `Versions of ${target.functionName}`, url: `${fn}?tab=versions` },
  ];
}

/**
 * The runtime's clock: the deployer dates what GetAlias cannot (the moment a completed alias state is first
 * seen), and in the simulator that moment must be virtual time, so the wall clock is no substitute.
 */
function clockOf(env: KindEnv): Clock {
  const clock = (env as KindEnv & { readonly clock?: Clock }).clock;
  if (clock === undefined) {
    throw new TypeError('lambda-alias targets need the runtime clock in KindEnv (clock)');
  }
  return clock;
}
