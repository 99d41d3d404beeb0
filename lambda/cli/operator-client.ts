import type { OperatorClient, StackLocation } from '../contract';

/** What the operator commands need from the outside world; tests pass fakes, `watchdog` the real thing. */
export interface OperatorEnvironment {
  /** Finds the stack's operator function and returns a client for it. */
  connect(location: StackLocation): Promise<OperatorClient>;
  /** Waits between polls (`drill`). */
  sleep(ms: number): Promise<void>;
  /** Epoch milliseconds: `--since 2h` and the drill timeout are relative to it. */
  now(): number;
}
