/** One AWS API operation as the simulated account answers it. */
export interface SimCommand<I = unknown> {
  /** The config target id (or resource name) the call concerns, for the output's `calls`. */
  target?(input: I): string | undefined;
  /** Answers like the service: returns the output (without `$metadata`) or throws the service's exception. */
  run(input: I): Record<string, unknown>;
}

/** A service's operations by command name without the `Command` suffix (`DescribeServices`). */
export type SimCommands = Readonly<Record<string, SimCommand>>;

/**
 * Declares an operation with its SDK input type. The SDK has type-checked the input against that command
 * before the simulator's middleware sees it, so handing it on as `I` is sound.
 */
export function simCommand<I>(command: SimCommand<I>): SimCommand {
  return command;
}
