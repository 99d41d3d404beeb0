import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OperatorRequest, OperatorResponse, StackLocation } from '../../../lambda/contract';
import { main } from '../../../lambda/cli/main';
import type { OperatorEnvironment } from '../../../lambda/cli/operator-client';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  cwd?: string;
  /** stdout is a terminal. */
  isTTY?: boolean;
  /** stderr is a terminal (the spinner shows there). */
  stderrIsTTY?: boolean;
  env?: Record<string, string>;
  /** The deployed stack, faked; without it the operator commands would call AWS. */
  operator?: OperatorEnvironment;
}

/** Runs the CLI in-process, as `watchdog <argv>` from `cwd`, capturing its output. */
export async function runCli(argv: readonly string[], options: RunOptions = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (text: string) => (stdout += text), isTTY: options.isTTY ?? false },
    stderr: { write: (text: string) => (stderr += text), isTTY: options.stderrIsTTY ?? false },
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    ...(options.operator ? { operator: options.operator } : {}),
  });
  return { code, stdout, stderr };
}

/** Writes `files` (name → JSON value) into a fresh directory and returns it. */
export function tempDir(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'watchdog-cli-'));
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }
  return dir;
}

/** What a fake deployed watchdog saw. */
export interface FakeOperatorCalls {
  readonly locations: StackLocation[];
  readonly requests: OperatorRequest[];
  readonly sleeps: number[];
}

/**
 * A deployed watchdog, faked at the OperatorClient port: `answer` plays the operator function, and a virtual
 * clock advances only when the command sleeps. `connect` fails with `connectError` when given.
 */
export function fakeOperator(
  answer: (request: OperatorRequest) => OperatorResponse | Promise<OperatorResponse>,
  options: { connectError?: Error; start?: number } = {},
): { environment: OperatorEnvironment; calls: FakeOperatorCalls } {
  const calls: FakeOperatorCalls = { locations: [], requests: [], sleeps: [] };
  let clock = options.start ?? Date.parse('2026-03-01T12:00:00Z');
  const environment: OperatorEnvironment = {
    async connect(location) {
      calls.locations.push(location);
      if (options.connectError !== undefined) throw options.connectError;
      return {
        async send(request) {
          calls.requests.push(request);
          return answer(request);
        },
      };
    },
    async sleep(ms) {
      calls.sleeps.push(ms);
      clock += ms;
    },
    now: () => clock,
  };
  return { environment, calls };
}
