import {
  ALARM_STATE,
  METRIC,
  UNKNOWN_SCOPE,
  type RuntimeConfig,
  type RuntimeTarget,
  type SkipReason,
} from '../contract';
import {
  decideAlarm,
  emptyTargetState,
  findEntry,
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
import type { Deployer } from './ports';
import { RetryableError, TargetInvalidError } from './errors';

/** Optimistic-lock retries per target before the invocation gives up and lets Lambda retry. */
const MAX_COMMIT_ATTEMPTS = 5;

/** Slack between the Lambda's clock and the platform's deployment timestamps. */
const CLOCK_SKEW_MS = 60_000;

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
      if (decision.outcome === 'rollback') {
        decision = await act(deps, job, decision, { prior, claimed: saved, unclaimed: result.unclaimed });
      }
    }
    if (!(job.quietDuplicates && decision.reason === 'duplicate')) {
      await deps.reporter.decision(decision, job.requestId, transition);
    }
    return decision;
  }
  throw new RetryableError(
    `could not commit a decision for ${target.id} after ${MAX_COMMIT_ATTEMPTS} attempts (contention)`,
  );
}

/**
 * Issues the rollback the claim allows. Expected outcomes (the deployment already finished, another one is
 * active, the target is gone) become decisions and give the claim back. A transient failure may have hidden a
 * call that went through, so the service is read before the claim is given back: a retry must never repeat a
 * rollback that is already under way.
 */
async function act(
  deps: UseCaseDeps,
  job: TargetJob,
  decision: Decision,
  states: { prior: TargetState; claimed: TargetState; unclaimed: TargetState },
): Promise<Decision> {
  const { target, transition } = job;
  const deployer = deps.deployerFor(target);
  const { action, to } = decision;
  if (!action || !to) return decision;
  const artifact = findEntry(states.claimed.ledger, to)?.artifact;
  const redeployAction = {
    kind: 'redeploy' as const,
    version: to,
    ...(artifact !== undefined ? { artifact } : {}),
  };
  const standDown = async (reason: SkipReason, detail: string): Promise<Decision> => {
    await release(deps, states.unclaimed, states.claimed);
    return skipDecision(decision, reason, detail);
  };
  const started = (d: Decision): Decision => {
    deps.telemetry.count(METRIC.rollbacksStarted, 1, { target: target.id });
    return d;
  };

  deps.telemetry.count(METRIC.detectionToActionMs, Math.max(0, deps.clock.now() - transition.timestamp), {
    target: target.id,
  });
  try {
    let final = decision;
    let result =
      action.kind === 'stop'
        ? await deployer.stop(target, action.deploymentRef)
        : await deployer.redeploy(target, to, artifact);
    if (result.status === 'already-finished') {
      // The deployment finished or began stopping between our read and our call: look again.
      const live = await deployer.inspect(target);
      if (live.kind === 'ok' && live.nativeRollback) {
        return standDown(
          'native-rollback-in-progress',
          `The deployment was already stopping: the platform is rolling back by itself (${result.detail}).`,
        );
      }
      result = await deployer.redeploy(target, to, artifact);
      final = {
        ...decision,
        action: redeployAction,
        detail: `${decision.detail} The deployment had already finished, so ${to} is being redeployed.`,
      };
    }
    switch (result.status) {
      case 'issued':
        return started(final);
      case 'busy': {
        const live = await deployer.inspect(target);
        if (live.kind === 'ok' && live.nativeRollback) {
          return standDown(
            'native-rollback-in-progress',
            `The platform is already rolling back by itself (${result.detail}).`,
          );
        }
        return standDown(
          'alarm-predates-deploy',
          `Another deployment of ${target.id} started before the rollback could (${result.detail}); the alarm predates it, so that deployment is judged on its own alarms.`,
        );
      }
      case 'already-finished':
        // Adapters answer a redeploy with issued or busy; anything else needs a human to look.
        return standDown(
          'target-invalid',
          `The platform answered the redeploy of ${to} unexpectedly (${result.detail}).`,
        );
    }
  } catch (error) {
    if (error instanceof TargetInvalidError) {
      return standDown('target-invalid', `${target.id} cannot be rolled back: ${error.message}`);
    }
    const underway = await rollbackUnderway(deployer, target, decision).catch(() => undefined);
    if (underway) {
      return started({
        ...decision,
        detail: `${decision.detail} (The call reported an error, but the service shows the rollback under way.)`,
      });
    }
    if (underway === false) {
      // Nothing happened: give the claim back and forget the transition, so Lambda's retry can act.
      await release(deps, states.prior, states.claimed).catch(() => undefined);
    }
    // Cannot tell: keep the claim, so no retry acts twice; the sweep settles the rollback when the lease expires.
    throw error;
  }
}

/** After an ambiguous failure: does the service show the rollback the decision asked for? */
async function rollbackUnderway(
  deployer: Deployer,
  target: RuntimeTarget,
  decision: Decision,
): Promise<boolean> {
  const live = await deployer.inspect(target);
  if (live.kind !== 'ok') return false;
  if (decision.action?.kind === 'stop') return live.nativeRollback || live.currentVersion === decision.to;
  const latest = live.latest;
  return (
    latest !== undefined && latest.version === decision.to && latest.startedAt >= decision.at - CLOCK_SKEW_MS
  );
}

async function release(deps: UseCaseDeps, state: TargetState, claimed: TargetState): Promise<void> {
  const saved = await deps.store.saveTarget({ ...state, revision: claimed.revision }, claimed.revision);
  if (saved === 'conflict') {
    deps.telemetry.log('warn', 'claim changed before it could be released; the lease will expire', {
      target: state.targetId,
    });
  }
}
