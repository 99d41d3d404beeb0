import type { RuntimeTarget } from '../contract';
import type { Clock, Deployer, StateStore, Telemetry } from './ports';
import type { Reporter } from './report';

/** What every use case is given: the ports, and the reporter that audits and notifies through them. */
export interface UseCaseDeps {
  readonly store: StateStore;
  readonly deployerFor: (target: RuntimeTarget) => Deployer;
  readonly clock: Clock;
  readonly telemetry: Telemetry;
  readonly reporter: Reporter;
}
