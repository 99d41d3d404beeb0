import type { VirtualClock } from '../virtual-clock';
import type { EventBridgeEvent } from './account';

/**
 * What a change in the simulated account is, for the readable timeline. `lost` marks an event the world
 * emitted that never reaches the watchdog (a CodeDeploy group's `lostEvents`).
 */
export type WorldNoteKind = 'deploy' | 'ecs' | 'codedeploy' | 'codepipeline' | 'alarm' | 'lost';

/**
 * What every part of the simulated account shares: the clock, the region, the event bus, the timeline and id
 * counters.
 * `source` names the resource that acts (`ecs:prod/checkout`, `alarm:checkout-5xx`): when one invocation of
 * the watchdog changes several resources concurrently, the runner orders their effects by resource, not by
 * which promise happened to settle first, so every run is identical.
 */
export interface WorldContext {
  readonly clock: VirtualClock;
  /**
   * The region this world simulates (the account is always `SIM_ACCOUNT`): every ARN, event envelope and
   * CloudTrail record the world makes names it, and requests for another region's resources find nothing.
   */
  readonly region: string;
  /**
   * Puts an event on the bus. It reaches the watchdog `deliveries` times at the current moment, after the
   * task that emitted it (EventBridge is asynchronous), each delivery a separate invocation.
   */
  emit(source: string, event: EventBridgeEvent, deliveries: number): void;
  /** Records a change of the world for the timeline. */
  note(source: string, kind: WorldNoteKind, text: string): void;
  /** The next number of a counter, starting at 1. Key counters by resource so ids never depend on timing. */
  next(counter: string): number;
}

export const ecsSource = (cluster: string, service: string): string => `ecs:${cluster}/${service}`;
export const codeDeploySource = (application: string, group: string): string =>
  `codedeploy:${application}/${group}`;
export const alarmSource = (name: string): string => `alarm:${name}`;

/**
 * A request the simulator cannot answer faithfully (an API or parameter it does not model). It fails the
 * call like an AWS error would, and the run reports it as a simulator problem instead of a silent guess.
 */
export class SimulatorGapError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SimulatorGapError';
  }
}
