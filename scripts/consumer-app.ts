import { execFile, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * A construct user's CDK app, built the way one is made in real life: `cdk init app --language typescript`
 * (the pinned CDK CLI), the packed tarball installed with npm, a stack with `RollbackWatchdog` and
 * `RollbackTarget.ecsService`, and synth through `ts-node --prefer-ts-exts` (cdk init's `app` command before
 * it moved to tsx; it type-checks with the app's own strict tsconfig). Used by test/package/pack.test.ts
 * (aws-cdk-lib from this repository's node_modules) and scripts/prove-peer-range.ts (from the registry).
 */
export const REPO_ROOT = path.join(__dirname, '..');
export const CONSUMER_STACK = 'ConsumerStack';
/** The alarm names the consumer's stack guards the service with, besides its own alarm construct. */
export const CONSUMER_ALARM_NAME = 'checkout-p99';

/** The last lines of a command's output, each cut short: a minified library's source line can be megabytes. */
function tail(text: string): string {
  return text
    .split('\n')
    .slice(-40)
    .map((line) => (line.length > 300 ? `${line.slice(0, 300)}…` : line))
    .join('\n');
}

function failure(
  command: string,
  args: readonly string[],
  cwd: string,
  why: string,
  out: string,
  err: string,
) {
  return new Error(`${command} ${args.join(' ')} (in ${cwd}) failed (${why}):\n${tail(out)}\n${tail(err)}`);
}

/** One run of a command; failures throw with the command line and its output. Returns stdout. */
export function run(command: string, args: readonly string[], options: SpawnSyncOptions = {}): string {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  const stdout = String(result.stdout ?? '');
  if (result.error || result.status !== 0)
    throw failure(
      command,
      args,
      typeof options.cwd === 'string' ? options.cwd : process.cwd(),
      result.error ? result.error.message : `exit ${String(result.status ?? result.signal)}`,
      stdout,
      String(result.stderr ?? ''),
    );
  return stdout;
}

export interface RunOptions {
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** `run` without blocking, so independent steps overlap. Resolves to stdout and stderr. */
export function runAsync(
  command: string,
  args: readonly string[],
  options: RunOptions,
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { cwd: options.cwd, env: options.env ?? process.env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) =>
        error
          ? reject(failure(command, args, options.cwd, error.message.split('\n')[0] ?? '', stdout, stderr))
          : resolve({ stdout, stderr }),
    );
  });
}

export interface PackedTarball {
  /** Absolute path of the .tgz. */
  readonly file: string;
  /** Bytes of the tarball, and of its contents. */
  readonly size: number;
  readonly unpackedSize: number;
  /** Paths inside the package. */
  readonly files: readonly string[];
}

/** `npm pack` of this repository (its prepack builds dist/) into `destination`. */
export function packTarball(destination: string): PackedTarball {
  const stdout = run('npm', ['pack', '--json', '--pack-destination', destination], { cwd: REPO_ROOT });
  const [packed] = JSON.parse(stdout) as {
    filename: string;
    size: number;
    unpackedSize: number;
    files: { path: string }[];
  }[];
  if (packed === undefined) throw new Error(`npm pack printed no package: ${stdout}`);
  return {
    file: path.join(destination, packed.filename),
    size: packed.size,
    unpackedSize: packed.unpackedSize,
    files: packed.files.map((f) => f.path),
  };
}

const CONSUMER_STACK_SOURCE = `import * as cdk from 'aws-cdk-lib/core';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Construct } from 'constructs';
import { RollbackTarget, RollbackWatchdog } from 'rollback-watchdog';

export class ConsumerStack extends cdk.Stack {
  constructor(scope: Construct, id: string, props?: cdk.StackProps) {
    super(scope, id, props);
    const vpc = new ec2.Vpc(this, 'Vpc', { maxAzs: 2, natGateways: 0 });
    const cluster = new ecs.Cluster(this, 'Cluster', { vpc });
    const taskDefinition = new ecs.FargateTaskDefinition(this, 'Task');
    taskDefinition.addContainer('web', {
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27'),
    });
    const service = new ecs.FargateService(this, 'Checkout', { cluster, taskDefinition });
    const errors = new cloudwatch.Alarm(this, 'Errors', {
      metric: new cloudwatch.Metric({ namespace: 'Checkout', metricName: 'Errors5xx' }),
      threshold: 5,
      evaluationPeriods: 1,
    });
    // The service and alarm come from this app's aws-cdk-lib: this type-checks only when the watchdog's
    // declarations resolve to the very same copy (a second copy fails with "separate declarations").
    const watchdog = new RollbackWatchdog(this, 'Watchdog', {
      targets: [RollbackTarget.ecsService({ id: 'checkout', service, alarms: [errors, '${CONSUMER_ALARM_NAME}'] })],
      notificationEmails: ['oncall@example.com'],
    });
    new cdk.CfnOutput(this, 'AlarmHandlerName', { value: watchdog.alarmHandler.functionName });
  }
}
`;

/** Plain JavaScript, no compiler anywhere: `require('rollback-watchdog')` and synth of a stack by names. */
const PLAIN_JS_SOURCE = `'use strict';
const cdk = require('aws-cdk-lib');
const { RollbackTarget, RollbackWatchdog } = require('rollback-watchdog');

const app = new cdk.App({ outdir: process.argv[2] });
const stack = new cdk.Stack(app, 'PlainJsStack');
new RollbackWatchdog(stack, 'Watchdog', {
  targets: [RollbackTarget.ecsService({ id: 'search', cluster: 'prod', serviceName: 'search', alarms: ['search-latency'] })],
});
app.synth();
`;

/**
 * Creates the app in `parent/consumer` with `cdk init` (nothing installed yet), the watchdog stack in
 * lib/consumer-stack.ts, `app` set to `npx ts-node --prefer-ts-exts bin/consumer.ts`, and plain-js.js.
 * package.json keeps only the name: the caller installs what the app needs.
 */
export function createConsumerApp(parent: string): string {
  const dir = path.join(parent, 'consumer');
  mkdirSync(dir, { recursive: true });
  const cdkCli = require.resolve('aws-cdk/bin/cdk', { paths: [REPO_ROOT] });
  run(
    process.execPath,
    [cdkCli, 'init', 'app', '--language', 'typescript', '--generate-only', '--no-notices'],
    {
      cwd: dir,
      env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' },
    },
  );
  writeFileSync(path.join(dir, 'lib', 'consumer-stack.ts'), CONSUMER_STACK_SOURCE);
  writeFileSync(path.join(dir, 'plain-js.js'), PLAIN_JS_SOURCE);
  const cdkJsonFile = path.join(dir, 'cdk.json');
  const cdkJson = JSON.parse(readFileSync(cdkJsonFile, 'utf8')) as Record<string, unknown>;
  writeFileSync(
    cdkJsonFile,
    JSON.stringify({ ...cdkJson, app: 'npx ts-node --prefer-ts-exts bin/consumer.ts' }, null, 2),
  );
  writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: 'consumer', version: '0.1.0', private: true }, null, 2),
  );
  return dir;
}

