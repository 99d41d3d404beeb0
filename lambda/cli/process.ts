import { main, processIo } from './main';
import { EXIT } from './io';

/** The streams a process writes to; tests pass their own. */
export interface ProcessStreams {
  readonly stdout: NodeJS.EventEmitter;
  readonly stderr: NodeJS.EventEmitter;
}

/**
 * When the reader of the output goes away (`watchdog history | head -1`), every further write fails with
 * EPIPE, which Node reports as an unhandled 'error' event: a crash with a stack trace. The reader asked for no
 * more output, so the process ends quietly with the exit code it has so far (0 unless a command set one).
 * Other stream errors are real failures and stay fatal.
 */
export function endQuietlyOnBrokenPipe(
  streams: ProcessStreams = process,
  exit: (code: number) => void = (code) => process.exit(code),
): void {
  for (const stream of [streams.stdout, streams.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      exit(typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok);
    });
  }
}

/**
 * The `watchdog` (also `rollback-watchdog`) process: runs the command in `argv` with the real streams and
 * environment and sets the exit code. Sets `process.exitCode` rather than calling exit(), so output written
 * to a pipe is flushed before the process ends.
 */
export async function runProcess(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  endQuietlyOnBrokenPipe();
  try {
    process.exitCode = await main(argv, processIo());
  } catch (error) {
    process.stderr.write(
      `watchdog: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = EXIT.internalError;
  }
}
