import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
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
): Record<K, SynthesizedWatchdog> {
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
    stacks.map(([name, stack]) => {
      const template = Template.fromStack(stack).toJSON() as CfnTemplate;
      // The runtime config ships as a file asset; after synth it sits in the cloud assembly.
      const asset = stack.node
        .findAll()
        .find((c): c is s3assets.Asset => c instanceof s3assets.Asset && c.node.id === 'RuntimeConfigAsset');
      if (!asset) throw new Error(`stack ${stack.stackName} has no RuntimeConfigAsset`);
      const configAsset = readFileSync(join(app.outdir, asset.assetPath), 'utf8');
      return [name, { template, configAsset }];
    }),
  ) as Record<K, SynthesizedWatchdog>;
}

/** A synthesized watchdog: its template and the runtime config asset `cdk deploy` would upload. */
export interface SynthesizedWatchdog {
  readonly template: CfnTemplate;
  readonly configAsset: string;
}