/**
 * Makes packages of this repository's node_modules resolvable from the app (symlinks in its node_modules),
 * after npm has installed there: the compiler and, for the CI test, aws-cdk-lib and constructs, so the test
 * needs no registry.
 */
export function linkFromRepo(appDir: string, packages: readonly string[]): void {
  for (const name of packages) {
    const target = path.join(REPO_ROOT, 'node_modules', name);
    const link = path.join(appDir, 'node_modules', name);
    mkdirSync(path.dirname(link), { recursive: true });
    symlinkSync(target, link, 'dir');
  }
}

/** What the compiler side of the app needs (cdk init's tsconfig lists the jest and node types). */
export const TOOLCHAIN = ['typescript', 'ts-node', '@types/node', '@types/jest'] as const;

/** Runs the app the way the CDK CLI does (`app` from cdk.json, CDK_OUTDIR, context from cdk.json). */
export async function synthTypeScriptApp(
  appDir: string,
  outdir: string,
  env: NodeJS.ProcessEnv = {},
): Promise<void> {
  const cdkJson = JSON.parse(readFileSync(path.join(appDir, 'cdk.json'), 'utf8')) as {
    app: string;
    context?: Record<string, unknown>;
  };
  // `npx ts-node ...`: the local ts-node, started directly so a missing link can never reach the registry.
  const [npx, tool, ...args] = cdkJson.app.split(' ');
  if (npx !== 'npx' || tool !== 'ts-node') throw new Error(`unexpected app command ${cdkJson.app}`);
  await runAsync(
    process.execPath,
    [path.join(appDir, 'node_modules', 'ts-node', 'dist', 'bin.js'), ...args],
    {
      cwd: appDir,
      env: {
        ...process.env,
        ...env,
        CDK_OUTDIR: outdir,
        CDK_CONTEXT_JSON: JSON.stringify(cdkJson.context ?? {}),
      },
    },
  );
}

