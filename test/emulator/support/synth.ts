import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { parseWatchdogConfig } from '../../../lambda/boundary/config-schema';
import { WatchdogStack } from '../../../lib';
import type { CfnTemplate } from './stack';

const REPO_ROOT = join(__dirname, '..', '..', '..');

/**
 * Synthesizes one WatchdogStack per `watchdog.config.json` document, in one app (CDK's start-up cost is paid
 * once), as `cdk synth` would (cdk.json's feature flags), without bundling the Lambda code (the emulator suite
 * runs the handlers in-process) and without the cdk-nag packs (test/infra runs those).
 */
export function synthWatchdogs<K extends string>(
  configs: Readonly<Record<K, unknown>>,
): Record<K, CfnTemplate> {
  const cdkJson = JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  const app = new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } });
  const stacks = Object.entries(configs).map(([name, json]) => {
    const parsed = parseWatchdogConfig(json);
    if (!parsed.ok) throw new Error(`emulator config ${name} is invalid:\n${parsed.problems.join('\n')}`);
    return [name, new WatchdogStack(app, `Emulator-${name}`, { config: parsed.config })] as const;
  });
  return Object.fromEntries(
    stacks.map(([name, stack]) => [name, Template.fromStack(stack).toJSON() as CfnTemplate]),
  ) as Record<K, CfnTemplate>;
}
