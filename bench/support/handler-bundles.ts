import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { HANDLER_ESBUILD_OPTIONS, type HandlerEntry } from '../../lib/private/handler-code';

/**
 * Every Lambda handler bundled exactly as the stack bundles it (HANDLER_ESBUILD_OPTIONS, from the project
 * root), next to its FLOOR: a bundle, built the same way, that only constructs the SDK clients the handler
 * cannot do without. What a handler costs on top of its floor (bytes, init time) is its own code and
 * libraries. Used by the cold-start benchmark and by test/infra/handler-bundles.test.ts.
 */
export const REPO_ROOT = path.join(__dirname, '..', '..');
const HANDLERS_DIR = path.join(REPO_ROOT, 'lambda', 'handlers');
const AWS_CLIENTS = JSON.stringify(path.join(REPO_ROOT, 'lambda', 'adapters', 'aws-clients'));

/**
 * The four runtime handlers: environment.ts builds exactly createAwsClients() (six clients, shared
 * retry/timeout settings), so the floor calls the same function; and the clients the target kinds bring
 * (lambda/kinds: Lambda for lambda-alias, AppConfig for appconfig, S3 for the viability check of CodeDeploy's
 * S3 revisions, ECR for the viability check and retention guard of ECS images) and EventBridge for the version bus
 * of a config with several regions, which the handlers build on first use.
 */
const RUNTIME_FLOOR = `
import { AppConfigClient } from '@aws-sdk/client-appconfig';
import { ECRClient } from '@aws-sdk/client-ecr';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { awsClientSettings, createAwsClients } from ${AWS_CLIENTS};
export const clients = createAwsClients();
export const kindClients = [
  new LambdaClient(awsClientSettings()),
  new AppConfigClient(awsClientSettings()),
  new S3Client(awsClientSettings()),
  new ECRClient(awsClientSettings()),
  new EventBridgeClient(awsClientSettings()),
];
`;

/**
 * The webhook forwarder (the Slack notifier) builds one Secrets Manager client with the shared settings
 * (createSecretsManagerClient). The client class is constructed here directly so that the floor carries no
 * adapter code beyond the settings.
 */
const SLACK_FLOOR = `
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { awsClientSettings } from ${AWS_CLIENTS};
export const client = new SecretsManagerClient(awsClientSettings());
`;

/**
 * The Slack interaction endpoint builds the runtime's clients, a second DynamoDB client set for the replay guard
 * (createAwsClients again), a Secrets Manager client for the signing secret and a Lambda client to invoke itself.
 */
const SLACK_INTERACTION_FLOOR = `
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
${RUNTIME_FLOOR.replace(/^\n/, '')}
export const extra = [createAwsClients(), new SecretsManagerClient(awsClientSettings())];
`;

/** The config writer builds the six runtime clients (for DynamoDB) and an S3 client (createS3Client). */
const CONFIG_WRITER_FLOOR = `
import { S3Client } from '@aws-sdk/client-s3';
import { awsClientSettings, createAwsClients } from ${AWS_CLIENTS};
export const clients = createAwsClients();
export const s3 = new S3Client(awsClientSettings());
`;

/** The audit exporter builds one S3 client with the shared settings (createS3Client). */
const AUDIT_EXPORT_FLOOR = `
import { S3Client } from '@aws-sdk/client-s3';
import { awsClientSettings } from ${AWS_CLIENTS};
export const s3 = new S3Client(awsClientSettings());
`;

export interface HandlerBundleSpec {
  /** The name the benchmark reports it under. */
  readonly name: string;
  readonly entry: HandlerEntry;
  /** TypeScript source of the floor bundle. */
  readonly floor: string;
}

/** Every handler entry (HANDLER_ENTRIES): the record type makes a new entry name its floor. */
const FLOORS: Readonly<Record<HandlerEntry, { name: string; floor: string }>> = {
  'on-alarm': { name: 'alarm', floor: RUNTIME_FLOOR },
  'on-deployment': { name: 'deployment', floor: RUNTIME_FLOOR },
  'on-sweep': { name: 'sweep', floor: RUNTIME_FLOOR },
  'on-operator': { name: 'operator', floor: RUNTIME_FLOOR },
  // Reported as `slack` (BENCHMARKS.md): the webhook forwarder as the Slack channel deploys it.
  'on-webhook': { name: 'slack', floor: SLACK_FLOOR },
  'on-config-write': { name: 'configWrite', floor: CONFIG_WRITER_FLOOR },
  'on-audit-export': { name: 'auditExport', floor: AUDIT_EXPORT_FLOOR },
  'on-slack-interaction': { name: 'slackInteraction', floor: SLACK_INTERACTION_FLOOR },
};

export const HANDLER_BUNDLES: readonly HandlerBundleSpec[] = (
  Object.entries(FLOORS) as Array<[HandlerEntry, { name: string; floor: string }]>
).map(([entry, spec]) => ({ entry, ...spec }));

export interface BuiltBundle {
  /** Size of index.js (the source map is a separate file, read at init only under --enable-source-maps). */
  readonly bytes: number;
  readonly sourceMapBytes: number;
  /** What went into the bundle: input path (relative to the repository) → bytes it added to index.js. */
  readonly inputs: Readonly<Record<string, number>>;
}

/**
 * Builds a handler (`{ entry }`) or a floor (`{ contents }`) to `outfile`, with its source map next to it.
 * `write: false` keeps both in memory (the sizes and inputs are still measured).
 */
export async function buildBundle(
  source: { readonly entry: HandlerEntry } | { readonly contents: string },
  outfile: string,
  write = true,
): Promise<BuiltBundle> {
  const result = await esbuild.build({
    ...HANDLER_ESBUILD_OPTIONS,
    external: [...HANDLER_ESBUILD_OPTIONS.external],
    absWorkingDir: REPO_ROOT,
    logLevel: 'warning',
    outfile,
    write,
    metafile: true,
    ...('entry' in source
      ? { entryPoints: [path.join(HANDLERS_DIR, `${source.entry}.ts`)] }
      : {
          stdin: { contents: source.contents, resolveDir: REPO_ROOT, loader: 'ts', sourcefile: 'floor.ts' },
        }),
  });
  const outputs = result.metafile.outputs;
  const js = Object.entries(outputs).find(([file]) => !file.endsWith('.map'))?.[1];
  const map = Object.entries(outputs).find(([file]) => file.endsWith('.map'))?.[1];
  if (!js || !map) throw new Error(`esbuild wrote no bundle and source map for ${outfile}`);
  return {
    bytes: js.bytes,
    sourceMapBytes: map.bytes,
    inputs: Object.fromEntries(Object.entries(js.inputs).map(([input, i]) => [input, i.bytesInOutput])),
  };
}

/** Bytes a bundle's inputs add to it, by npm package (`zod`, `@aws-sdk/client-ecs`) or by lambda/ folder. */
export function bytesByPackage(inputs: Readonly<Record<string, number>>): Record<string, number> {
  const byPackage: Record<string, number> = {};
  for (const [input, bytes] of Object.entries(inputs)) {
    const key = packageOf(input);
    byPackage[key] = (byPackage[key] ?? 0) + bytes;
  }
  return byPackage;
}

/** `zod` for `.../node_modules/zod/v4/core/schemas.js`; `lambda/boundary` for `lambda/boundary/events.ts`. */
export function packageOf(input: string): string {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input.replaceAll('\\', '/'));
  if (m) return m[1];
  const parts = input.split(/[\\/]/);
  return parts[0] === 'lambda' ? parts.slice(0, 2).join('/') : input;
}
