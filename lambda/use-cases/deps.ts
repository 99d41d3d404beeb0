import type { RuntimeTarget } from '../contract';
import type { Clock, Deployer, PipelineFreezer, StateStore, Telemetry } from './ports';
import type { Reporter } from './report';

/** What every use case is given: the ports, and the reporter that audits and notifies through them. */
export interface UseCaseDeps {
  readonly store: StateStore;
  readonly deployerFor: (target: RuntimeTarget) => Deployer;
  readonly clock: Clock;
  readonly telemetry: Telemetry;
  readonly reporter: Reporter;
  /** Deploy freeze after a rollback (targets with `freeze`); absent where no target uses it. */
  readonly freezer?: PipelineFreezer;
  /** The region the watchdog and its targets live in, for console links in notifications. */
  readonly region?: string;
  /** The watchdog's CloudFormation stack, for the `--stack` of the commands in notifications. */
  readonly stackName?: string;
  /**
   * How long this invocation may still be running (its function's timeout): a claim it writes is its own until
   * then. @default FUNCTION_TIMEOUT_SECONDS.event
   */
  readonly actingBudgetMs?: number;
}
