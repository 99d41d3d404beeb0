import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import type { Construct, IConstruct } from 'constructs';
import { CONFIG_TOKEN_MARKER, type RuntimeConfig } from '../../lambda/contract';

/** The runtime config split into what can be uploaded at synth and what only CloudFormation knows. */
export interface StagedConfig {
  /** The config JSON with every deploy-time value replaced by CONFIG_TOKEN_MARKER(i). */
  readonly json: string;
  /** The CloudFormation expressions the markers stand for, in marker order. */
  readonly substitutions: readonly unknown[];
}

/** A CloudFormation intrinsic: `{ Ref }` or `{ "Fn::…": … }`, as Stack.resolve() renders a token. */
function isIntrinsic(value: object): boolean {
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'));
}

/**
 * Resolves the config's tokens and moves each resulting intrinsic out of the JSON. A string made of
 * literal text and tokens (`${stack}-5xx`) resolves to one Fn::Join and travels as a whole. Identical
 * expressions share a marker.
 */
export function stageConfig(scope: IConstruct, config: RuntimeConfig): StagedConfig {
  const substitutions: unknown[] = [];
  const indexOf = new Map<string, number>();
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk);
    if (typeof value !== 'object' || value === null) return value;
    if (isIntrinsic(value)) {
      const key = JSON.stringify(value);
      let index = indexOf.get(key);
      if (index === undefined) {
        index = substitutions.push(value) - 1;
        indexOf.set(key, index);
      }
      return CONFIG_TOKEN_MARKER(index);
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v)]));
  };
  const json = JSON.stringify(walk(Stack.of(scope).resolve(config)));
  return { json, substitutions };
}

/** Writes the staged JSON to a file of its own and makes it a file asset (uploaded by `cdk deploy`). */
export function configAsset(scope: Construct, id: string, staged: StagedConfig): s3assets.Asset {
  const dir = mkdtempSync(path.join(tmpdir(), 'watchdog-config-'));
  const file = path.join(dir, 'runtime-config.json');
  writeFileSync(file, staged.json);
  return new s3assets.Asset(scope, id, { path: file });
}
