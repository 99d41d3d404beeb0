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
import { RetryableError, TargetInvalidError } from './errors';

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

interface TargetJob {
  readonly config: RuntimeConfig;
  readonly target: RuntimeTarget;
  readonly transition: AlarmTransition;
  readonly key: string;
  readonly requestId: string;
  readonly stored: TargetState | undefined;
  readonly live: LiveTarget | undefined;
  readonly globalPause: Pause | undefined;
}

async function decideForTarget(deps: UseCaseDeps, job: TargetJob): Promise<Decision> {
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
      if (decision.outcome === 'rollback') {
        decision = await act(deps, job, decision, { prior, claimed: saved, unclaimed: result.unclaimed });
      }
    }
    await deps.reporter.decision(decision, job.requestId, transition);
    return decision;
  }
  throw new RetryableError(
    `could not commit a decision for ${target.id} after ${MAX_COMMIT_ATTEMPTS} attempts (contention)`,
  );
}

/** Issues the rollback the claim allows. Expected outcomes become decisions; transient failures undo the claim and throw. */
async function act(
  deps: UseCaseDeps,
  job: TargetJob,
  decision: Decision,
  states: { prior: TargetState; claimed: TargetState; unclaimed: TargetState },
): Promise<Decision> {
  const { target, transition } = job;
  const deployer = deps.deployerFor(target);
  const action = decision.action;
  if (!action || !decision.to) return decision;
  try {
    deps.telemetry.count(METRIC.detectionToActionMs, Math.max(0, deps.clock.now() - transition.timestamp), {
      target: target.id,
    });
    const result =
      action.kind === 'stop'
        ? await deployer.stop(target, action.deploymentRef)
        : await deployer.redeploy(target, action.version);
    if (result.status === 'issued') {
      deps.telemetry.count(METRIC.rollbacksStarted, 1, { target: target.id });
      return decision;
    }
    // The deployment finished or began stopping between our read and our call: look again.
    const live = await deployer.inspect(target);
    if (live.kind === 'ok' && live.nativeRollback) {
      await release(deps, states.unclaimed, states.claimed);
      return skipDecision(
        decision,
        'native-rollback-in-progress',
        `The deployment was already stopping: the service is rolling back by itself (${result.detail}).`,
      );
    }
    await deployer.redeploy(target, decision.to);
    deps.telemetry.count(METRIC.rollbacksStarted, 1, { target: target.id });
    return {
      ...decision,
      action: { kind: 'redeploy', version: decision.to },
      detail: `${decision.detail} The deployment had already finished, so ${decision.to} is being redeployed.`,
    };
  } catch (error) {
    if (error instanceof TargetInvalidError) {
      await release(deps, states.unclaimed, states.claimed);
      return skipDecision(decision, 'target-invalid', `${target.id} cannot be rolled back: ${error.message}`);
    }
    // Transient: give the claim back (and forget the transition) so Lambda's retry can act; if even that
    // fails, the lease expires on its own.
    await release(deps, states.prior, states.claimed).catch(() => undefined);
    throw error;
  }
}

async function release(deps: UseCaseDeps, state: TargetState, claimed: TargetState): Promise<void> {
  const saved = await deps.store.saveTarget({ ...state, revision: claimed.revision }, claimed.revision);
  if (saved === 'conflict') {
    deps.telemetry.log('warn', 'claim changed before it could be released; the lease will expire', {
      target: state.targetId,
    });
  }
}
