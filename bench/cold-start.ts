import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import * as esbuild from 'esbuild';
import { ENV, METRICS_NAMESPACE, POWERTOOLS_ENV, SERVICE_NAME } from '../lambda/contract';

/**
 * Cold-start overhead of the handlers (issue 7, item 1). Each handler is bundled the way the stack bundles it
 * (RollbackWatchdog.createHandler: NodejsFunction with minify, source map, target node22, every module
 * bundled, the SDK included), next to a FLOOR bundle that only builds the same SDK clients with the same
 * settings. A fresh Node process times `require()` of each bundle with the function's environment; the
 * ratio of the medians is what the handler costs on top of the SDK clients it cannot do without.
 */
export interface ColdStartResult {
  /** Size of the handler's index.js (the source map is a separate file that is only read on a stack trace). */
  readonly bundleBytes: number;
  /** Size of the floor bundle, for context: the SDK clients alone. */
  readonly floorBundleBytes: number;
  /** Median time to require the handler bundle (module scope runs: clients, runtime, telemetry). */
  readonly initMs: number;
  /** Median time to require the floor bundle. */
  readonly floorMs: number;
  readonly initRatio: number;
  /** Issue 7: the handler may cost at most 30% on top of its floor. */
  readonly targetRatio: number;
  readonly met: boolean;
}

const TARGET_RATIO = 1.3;
const REPO_ROOT = path.join(__dirname, '..');
const HANDLERS_DIR = path.join(REPO_ROOT, 'lambda', 'handlers');
const ADAPTERS_DIR = path.join(REPO_ROOT, 'lambda', 'adapters');

/** The variables RollbackWatchdog.handlerEnvironment() gives the four runtime handlers (values are dummies). */
const RUNTIME_HANDLER_ENV: Readonly<Record<string, string>> = {
  [ENV.tableName]: 'RollbackWatchdog-StateTable-BENCH',
  [ENV.topicArn]: 'arn:aws:sns:us-east-1:123456789012:RollbackWatchdog-Topic-BENCH',
  [ENV.stackName]: 'RollbackWatchdog',
  [ENV.configVersion]: '0123456789abcdef',
  [POWERTOOLS_ENV.serviceName]: SERVICE_NAME,
  [POWERTOOLS_ENV.metricsNamespace]: METRICS_NAMESPACE,
  NODE_OPTIONS: '--enable-source-maps',
};

/** What RollbackWatchdog.createSlackNotifier() gives the Slack notifier. */
const SLACK_HANDLER_ENV: Readonly<Record<string, string>> = {
  [ENV.slackSecretArn]: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:watchdog/slack-AbCdEf',
  [ENV.stackName]: 'RollbackWatchdog',
  [POWERTOOLS_ENV.serviceName]: SERVICE_NAME,
  [POWERTOOLS_ENV.metricsNamespace]: METRICS_NAMESPACE,
  NODE_OPTIONS: '--enable-source-maps',
};

/**
 * What Lambda itself sets and the SDK or Powertools read at init. Static dummy credentials keep the default
 * credential chain from probing the instance metadata service (no network in the measurement).
 */
