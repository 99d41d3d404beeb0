/** Stops the moto_server of global-setup.ts; Jest runs this after the last test file, failed or not. */
export default async function globalTeardown(): Promise<void> {
  await globalThis.__watchdogMoto?.stop();
  globalThis.__watchdogMoto = undefined;
}
