import { eventSourceOf } from '../kinds/registry';
import { DETAIL_TYPE, EVENT_SOURCE, QUARANTINE_SOURCE, type RuntimeConfig } from '../contract';
import type { InvocationContext, WatchdogRuntime } from '../handlers/runtime';
import { isoSeconds } from './time';
import { SIM_ACCOUNT, SIM_REGION, SIM_STACK_NAME, stableUuid } from './world/account';

const MINUTE_MS = 60_000;

/**
 * How the simulator reaches the watchdog's entry points. Each table below is where a new entry point
 * plugs in; the runner treats every row the same way (an async invocation with Lambda's retries).
 */

/** An EventBridge schedule of the watchdog (reconcile sweep, approval timeouts), run on the virtual clock. */
export interface ScheduledJob {
  /** The entry point's name, as the timeline and the failure destination show it. */
  readonly name: string;
  /** First run one period after start, then every period until `until`. */
  readonly everyMs: number;
  /** What the schedule delivers, in a few words (`Scheduled Event (every 5m)`). */
  readonly subject: string;
  /** The event of the run at `at`. Lambda's retries of that run are handed the same event again. */
  event(at: number): ScheduledEvent;
  run(event: ScheduledEvent, context: InvocationContext): Promise<void>;
}

/** What an EventBridge schedule rule delivers to its Lambda target. */
export interface ScheduledEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': 'Scheduled Event';
  readonly source: 'aws.events';
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: Readonly<Record<string, never>>;
}

/** The reconcile sweep's schedule rule in the simulated account, in `region`. */
export const sweepRuleArn = (region: string): string =>
  `arn:aws:events:${region}:${SIM_ACCOUNT}:rule/${SIM_STACK_NAME}-SweepSchedule`;
/** The reconcile sweep's schedule rule in the default region. */
export const SWEEP_RULE_ARN = sweepRuleArn(SIM_REGION);

/**
 * The watchdog's schedules, from its resolved runtime config: the reconcile sweep every
 * `sweepIntervalMinutes`, its rule and events in the config's region. Approval timeouts are added here when
 * the runtime has them.
 */
export function scheduledJobs(runtime: WatchdogRuntime, config: RuntimeConfig): ScheduledJob[] {
  const minutes = config.sweepIntervalMinutes;
  const ruleArn = sweepRuleArn(config.region);
  return [
    {
      name: 'onSweep',
      everyMs: minutes * MINUTE_MS,
      subject: `Scheduled Event (every ${minutes}m)`,
      event: (at) => scheduledEvent(ruleArn, at, config.region),
      run: (event, context) => runtime.onSweep(event, context),
    },
  ];
}

/**
 * EventBridge's scheduled event for `rule` at `at` in `region` (the rule's); its id is stable per rule and
 * time.
 */
export function scheduledEvent(ruleArn: string, at: number, region: string = SIM_REGION): ScheduledEvent {
  return {
    version: '0',
    id: stableUuid(`scheduled-event:${ruleArn}`, at),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: SIM_ACCOUNT,
    time: isoSeconds(at),
    region,
    resources: [ruleArn],
    detail: {},
  };
}

/**
 * The caller of every timeline `command`: an operator the operator function's IAM auth accepts, as the
 * Function URL reports it (`requestContext.authorizer.iam.userArn`). The audit records this principal.
 */
export const SIMULATED_OPERATOR_ARN = `arn:aws:iam::${SIM_ACCOUNT}:user/simulated-operator`;

export type EventHandlerName = 'onAlarm' | 'onDeployment' | 'onVersionEvent';

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
      e.source === EVENT_SOURCE.codedeploy ||
      eventSourceOf(event) !== undefined;
    if (deployment) return 'onDeployment';
    // The alarm handler's function receives the version bus's events too (lambda/handlers/on-alarm.ts).
    if (e.source === QUARANTINE_SOURCE) return 'onVersionEvent';
  }
  return 'onAlarm';
}
