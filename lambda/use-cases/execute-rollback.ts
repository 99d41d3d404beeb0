import { METRIC, type RuntimeTarget, type SkipReason } from '../contract';
import { findEntry, skipDecision, type Decision, type Millis, type TargetState } from '../domain';
import { applyToTarget } from './apply-to-target';
import type { UseCaseDeps } from './deps';
import { TargetInvalidError } from './errors';
import type { Deployer } from './ports';
import { describe } from './report';

/** Slack between the Lambda's clock and the platform's deployment timestamps. */
const CLOCK_SKEW_MS = 60_000;

/** A rollback whose claim is committed, with the states needed to give it back. */
export interface ClaimedRollback {
  readonly target: RuntimeTarget;
  readonly decision: Decision;
  /** Before the decision: restored when nothing happened and Lambda should retry. */
  readonly prior: TargetState;
  /** As committed with the claim. */
  readonly claimed: TargetState;
  /** The decision's other changes without the claim: kept when the rollback is declined after all. */
  readonly unclaimed: TargetState;
  /** When the trigger was seen (alarm state timestamp, operator request): for DetectionToActionMs. */
  readonly detectedAt: Millis;
}

/**
 * Carries out a claimed rollback, whoever decided it (alarm, approval, operator, approval timeout), then
 * freezes the delivery pipeline when the target asks for it. Returns the final decision.
 */
export async function executeRollback(deps: UseCaseDeps, c: ClaimedRollback): Promise<Decision> {
  const decision = await act(deps, c);
  if (decision.outcome === 'rollback') await freeze(deps, c.target, decision, c.claimed);
  return decision;
}

/**
 * After a rollback, stop the pipeline from delivering the bad version again until an operator resumes. A
 * failure here never undoes or repeats the rollback: it is logged, counted and left to the operator.
 */
async function freeze(
  deps: UseCaseDeps,
  target: RuntimeTarget,
  decision: Decision,
  claimed: TargetState,
): Promise<void> {
  const spec = target.freeze;
  if (!spec || !deps.freezer) return;
  try {
    await deps.freezer.disable(
      spec.pipeline,
      spec.stage,
      `Rollback Watchdog rolled ${target.id} back from ${decision.from} to ${decision.to}; resume with: npx watchdog resume ${target.id}`,
    );
    await applyToTarget(
      deps,
      target,
      claimed,
      (s, now) => ({
        next: { ...s, frozen: { pipeline: spec.pipeline, stage: spec.stage, at: now } },
        effects: [],
      }),
      decision.id,
    );
  } catch (error) {
    deps.telemetry.log('error', 'deploy freeze failed', {
      target: target.id,
      pipeline: spec.pipeline,
      stage: spec.stage,
      error: describe(error),
    });
    deps.telemetry.count(METRIC.freezeFailures, 1, { target: target.id });
  }
}

/**
 * Issues the rollback the claim allows. Expected outcomes (the deployment already finished, another one is
 * active, the target is gone) become decisions and give the claim back. A transient failure may have hidden a
 * call that went through, so the service is read before the claim is given back: a retry must never repeat a
 * rollback that is already under way.
 */
async function act(deps: UseCaseDeps, c: ClaimedRollback): Promise<Decision> {
  const { target, decision } = c;
  const states = c;
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

  deps.telemetry.count(METRIC.detectionToActionMs, Math.max(0, deps.clock.now() - c.detectedAt), {
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
