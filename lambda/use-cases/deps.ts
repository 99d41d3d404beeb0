import type { RuntimeTarget } from '../contract';
import type { Clock, Deployer, KindFacts, PipelineFreezer, StateStore, Telemetry, VersionBus } from './ports';
import type { Reporter } from './report';

/** Where the watchdog lives, as every message names it: region, stack and account, those that are known. */
export function messageLocation(deps: Pick<UseCaseDeps, 'region' | 'stackName' | 'account' | 'kinds'>): {
  region?: string;
  stack?: string;
  account?: string;
  consoleLinks?: KindFacts['consoleLinks'];
} {
  return {
    ...(deps.region !== undefined ? { region: deps.region } : {}),
    ...(deps.stackName !== undefined ? { stack: deps.stackName } : {}),
    ...(deps.account !== undefined ? { account: deps.account } : {}),
    ...(deps.kinds !== undefined ? { consoleLinks: deps.kinds.consoleLinks } : {}),
  };
}

/** What every use case is given: the ports, and the reporter that audits and notifies through them. */
export interface UseCaseDeps {
  readonly store: StateStore;
  readonly deployerFor: (target: RuntimeTarget) => Deployer;
  /** What the target's kind says about links, the sweep and redeploys. @default - no console links */
  readonly kinds?: KindFacts;
  readonly clock: Clock;
  readonly telemetry: Telemetry;
  readonly reporter: Reporter;
  /** Deploy freeze after a rollback (targets with `freeze`); absent where no target uses it. */
  readonly freezer?: PipelineFreezer;
  /**
   * The stack's version bus, when the config lists several regions (lambda/contract/quarantine.ts): a version
   * rolled back here is quarantined in the others through it. Absent: one region, nothing is published.
   */
  readonly versionBus?: VersionBus;
  /** The region the watchdog and its targets live in, for console links in notifications. */
  readonly region?: string;
  /** The watchdog's CloudFormation stack, for the `--stack` of the commands in notifications. */
  readonly stackName?: string;
  /** The account the watchdog and its targets live in, named in every notification. */
  readonly account?: string;
  /**
   * How long this invocation may still be running (its function's timeout): a claim it writes is its own until
   * then. @default FUNCTION_TIMEOUT_SECONDS.event
   */
  readonly actingBudgetMs?: number;
}
