import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EMULATOR_CONFIGS, type EmulatorArea } from './configs';
import { EMULATOR_ENV } from './constants';
import { startMotoServer, type MotoServer } from './moto-server';
import { TEMPLATES_DIR_ENV } from './stack';
import { synthWatchdogs } from './synth';

declare global {
  // Shared with global-teardown.ts, which Jest runs in the same process.
  var __watchdogMoto: MotoServer | undefined;
}

/**
 * Starts one moto_server for the whole `npm run test:emulator` run and points every AWS SDK client of the
 * test workers at it: AWS_ENDPOINT_URL (the SDK's documented endpoint override for all services), dummy
 * credentials and the region. Workers are forked after this runs, so they inherit the environment.
 *
 * Also synthesizes the stack of every test file (support/configs.ts) once, here, rather than in each
 * worker: CDK's start-up is most of a synth's time, and the test files then never load aws-cdk-lib.
 */
export default async function globalSetup(): Promise<void> {
  // First, so that a missing moto_server is reported at once, not after the synth.
  const moto = await startMotoServer();
  const started = Date.now();
  let templates: ReturnType<typeof synthWatchdogs<EmulatorArea>>;
  try {
    templates = synthWatchdogs(EMULATOR_CONFIGS);
  } catch (error) {
    await moto.stop();
    throw error;
  }
  const dir = mkdtempSync(join(tmpdir(), 'watchdog-emulator-templates-'));
  for (const [area, { template, configAsset }] of Object.entries(templates)) {
    writeFileSync(join(dir, `${area}.template.json`), JSON.stringify(template));
    writeFileSync(join(dir, `${area}.config-asset.json`), configAsset);
  }
  process.env[TEMPLATES_DIR_ENV] = dir;
  const synthSeconds = ((Date.now() - started) / 1000).toFixed(0);

  globalThis.__watchdogMoto = moto;
  for (const name of Object.keys(process.env)) {
    // A service-specific override (AWS_ENDPOINT_URL_DYNAMODB, ...) or a profile would bypass moto.
    if (name.startsWith('AWS_ENDPOINT_URL_') || name === 'AWS_PROFILE' || name === 'AWS_SESSION_TOKEN') {
      delete process.env[name];
    }
  }
  Object.assign(process.env, {
    ...EMULATOR_ENV,
    AWS_ENDPOINT_URL: moto.endpoint,
    // Powertools, if a test builds it: quiet, no metrics flushed to stdout.
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  process.stdout.write(
    `\nmoto ${moto.version} (moto_server, pid ${moto.pid}) on ${moto.endpoint}; request log: ${moto.logFile}\n` +
      `${Object.keys(templates).length} stacks synthesized in ${synthSeconds} s into ${dir}\n`,
  );
}