/** Runs plain-js.js with node alone. */
export async function synthPlainJs(
  appDir: string,
  outdir: string,
  env: NodeJS.ProcessEnv = {},
): Promise<void> {
  await runAsync(process.execPath, ['plain-js.js', outdir], { cwd: appDir, env: { ...process.env, ...env } });
}

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}
export interface CfnTemplate {
  readonly Resources: Record<string, CfnResource>;
  readonly Outputs?: Record<string, unknown>;
}

export function readTemplate(outdir: string, stack: string): CfnTemplate {
  return JSON.parse(readFileSync(path.join(outdir, `${stack}.template.json`), 'utf8')) as CfnTemplate;
}

/** The directory in the cloud assembly that holds each Lambda function's code, by logical id. */
export function lambdaAssetDirs(outdir: string, stack: string): Record<string, string> {
  const template = readTemplate(outdir, stack);
  const manifest = JSON.parse(readFileSync(path.join(outdir, `${stack}.assets.json`), 'utf8')) as {
    files: Record<string, { source: { path: string } }>;
  };
  const dirs: Record<string, string> = {};
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const key = (resource.Properties?.Code as { S3Key?: unknown } | undefined)?.S3Key;
    const hash = typeof key === 'string' ? key.replace(/\.zip$/, '') : undefined;
    const source = hash === undefined ? undefined : manifest.files[hash]?.source.path;
    if (source !== undefined) dirs[id] = path.join(outdir, source);
  }
  return dirs;
}

/** What a stack with the consumer's RollbackWatchdog must contain; each problem names what is missing. */
export function watchdogTemplateProblems(
  template: CfnTemplate,
  expected: { readonly alarmNames: readonly string[]; readonly handlers: number },
): string[] {
  const problems: string[] = [];
  const resources = Object.entries(template.Resources);
  const handlers = resources.filter(
    ([, r]) =>
      r.Type === 'AWS::Lambda::Function' &&
      r.Properties?.Handler === 'index.handler' &&
      r.Properties.Runtime === 'nodejs22.x' &&
      JSON.stringify(r.Properties.Architectures) === '["arm64"]',
  );
  if (handlers.length !== expected.handlers)
    problems.push(
      `expected ${expected.handlers} watchdog handlers (nodejs22.x, arm64), found ${handlers.length}`,
    );
  const patterns = resources
    .filter(([, r]) => r.Type === 'AWS::Events::Rule')
    .map(([, r]) => JSON.stringify(r.Properties?.EventPattern ?? null));
  const alarmRule = patterns.find((p) => p.includes('CloudWatch Alarm State Change'));
  if (alarmRule === undefined) problems.push('no EventBridge rule for CloudWatch Alarm State Change');
  for (const name of expected.alarmNames)
    if (alarmRule !== undefined && !alarmRule.includes(JSON.stringify(name)))
      problems.push(`the alarm rule does not match alarm ${name}: ${alarmRule}`);
  if (!patterns.some((p) => p.includes('ECS Deployment State Change') && p.includes(':service/')))
    problems.push('no EventBridge rule for the ECS service deployments');
  for (const output of [
    'OperatorUrl',
    'OperatorFunctionName',
    'OperatorReadUrl',
    'OperatorReadFunctionName',
    'StateTableName',
    'NotificationTopicArn',
  ])
    if (template.Outputs?.[output] === undefined) problems.push(`no ${output} output`);
  if (!resources.some(([, r]) => r.Type === 'AWS::DynamoDB::Table'))
    problems.push('no state table (AWS::DynamoDB::Table)');
  return problems;
}
