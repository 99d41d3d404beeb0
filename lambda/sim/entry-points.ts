import { DETAIL_TYPE, EVENT_SOURCE } from '../contract';
import type { InvocationContext, WatchdogRuntime } from '../handlers/runtime';

/**
 * How the simulator reaches the watchdog's entry points. Each table below is where a new entry point
 * plugs in; the runner treats every row the same way (an async invocation with Lambda's retries).
 */

/** An EventBridge schedule of the watchdog (reconcile sweep, approval timeouts), run on the virtual clock. */
export interface ScheduledJob {
  readonly name: string;
  /** First run one period after start, then every period until `until`. */
  readonly everyMs: number;
  run(context: InvocationContext): Promise<void>;
}

/**
 * The watchdog's schedules. The runtime exposes none yet; the reconcile sweep and the approval timeouts
 * are added here when it does, and run without further changes to the simulator.
 */
export function scheduledJobs(_runtime: WatchdogRuntime): ScheduledJob[] {
  return [];
}

/** An operator command (`["pause", "checkout"]`) as the timeline's `command` runs it, as an authorised operator. */
export type OperatorCommand = (args: readonly string[], context: InvocationContext) => Promise<void>;

/**
 * Operator commands the simulator can run, by name. None yet: the operator entry point arrives with the
 * CLI's operator commands; a `command` entry naming anything else is reported as a per-entry error.
 */
export function operatorCommands(_runtime: WatchdogRuntime): Readonly<Record<string, OperatorCommand>> {
  return {};
}

export type EventHandlerName = 'onAlarm' | 'onDeployment';

/**
 * Which handler an event reaches, as the stack's EventBridge rules route it: deployment events to the
 * deployment handler, everything else to the alarm handler, whose boundary rejects (and audits) what it
 * does not understand. Raw timeline events are routed the same way, whatever their shape.
 */
export function handlerFor(event: unknown): EventHandlerName {
  if (typeof event === 'object' && event !== null && !Array.isArray(event)) {
    const e = event as Record<string, unknown>;
    const deployment =
      e['detail-type'] === DETAIL_TYPE.ecsDeploymentStateChange ||
      e['detail-type'] === DETAIL_TYPE.codeDeployStateChange ||
      e.source === EVENT_SOURCE.ecs ||
      e.source === EVENT_SOURCE.codedeploy;
    if (deployment) return 'onDeployment';
  }
  return 'onAlarm';
}
