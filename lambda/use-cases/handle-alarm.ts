import { ALARM_STATE, METRIC, UNKNOWN_SCOPE, type RuntimeConfig, type RuntimeTarget } from '../contract';
import {
  decideAlarm,
  emptyTargetState,
  MINUTE,
  skipDecision,
  transitionKey,
  type AlarmTransition,
  type Decision,
  type LiveTarget,
  type Pause,
  type TargetState,
} from '../domain';
import { decisionId } from './decision-id';
import type { UseCaseDeps } from './deps';
import { RetryableError } from './errors';
import { executeRollback } from './execute-rollback';

/** Optimistic-lock retries per target before the invocation gives up and lets Lambda retry. */
const MAX_COMMIT_ATTEMPTS = 5;

/**
 * One alarm transition → one decision per guarded target: load → decide → claim → act → record → notify.
 * On the rollback path there are two sequential round trips before the rollback call: the parallel read
 * (state + the service's live view) and the claim.
 */
export async function handleAlarm(
  deps: UseCaseDeps,
  config: RuntimeConfig,
  transition: AlarmTransition,
  requestId: string,
): Promise<Decision[]> {
  const now = deps.clock.now();
  const key = transitionKey(transition);
  const targets = config.targets.filter((t) => t.alarms.includes(transition.alarmName));
  if (targets.length === 0) {
    const decision = skipDecision(
      {
        id: decisionId(requestId, UNKNOWN_SCOPE, key),
        at: now,
        target: UNKNOWN_SCOPE,
        trigger: transition.alarmName,
      },
      'unknown-alarm',
      `${transition.alarmName} guards no configured target.`,
    );
    await deps.reporter.decision(decision, requestId, transition);
    return [decision];
  }

  const needLive = transition.value === ALARM_STATE.alarm;
  const [loaded, ...lives] = await Promise.all([
    deps.store.loadTargets(targets.map((t) => t.id)),
    ...targets.map((t) => (needLive ? deps.deployerFor(t).inspect(t) : Promise.resolve(undefined))),
  ]);

  return Promise.all(
    targets.map((target, i) =>
      decideForTarget(deps, {
        config,
        target,
        transition,
        key,
        requestId,
        stored: loaded.targets.get(target.id),
        live: lives[i],
        globalPause: loaded.globalPause,
      }),
    ),
  );
}

export interface TargetJob {
  readonly config: RuntimeConfig;
  readonly target: RuntimeTarget;
  readonly transition: AlarmTransition;
  readonly key: string;
  readonly requestId: string;
  readonly stored: TargetState | undefined;
  readonly live: LiveTarget | undefined;
  readonly globalPause: Pause | undefined;
  /**
   * The sweep re-checks alarms that are still in ALARM every few minutes: a transition it already decided on
   * is neither audited nor announced again.
   */
  readonly quietDuplicates?: boolean;
}

/** Decide, claim, act and report for one target and one transition. */
export async function decideForTarget(deps: UseCaseDeps, job: TargetJob): Promise<Decision> {
  const { target, transition } = job;
  let stored = job.stored;
  for (let attempt = 1; attempt <= MAX_COMMIT_ATTEMPTS; attempt++) {
    const prior = stored ?? emptyTargetState(target.id);
    const result = decideAlarm({
      now: deps.clock.now(),
      decisionId: decisionId(job.requestId, target.id, job.key),
      transition,
      target,
      state: prior,
      live: job.live,
      globalPause: job.globalPause,
      maxEventAgeMs: job.config.maxEventAgeMinutes * MINUTE,
    });
    let decision = result.decision;
    if (decision.reason !== 'duplicate') {
      const saved = await deps.store.saveTarget(result.next, prior.revision);
      if (saved === 'conflict') {
        // Someone else changed the target (a duplicate delivery, another alarm): decide again on fresh state.
        stored = (await deps.store.loadTargets([target.id])).targets.get(target.id);
        continue;
      }
      // Counted only once the verification's end is stored: a lost race must not count it twice.
      if (result.verified) {
        const recovered = Math.round((deps.clock.now() - result.verified.startedAt) / 1000);
        deps.telemetry.count(METRIC.timeToRecoverySeconds, recovered, { target: target.id });
      }
      if (decision.outcome === 'rollback') {
        decision = await executeRollback(deps, {
          target,
          decision,
          prior,
          claimed: saved,
          unclaimed: result.unclaimed,
          detectedAt: transition.timestamp,
        });
      }
    }
    if (!(job.quietDuplicates && decision.reason === 'duplicate')) {
      await deps.reporter.decision(decision, job.requestId, transition, {
        target,
        region: job.config.region,
      });
    }
    return decision;
  }
  throw new RetryableError(
    `could not commit a decision for ${target.id} after ${MAX_COMMIT_ATTEMPTS} attempts (contention)`,
  );
}
