import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { HandlerEntry } from '../lib/private/handler-code';
import { ENV, METRICS_NAMESPACE, POWERTOOLS_ENV, SERVICE_NAME } from '../lambda/contract';
import { HANDLER_BUNDLES, buildBundle } from './support/handler-bundles';

/**
 * Cold-start overhead of the handlers (issue 7, item 1; issue 15). Each handler is bundled the way the stack
 * bundles it (HANDLER_ESBUILD_OPTIONS: minified, source map without sources, target node22, every module
 * bundled, the SDK included), next to a FLOOR bundle that only builds the same SDK clients with the same
 * settings (bench/support/handler-bundles.ts). A fresh Node process times `require()` of each bundle with the
 * function's environment (`--enable-source-maps` included, so the source map is read as in Lambda); the ratio
 * of the medians is what the handler costs on top of the SDK clients it cannot do without.
 */
export interface ColdStartResult {
  /** Size of the handler's index.js. */
  readonly bundleBytes: number;
  /** Size of its index.js.map, which Node reads at init under --enable-source-maps. */
  readonly sourceMapBytes: number;
  /** Size of the floor bundle, for context: the SDK clients alone. */
  readonly floorBundleBytes: number;
  readonly floorSourceMapBytes: number;
  /** Median time to require the handler bundle (module scope runs: clients, runtime, telemetry). */
  readonly initMs: number;
  /** Median time to require the floor bundle. */
  readonly floorMs: number;
  readonly initRatio: number;
  readonly targetRatio: number;
  readonly met: boolean;
}

/** Issue 15: a handler's init may take at most 15% longer than its floor's. */
export const COLD_START_TARGET_RATIO = 1.15;

/** Powertools' settings, which every handler gets; the source maps are read as in Lambda. */
const COMMON_ENV: Readonly<Record<string, string>> = {
  [POWERTOOLS_ENV.serviceName]: SERVICE_NAME,
  [POWERTOOLS_ENV.metricsNamespace]: METRICS_NAMESPACE,
  NODE_OPTIONS: '--enable-source-maps',
};

/** The variables RollbackWatchdog.handlerEnvironment() gives the four runtime handlers (values are dummies). */
const RUNTIME_HANDLER_ENV: Readonly<Record<string, string>> = {
  [ENV.tableName]: 'RollbackWatchdog-StateTable-BENCH',
  [ENV.topicArn]: 'arn:aws:sns:us-east-1:123456789012:RollbackWatchdog-Topic-BENCH',
  [ENV.stackName]: 'RollbackWatchdog',
  [ENV.configVersion]: '0123456789abcdef',
  ...COMMON_ENV,
};

/** The environment RollbackWatchdog gives each handler (createHandler's `environment`). */
const HANDLER_ENV: Readonly<Record<HandlerEntry, Readonly<Record<string, string>>>> = {
  'on-alarm': RUNTIME_HANDLER_ENV,
  'on-deployment': RUNTIME_HANDLER_ENV,
  'on-sweep': RUNTIME_HANDLER_ENV,
  'on-operator': RUNTIME_HANDLER_ENV,
  'on-webhook': {
    [ENV.webhookChannel]: 'slack',
    [ENV.slackSecretArn]: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:watchdog/slack-AbCdEf',
    [ENV.stackName]: 'RollbackWatchdog',
    ...COMMON_ENV,
  },
  'on-config-write': COMMON_ENV,
  'on-slack-interaction': {
    ...RUNTIME_HANDLER_ENV,
    [ENV.slackSecretArn]: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:watchdog/slack-AbCdEf',
    [ENV.slackApprovers]: 'U0123ABCD',
    AWS_LAMBDA_FUNCTION_NAME: 'RollbackWatchdog-SlackInteractionHandler-BENCH',
  },
  'on-audit-export': {
    [ENV.auditExportBucket]: 'rollbackwatchdog-auditexport-bench',
    [ENV.auditExportPrefix]: 'watchdog/',
    [ENV.auditExportBucketOwner]: '123456789012',
    ...COMMON_ENV,
  },
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
    const floors = new Map<string, { file: string; bytes: number; sourceMapBytes: number }>();
    for (const spec of HANDLER_BUNDLES) {
      const env = HANDLER_ENV[spec.entry];
      const handlerFile = path.join(dir, spec.name, 'index.js');
      const handler = await buildBundle({ entry: spec.entry }, handlerFile);
      let floor = floors.get(spec.floor);
      if (!floor) {
        const file = path.join(dir, `floor-${floors.size}`, 'index.js');
        floor = { file, ...(await buildBundle({ contents: spec.floor }, file)) };
        floors.set(spec.floor, floor);
      }

      // One unmeasured run each warms the page cache; then handler and floor alternate, so that drift in
      // machine load (other jobs on a shared box) hits both series alike.
      await timeRequire(handlerFile, env);
      await timeRequire(floor.file, env);
      const handlerMs: number[] = [];
      const floorMs: number[] = [];
      for (let i = 0; i < runs; i++) {
        handlerMs.push(await timeRequire(handlerFile, env));
        floorMs.push(await timeRequire(floor.file, env));
      }
      const initMs = median(handlerMs);
      const floorMedian = median(floorMs);
      const initRatio = initMs / floorMedian;
      results[spec.name] = {
        bundleBytes: handler.bytes,
        sourceMapBytes: handler.sourceMapBytes,
        floorBundleBytes: floor.bytes,
        floorSourceMapBytes: floor.sourceMapBytes,
        initMs: round(initMs),
        floorMs: round(floorMedian),
        initRatio: round(initRatio),
        targetRatio: COLD_START_TARGET_RATIO,
        met: initRatio <= COLD_START_TARGET_RATIO,
      };
    }
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
