/**
 * A variable the RollbackWatchdog construct always sets. A missing one is a deployment bug: fail at init,
 * loudly, naming it. Kept apart from environment.ts so that small handlers need not bundle the runtime.
 */
export function requiredEnv(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value)
    throw new Error(
      `environment variable ${name} is not set; the function was not deployed by the RollbackWatchdog construct`,
    );
  return value;
}
