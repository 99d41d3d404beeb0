import type { OperatorEnvironment } from './operator-client';

/** Where a command writes and what it may read from its environment; tests pass their own. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean };
  /** Errors, and the spinner while waiting on AWS (only on a terminal). */
  readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean };
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Relative file arguments are resolved against this. */
  readonly cwd: string;
  /** How the operator commands reach a deployed stack. @default - AWS through CloudFormation and a signed Function URL call */
  readonly operator?: OperatorEnvironment;
}

/** Exit codes (docs/architecture.md, "Operator URL and CLI"). */
export const EXIT = {
  ok: 0,
  /** The scenario ran but its `expect` block does not hold. */
  expectationFailed: 1,
  /** The watchdog refused the operator command (e.g. a rollback to a version outside the ledger). */
  refused: 1,
  /** Bad arguments, an invalid config or scenario file, missing AWS credentials or a missing stack. */
  invalidInput: 2,
  /** The tool itself failed (a bug, or the embedded dynalite could not start). */
  internalError: 3,
  /** The operator function could not be reached, or failed. */
  unavailable: 3,
} as const;

/** Colour only for a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function useColor(io: CliIo): boolean {
  const noColor = io.env.NO_COLOR;
  return io.stdout.isTTY === true && (noColor === undefined || noColor === '');
}
