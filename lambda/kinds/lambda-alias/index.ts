import { LambdaClient } from '@aws-sdk/client-lambda';
import type { NotificationLink, RuntimeLambdaAliasTarget } from '../../contract';
import { ownsByIdentity, type TargetKind } from '../kind';
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
      // GetAlias reports no times: the deployer dates what it sees with the runtime's (virtual) clock.
      clock: env.clock,
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