const LAMBDA_ENV: Readonly<Record<string, string>> = {
  AWS_REGION: 'us-east-1',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  AWS_SESSION_TOKEN: 'bench',
  AWS_LAMBDA_FUNCTION_NAME: 'bench',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
  // The local Node may be older than the SDK's support window; its warning would only add noise to stdout.
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

/**
 * Floor for the four runtime handlers: environment.ts builds exactly createAwsClients() (six clients, shared
 * retry/timeout settings), so the floor calls the same function.
 */
const RUNTIME_FLOOR = `
import { createAwsClients } from ${JSON.stringify(path.join(ADAPTERS_DIR, 'aws-clients'))};
export const clients = createAwsClients();
`;

/**
 * Floor for the Slack notifier: it builds one Secrets Manager client with the shared settings
 * (createSecretsManagerClient). The client class is constructed here directly so that the floor carries no
 * adapter code beyond the settings object.
 */
const SLACK_FLOOR = `
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { awsClientSettings } from ${JSON.stringify(path.join(ADAPTERS_DIR, 'aws-clients'))};
export const client = new SecretsManagerClient(awsClientSettings());
`;

interface HandlerSpec {
  readonly entry: string;
  readonly floor: string;
  readonly env: Readonly<Record<string, string>>;
}

const HANDLERS: Readonly<Record<string, HandlerSpec>> = {
  alarm: { entry: 'on-alarm.ts', floor: RUNTIME_FLOOR, env: RUNTIME_HANDLER_ENV },
  deployment: { entry: 'on-deployment.ts', floor: RUNTIME_FLOOR, env: RUNTIME_HANDLER_ENV },
  sweep: { entry: 'on-sweep.ts', floor: RUNTIME_FLOOR, env: RUNTIME_HANDLER_ENV },
  operator: { entry: 'on-operator.ts', floor: RUNTIME_FLOOR, env: RUNTIME_HANDLER_ENV },
  slack: { entry: 'on-slack.ts', floor: SLACK_FLOOR, env: SLACK_HANDLER_ENV },
};

/**
 * The esbuild options NodejsFunction passes for the stack's `bundling` block (`esbuild --bundle <entry>
 * --target=node22 --platform=node --outfile=.../index.js --minify --sourcemap`, no externals because
 * `externalModules: []`, run from the project root). Format cjs is esbuild's default for that command line.
 */
const STACK_BUNDLING: esbuild.BuildOptions = {
  bundle: true,
  target: 'node22',
  platform: 'node',
  format: 'cjs',
  minify: true,
  sourcemap: true,
  external: [],
  absWorkingDir: REPO_ROOT,
  logLevel: 'warning',
};

async function bundle(outfile: string, source: { entry: string } | { contents: string }): Promise<number> {
  await esbuild.build({
    ...STACK_BUNDLING,
    outfile,
    ...('entry' in source
      ? { entryPoints: [source.entry] }
      : {
          stdin: { contents: source.contents, resolveDir: REPO_ROOT, loader: 'ts', sourcefile: 'floor.ts' },
        }),
  });
  return statSync(outfile).size;
}

const execFileAsync = promisify(execFile);

/**
 * Milliseconds a fresh Node process spends in `require(bundle)`: only module evaluation (and the client and
 * runtime construction the handlers do at module scope), not Node's own boot, which handler and floor share.
 */
async function timeRequire(bundlePath: string, env: Readonly<Record<string, string>>): Promise<number> {
  const script =
    'const t=process.hrtime.bigint();' +
    `require(${JSON.stringify(bundlePath)});` +
    'console.log(Number(process.hrtime.bigint()-t)/1e6)';
  // A clean environment (PATH only, plus the function's) so the developer's AWS profile cannot leak in.
  const { stdout } = await execFileAsync(process.execPath, ['-e', script], {
    env: { PATH: process.env.PATH ?? '', ...LAMBDA_ENV, ...env },
    cwd: path.dirname(bundlePath),
  });
  const ms = Number(stdout.trim().split('\n').pop());
  if (!Number.isFinite(ms)) throw new Error(`unexpected output from ${bundlePath}: ${stdout}`);
  return ms;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const round = (value: number, digits = 2): number => Number(value.toFixed(digits));

export async function benchColdStart(options: { quick: boolean }): Promise<Record<string, ColdStartResult>> {
  const runs = options.quick ? 5 : 15;
  const dir = mkdtempSync(path.join(tmpdir(), 'watchdog-cold-start-'));
  try {
    const results: Record<string, ColdStartResult> = {};
    // Floors are shared by handlers with the same clients: build each distinct floor once.
    const floors = new Map<string, { file: string; bytes: number }>();
    for (const [name, spec] of Object.entries(HANDLERS)) {
      const handlerFile = path.join(dir, name, 'index.js');
      const bundleBytes = await bundle(handlerFile, { entry: path.join(HANDLERS_DIR, spec.entry) });
      let floor = floors.get(spec.floor);
      if (!floor) {
        const file = path.join(dir, `floor-${floors.size}`, 'index.js');
        floor = { file, bytes: await bundle(file, { contents: spec.floor }) };
        floors.set(spec.floor, floor);
      }

      // One unmeasured run each warms the page cache; then handler and floor alternate, so that drift in
      // machine load (other jobs on a shared box) hits both series alike.
      await timeRequire(handlerFile, spec.env);
      await timeRequire(floor.file, spec.env);
      const handlerMs: number[] = [];
      const floorMs: number[] = [];
      for (let i = 0; i < runs; i++) {
        handlerMs.push(await timeRequire(handlerFile, spec.env));
        floorMs.push(await timeRequire(floor.file, spec.env));
      }
      const initMs = median(handlerMs);
      const floorMedian = median(floorMs);
      const initRatio = initMs / floorMedian;
      results[name] = {
        bundleBytes,
        floorBundleBytes: floor.bytes,
        initMs: round(initMs),
        floorMs: round(floorMedian),
        initRatio: round(initRatio),
        targetRatio: TARGET_RATIO,
        met: initRatio <= TARGET_RATIO,
      };
    }
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
