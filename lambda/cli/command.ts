import type { CommandSpec, ParsedArgs } from '../boundary/command-line';
import type { CliIo } from './io';

/** A `watchdog` subcommand: its interface and what it does. Returns the exit code. */
export interface Command {
  readonly spec: CommandSpec;
  /** Lines for the "Exit codes" section of `--help`. */
  readonly exitCodes: readonly string[];
  run(args: ParsedArgs, io: CliIo): Promise<number>;
}
