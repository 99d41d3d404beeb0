import { EMULATOR_ENV } from './constants';
import { startMotoServer, type MotoServer } from './moto-server';

declare global {
  // Shared with global-teardown.ts, which Jest runs in the same process.
  var __watchdogMoto: MotoServer | undefined;
}

/**
 * Starts one moto_server for the whole `npm run test:emulator` run and points every AWS SDK client of the
 * test workers at it: AWS_ENDPOINT_URL (the SDK's documented endpoint override for all services), dummy
 * credentials and the region. Workers are forked after this runs, so they inherit the environment.
 */
export default async function globalSetup(): Promise<void> {
  const moto = await startMotoServer();
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
    `\nmoto ${moto.version} (moto_server, pid ${moto.pid}) on ${moto.endpoint}; request log: ${moto.logFile}\n`,
  );
}
