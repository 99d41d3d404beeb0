import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INSTALL_HINT, onPath, PYTHON_TOOLS } from '../../support/python-tools';

/** A running `moto_server` on a loopback port. */
export interface MotoServer {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  readonly pid: number;
  /** moto's version, as the Python package reports it, or `unknown`. */
  readonly version: string;
  /** Every line moto printed (one per request), for diagnosing a failed run. */
  readonly logFile: string;
  /** SIGTERM, then SIGKILL after a grace period. Safe to call twice. */
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 3_000;
/** Werkzeug's banner: ` * Running on http://127.0.0.1:43835`. */
const LISTENING = /Running on (http:\/\/127\.0\.0\.1:\d+)/;

/**
 * Environment of the server process. moto creates every ECS service deployment with this many running tasks
 * and reports it COMPLETED when that reaches the desired count (moto/ecs/models.py), so desiredCount 1 gives
 * a completed deployment and desiredCount 2 one that stays IN_PROGRESS.
 */
export const MOTO_ENV = { MOTO_ECS_SERVICE_RUNNING: '1' } as const;

export class MotoUnavailableError extends Error {}

/**
 * Starts `moto_server -H 127.0.0.1 -p 0` (the OS picks a free port, so parallel runs never collide) and
 * resolves once it listens. Throws MotoUnavailableError, with the install command, when it is not on PATH.
 */
export async function startMotoServer(): Promise<MotoServer> {
  const command = onPath(PYTHON_TOOLS.motoServer);
  if (!command) {
    throw new MotoUnavailableError(
      `${PYTHON_TOOLS.motoServer} is not on PATH, so the emulator suite cannot run. Install it with: ${INSTALL_HINT}`,
    );
  }
  const logFile = join(mkdtempSync(join(tmpdir(), 'watchdog-moto-')), 'moto.log');
  const log = createWriteStream(logFile);
  const child = spawn(command, ['-H', '127.0.0.1', '-p', '0'], {
    env: { ...process.env, ...MOTO_ENV },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Always drained: moto logs every request, and a full pipe would block the server.
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= terminate(child).finally(() => log.end());
    return stopped;
  };
  // The last resort when Jest exits without running globalTeardown (a crash, or a second Ctrl-C).
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));

  try {
    const endpoint = await listening(child);
    return { endpoint, pid: child.pid ?? -1, version: motoVersion(), logFile, stop };
  } catch (error) {
    await stop();
    throw new Error(`${PYTHON_TOOLS.motoServer} did not start (its output is in ${logFile})`, {
      cause: error,
    });
  }
}

function listening(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(
      () => reject(new Error(`not listening after ${READY_TIMEOUT_MS} ms`)),
      READY_TIMEOUT_MS,
    );
    const onData = (chunk: Buffer) => {
      seen = (seen + chunk.toString('utf8')).slice(-4096);
      const match = LISTENING.exec(seen);
      if (match) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stderr?.off('data', onData);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`exited early (code ${code}, signal ${signal})`));
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** moto_server has no --version; the package's metadata has it (same interpreter on a normal install). */
function motoVersion(): string {
  const out = spawnSync('python3', ['-c', 'import importlib.metadata as m; print(m.version("moto"))'], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  return out.status === 0 && out.stdout.trim() ? out.stdout.trim() : 'unknown';
}
