import { requiredEnv } from './required-env';
import { ENV, regionFromEnvironment } from '../contract';
import { createAwsClients } from '../adapters/aws-clients';
import { PowertoolsTelemetry } from '../adapters/powertools-telemetry';
import { createRuntime, type AuditingRuntime } from './runtime';

/**
 * Builds the runtime from the Lambda environment once per container (module scope), so SDK clients and the
 * cached config are reused across invocations. A missing variable is a deployment bug: fail at init, loudly.
 */
export function runtimeFromEnvironment(env: NodeJS.ProcessEnv = process.env): AuditingRuntime {
  const required = (name: string): string => requiredEnv(env, name);
  const region = regionFromEnvironment(env);
  return createRuntime({
    clients: createAwsClients(),
    tableName: required(ENV.tableName),
    topicArn: required(ENV.topicArn),
    stackName: env[ENV.stackName] ?? 'RollbackWatchdog',
    clock: { now: () => Date.now() },
    telemetry: new PowertoolsTelemetry(),
    ...(region !== undefined ? { region } : {}),
  });
}
