import * as path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { readConfigFile } from '../lambda/boundary/config-schema';
import { operatorUrlRegionProblem } from '../lambda/contract';
import { watchdogStacks, type WatchdogStack } from '../lib';

/** Context keys: `cdk synth -c config=PATH -c stackName=NAME`. */
export const CONFIG_CONTEXT = 'config';
export const STACK_NAME_CONTEXT = 'stackName';
export const DEFAULT_CONFIG_FILE = 'watchdog.config.json';
export const DEFAULT_STACK_NAME = 'RollbackWatchdog';

function contextString(app: App, key: string): string | undefined {
  const value: unknown = app.node.tryGetContext(key);
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/**
 * Builds the watchdog app: reads and validates the config file (relative paths from the working
 * directory), creates the stacks and registers the cdk-nag AwsSolutions and Serverless packs, which run at
 * synth. An invalid config throws one error that lists every problem by JSON path.
 *
 * Without `regions` in the config there is one stack, environment-agnostic: it deploys to the region the CDK
 * CLI targets, which the CLI passes to the app as CDK_DEFAULT_REGION. A region the watchdog cannot run in (no
 * Lambda function URLs for its operator entry point) fails here, before CloudFormation would refuse the
 * template. With `regions`, one stack per region (watchdogStacks), each with the same stack name.
 */
export function buildApp(app: App = new App(), env: NodeJS.ProcessEnv = process.env): WatchdogStack[] {
  const configFile = contextString(app, CONFIG_CONTEXT) ?? DEFAULT_CONFIG_FILE;
  const result = readConfigFile(path.resolve(configFile));
  // A config that lists its regions deploys there, whatever region the CDK CLI targets.
  const listsRegions = result.ok && (result.config.regions?.length ?? 0) > 0;
  const targetRegion = env.CDK_DEFAULT_REGION;
  const regionProblem = targetRegion ? operatorUrlRegionProblem(targetRegion) : undefined;
  if (regionProblem && !listsRegions) {
    throw new Error(
      `cannot deploy the watchdog to ${targetRegion} (the CDK CLI's region, CDK_DEFAULT_REGION):\n  - ${regionProblem}`,
    );
  }
  if (!result.ok) {
    throw new Error(
      `${configFile} is not a valid watchdog config (${result.problems.length} problem(s)):\n` +
        result.problems.map((p) => `  - ${p}`).join('\n'),
    );
  }
  const stacks = watchdogStacks(app, contextString(app, STACK_NAME_CONTEXT) ?? DEFAULT_STACK_NAME, {
    config: result.config,
    description:
      'Rollback Watchdog: rolls ECS services and CodeDeploy deployment groups back when a guarding alarm ' +
      'fires after a release',
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  return stacks;
}

if (require.main === module) buildApp();
