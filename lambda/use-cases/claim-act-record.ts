import { FREEZING_SKIPS, FUNCTION_TIMEOUT_SECONDS, METRIC, type RuntimeTarget } from '../contract';
import {
  abandonClaim,
  claimedDecision,
  dueOutbox,
  emptyTargetState,
  markIssued,
  owingSettings,
  redeployOf,
  releaseClaim,
  reported,
  rollbackUnderway,
  settleUnissued,
  skipDecision,
  storableTransition,
  takeOutbox,
  takeOverClaim,
  unissuedOrphan,
  type ActiveRollback,
  type AlarmTransition,
  type Decision,
  type LiveTarget,
  type Millis,
  type OutboxEntry,
  type Pause,
  type RollbackAction,
  type TargetState,
  type Verification,
} from '../domain';
import { applyToTarget, freezeStatus, recordRecovery } from './apply-to-target';
import { messageLocation, type UseCaseDeps } from './deps';
import { RetryableError, TargetInvalidError } from './errors';
import type { ActionResult, Deployer } from './ports';
import { CLI_BINARY } from './notifications';
import { describe, type ReportContext } from './report';
import { restoreOwedSettings } from './settings-restore';
import { sendFreshQuarantine, withOwedQuarantine } from './quarantine';

/**
 * The one routine every decision of the watchdog goes through, whoever took it (an alarm transition, the sweep,
 * an operator): commit → act → mark issued → report. See docs/reliability.md for why each step is where it is.
 *
 * 1. Commit: the pure decision's next state is written with one conditional write. For a rollback that write
 *    is the claim; it carries the decision and the moment its writer is certainly gone (`actingUntil`).
 * 2. Act: the rollback call. Expected refusals (already finished, another deployment active, target gone)
 *    become honest skip decisions and give the claim back.
 * 3. Mark issued: as soon as the call returned, one write marks the claim issued and puts the decision in the
 *    target's outbox.
 * 4. Report: audit item and notification; each part done is ticked off the outbox, which empties when both are.
 *
 * Whoever later finds a claim left unissued by a writer that is gone settles it (the redelivery rule: under way
 * → issued; nothing happened → act now; the target moved on → release), and whoever finds an outbox entry
 * whose writer is gone finishes its report. So a rollback is issued at most once and reported at least once.
 */

/** What the pure engine proposes for one target. */
export interface Proposal {
  readonly decision: Decision;
  /** The state to commit; the input state itself when there is nothing to write (a duplicate, a refusal). */
  readonly next: TargetState;
  /** `next` without the claim: what stays when the rollback turns out impossible after all. */
  readonly unclaimed: TargetState;
  /** Set when this decision completed the verification of an earlier rollback. */
  readonly verified?: Verification;
}

export interface CommitJob {
  readonly target: RuntimeTarget;
  /** As loaded; undefined when the target has no item yet. */
  readonly stored: TargetState | undefined;
  readonly requestId: string;
  /** The target as its API reported it alongside the load; undefined where it was not read. */
  readonly live: LiveTarget | undefined;
  readonly globalPause: Pause | undefined;
  /** The alarm transition being decided, if any (its reason text goes into the notification). */
  readonly transition?: AlarmTransition;
  /** When the trigger was seen (alarm state timestamp, operator request), for DetectionToActionMs. */
  readonly detectedAt: Millis;
  /** The pure decision, run again on fresh state after a lost race. */
  readonly decide: (state: TargetState, now: Millis) => Proposal;
  /** Neither audit nor announce a `duplicate` (the sweep re-checks alarms still in ALARM every few minutes). */
  readonly quietDuplicates?: boolean;
}

/** Optimistic-lock retries per target before the invocation gives up and lets Lambda retry. */
const MAX_COMMIT_ATTEMPTS = 5;

/** Decide, commit, act and report for one target. Returns the decision as it finally stands. */
export async function commitDecision(deps: UseCaseDeps, job: CommitJob): Promise<Decision> {
  const { target } = job;
  let stored = job.stored;
  for (let attempt = 1; attempt <= MAX_COMMIT_ATTEMPTS; attempt++) {
    const state = stored ?? emptyTargetState(target.id);
    const now = deps.clock.now();
    const proposal = job.decide(state, now);
    const { decision } = proposal;
    if (proposal.next === state) {
      // Lambda's retry of this very request finds its own dedupe record: not a second delivery, so no second
      // audit item; only what the first attempt may have left undone.
      const ownRetry =
        decision.reason === 'duplicate' && state.handled.some((h) => h.decisionId === decision.id);
      if (!ownRetry && !(job.quietDuplicates && decision.reason === 'duplicate')) {
        await deps.reporter.decision(decision, job.requestId, job.transition, reportContext(deps, target));
      }
      await settleLeftovers(deps, job, state);
      return decision;
    }
    const claiming = decision.outcome === 'rollback';
    const next = claiming ? stampClaim(deps, proposal.next, decision, job, now) : proposal.next;
    const saved = await deps.store.saveTarget(next, state.revision);
    if (saved === 'conflict') {
      // Someone else changed the target (a duplicate delivery, another alarm): decide again on fresh state.
      stored = (await deps.store.loadTargets([target.id])).targets.get(target.id);
      continue;
    }
    // Counted only once the verification's end is stored: a lost race must not count it twice.
    if (proposal.verified) await recordRecovery(deps, target.id, proposal.verified, deps.clock.now());
    if (claiming) {
      return carryOut(deps, {
        target,
        decision,
        claimed: saved,
        unclaimed: { ...proposal.unclaimed, revision: saved.revision },
        requestId: job.requestId,
        transition: job.transition,
        detectedAt: job.detectedAt,
      });
    }
    const frozen = freezes(decision, target) ? await freeze(deps, target, decision, saved) : undefined;
    await deps.reporter.decision(
      decision,
      job.requestId,
      job.transition,
      frozen ? reportContext(deps, target, frozen.state ?? saved, frozen.error) : reportContext(deps, target),
    );
    await settleLeftovers(deps, job, frozen?.state ?? saved);
    return decision;
  }
  throw new RetryableError(
    `could not commit a decision for ${target.id} after ${MAX_COMMIT_ATTEMPTS} attempts (contention)`,
  );
}

/**
 * A skip that leaves the bad release serving (FREEZING_SKIPS) freezes the pipeline like a rollback does, except
 * in dry-run mode or a rehearsal, which change nothing.
 */
function freezes(decision: Decision, target: RuntimeTarget): boolean {
  const rehearsal = decision.drill !== undefined && !decision.drill.live;
  return (
    (FREEZING_SKIPS as readonly string[]).includes(decision.reason) &&
    target.policy.mode !== 'dry-run' &&
    !rehearsal
  );
}

/** The claim written with a rollback decision: who may act on it until when, and what it is about. */
function stampClaim(
  deps: UseCaseDeps,
  next: TargetState,
  decision: Decision,
  job: CommitJob,
  now: Millis,
): TargetState {
  const rollback = next.rollback;
  if (!rollback || rollback.decisionId !== decision.id) return next;
  return {
    // A fast-tracked redeploy changes the service's settings: what it owes back is stored before it acts. The
    // other regions are owed the quarantine of the version it leaves (sent once the call has returned).
    ...withOwedQuarantine(deps, owingSettings(next, decision.id, decision.action, now), decision),
    rollback: {
      ...rollback,
      actingUntil: now + actingBudget(deps),
      decision,
      requestId: job.requestId,
      ...(job.transition ? { transition: storableTransition(job.transition) } : {}),
    },
  };
}

function actingBudget(deps: UseCaseDeps): number {
  return deps.actingBudgetMs ?? FUNCTION_TIMEOUT_SECONDS.event * 1000;
}

/** A committed claim, with what is needed to act on it or give it back. */
interface Claimed {
  readonly target: RuntimeTarget;
  readonly decision: Decision;
  /** As committed with the claim. */
  readonly claimed: TargetState;
  /** The claim given back, at the claimed revision: written when the rollback is declined. */
  readonly unclaimed: TargetState;
  readonly requestId: string;
  readonly transition: AlarmTransition | undefined;
  readonly detectedAt: Millis;
}

type Attempted =
  | { readonly kind: 'issued'; readonly decision: Decision; readonly deploymentRef?: string }
  | { readonly kind: 'declined'; readonly decision: Decision };

/**
 * Act on a committed claim, then mark it issued, freeze the pipeline if asked, and report. A decline gives the
 * claim back and reports the skip. An error the platform's answer cannot explain leaves the claim unissued for
 * the next delivery to settle, and escapes so that Lambda retries.
 */
async function carryOut(deps: UseCaseDeps, c: Claimed): Promise<Decision> {
  const { target } = c;
  deps.telemetry.count(METRIC.detectionToActionMs, Math.max(0, deps.clock.now() - c.detectedAt), {
    target: target.id,
  });
  const result = await attempt(deps, c);
  if (result.kind === 'declined') {
    // A fast-tracked call may have changed the settings before it was refused: the restore stays owed.
    const owed = c.claimed.settingsRestore;
    const released = await giveBack(
      deps,
      owed && !c.unclaimed.settingsRestore ? { ...c.unclaimed, settingsRestore: owed } : c.unclaimed,
      c.claimed,
    );
    await restoreOwedSettings(deps, target, released);
    await deps.reporter.decision(result.decision, c.requestId, c.transition, reportContext(deps, target));
    return result.decision;
  }
  deps.telemetry.count(METRIC.rollbacksStarted, 1, { target: target.id });
  const entry = outboxEntry(deps, c.claimed.rollback, result.decision, c.requestId, c.transition);
  const marked = await commit(deps, target, c.claimed, (s) =>
    markIssued(
      s,
      c.decision.id,
      {
        at: deps.clock.now(),
        action: result.decision.action?.kind ?? 'redeploy',
        ...(result.deploymentRef !== undefined ? { deploymentRef: result.deploymentRef } : {}),
      },
      entry,
    ),
  );
  // The other regions hear of the version while on-call does: they may be serving it right now.
  await Promise.all([
    sendFreshQuarantine(deps, target, marked ?? c.claimed, c.decision.id),
    (async () => {
      const frozen = await freeze(deps, target, result.decision, marked ?? c.claimed);
      if (marked) {
        await relay(deps, target, frozen.state ?? marked, [entry], frozen.error);
      } else {
        // The issued mark could not be written (the table is unavailable): report anyway. Whoever settles the
        // unissued claim later sees the rollback under way and reports it again: a repeat, never a silence.
        await deps.reporter.decision(
          result.decision,
          c.requestId,
          c.transition,
          reportContext(deps, target, frozen.state ?? c.claimed, frozen.error),
        );
      }
    })(),
  ]);
  return result.decision;
}

function outboxEntry(
  deps: UseCaseDeps,
  rollback: ActiveRollback | undefined,
  decision: Decision,
  requestId: string,
  transition: AlarmTransition | undefined,
): Omit<OutboxEntry, 'audited' | 'announced'> {
  return {
    decision,
    requestId,
    ...(transition ? { transition: storableTransition(transition) } : {}),
    until: rollback?.actingUntil ?? deps.clock.now() + actingBudget(deps),
  };
}

/** Makes the rollback call the decision asks for and maps the platform's answer to an outcome. */
async function attempt(deps: UseCaseDeps, c: Claimed): Promise<Attempted> {
  const { target, decision } = c;
  const deployer = deps.deployerFor(target);
  const action = decision.action;
  const to = decision.to;
  const rollback = c.claimed.rollback;
  if (!action || !to || !rollback) {
    throw new TypeError(`rollback decision ${decision.id} has no action, target version or claim`);
  }
  const declined = (reason: Parameters<typeof skipDecision>[1], detail: string): Attempted => ({
    kind: 'declined',
    decision: skipDecision(decision, reason, detail),
  });
  try {
    let final = decision;
    let result = await call(deployer, target, action, decision.id);
    if (result.status === 'already-finished') {
      // The deployment finished or began stopping between our read and our call: look again.
      const live = await deployer.inspect(target);
      if (live.kind === 'ok' && live.nativeRollback) {
        return declined(
          'native-rollback-in-progress',
          `The deployment was already stopping: the platform is rolling back by itself (${result.detail}).`,
        );
      }
      const redeploy = await fallbackRedeploy(deps, c, live, to);
      result = await call(deployer, target, redeploy, decision.id);
      final = {
        ...decision,
        action: redeploy,
        detail: `${decision.detail} The deployment had already finished, so ${to} is being redeployed.`,
      };
    }
    switch (result.status) {
      case 'issued':
        return {
          kind: 'issued',
          decision: final,
          ...(result.deploymentRef !== undefined ? { deploymentRef: result.deploymentRef } : {}),
        };
      case 'busy': {
        const live = await deployer.inspect(target);
        if (rollbackUnderway(live, rollback)) {
          return {
            kind: 'issued',
            decision: {
              ...final,
              detail: `${final.detail} (The platform shows the rollback already under way.)`,
            },
          };
        }
        if (live.kind === 'ok' && live.nativeRollback) {
          return declined(
            'native-rollback-in-progress',
            `The platform is already rolling back by itself (${result.detail}).`,
          );
        }
        return declined(
          'target-changed',
          `Another deployment of ${target.id} became active before the rollback to ${to} could start (${result.detail}); it is judged on its own alarms.`,
        );
      }
      case 'already-finished':
        // Adapters answer a redeploy with issued or busy; anything else needs a human to look.
        return declined(
          'target-invalid',
          `The platform answered the redeploy of ${to} unexpectedly (${result.detail}).`,
        );
    }
  } catch (error) {
    if (error instanceof TargetInvalidError) {
      return declined('target-invalid', `${target.id} cannot be rolled back: ${error.message}`);
    }
    const live = await deployer.inspect(target).catch(() => undefined);
    if (live && rollbackUnderway(live, rollback)) {
      return {
        kind: 'issued',
        decision: {
          ...decision,
          detail: `${decision.detail} (The call reported an error, but the target shows the rollback under way.)`,
        },
      };
    }
    // Nothing to be seen, or nothing could be read: the call may or may not have gone through. Keep the claim
    // (so no one else acts meanwhile) but say this invocation is done with it, so Lambda's retry settles it
    // at once; the sweep does if every retry fails.
    await commit(deps, target, c.claimed, (s) => abandonClaim(s, decision.id, deps.clock.now()));
    deps.telemetry.log('warn', 'rollback call failed; the claim is left for the retry to settle', {
      target: target.id,
      decisionId: decision.id,
      error: describe(error),
    });
    throw error;
  }
}

function call(
  deployer: Deployer,
  target: RuntimeTarget,
  action: RollbackAction,
  decisionId: string,
): Promise<ActionResult> {
  switch (action.kind) {
    case 'stop':
      return deployer.stop(target, action.deploymentRef);
    case 'redeploy':
      return action.fastTrack
        ? deployer.redeploy(target, action.version, action.artifact, decisionId, action.fastTrack)
        : deployer.redeploy(target, action.version, action.artifact, decisionId);
    case 'replace':
      if (!deployer.replace) {
        throw new TargetInvalidError(`this platform cannot stop a deployment without its own rollback`);
      }
      return deployer.replace(target, action.deploymentRef, action.version, action.artifact, decisionId);
  }
}

/**
 * The redeploy that follows a stop refused because the deployment had just finished. A fast track changes the
 * service's settings, so what it owes back is written first; if that write fails, the redeploy runs under the
 * service's own strategy instead (slower, never owed).
 */
async function fallbackRedeploy(
  deps: UseCaseDeps,
  c: Claimed,
  live: LiveTarget,
  to: string,
): Promise<RollbackAction> {
  const redeploy = redeployOf(live.kind === 'ok' ? live : undefined, to, c.claimed.ledger, c.target.policy);
  if (!redeploy.fastTrack) return redeploy;
  const owing = await commit(deps, c.target, c.claimed, (s) =>
    owingSettings(s, c.decision.id, redeploy, deps.clock.now()),
  );
  if (owing?.settingsRestore?.decisionId === c.decision.id) return redeploy;
  const { fastTrack, ...plain } = redeploy;
  return { ...plain, replays: fastTrack.skips };
}

/**
 * What a delivery finds left behind by an invocation that is gone: an unissued claim (settled with the live
 * view, when this delivery has one), settings owed back by a fast-tracked rollback that has ended, and outbox
 * entries (reported).
 */
async function settleLeftovers(deps: UseCaseDeps, job: CommitJob, state: TargetState): Promise<void> {
  const now = deps.clock.now();
  const orphan = unissuedOrphan(state, now);
  if (orphan && job.live?.kind === 'ok') {
    await settleOrphan(deps, job.target, state, orphan, job.live, job.globalPause);
    return;
  }
  // Settings a fast-tracked rollback that has ended still owes (the trigger alarm's OK usually comes first).
  const current = (await restoreOwedSettings(deps, job.target, state)) ?? state;
  const due = dueOutbox(current, now);
  if (due.length > 0) await relayOthers(deps, job.target, current, due);
}

/**
 * The redelivery rule (docs/reliability.md): a claim whose writer is gone and whose rollback call is not known
 * to have gone through. The live view decides: under way → mark issued and report; nothing happened → take
 * the claim over and act now; the target moved on or automation was paused since → give the claim back and
 * report why. Taking it over is a conditional write, so of several deliveries that find it, one acts.
 */
export async function settleOrphan(
  deps: UseCaseDeps,
  target: RuntimeTarget,
  state: TargetState,
  orphan: ActiveRollback,
  live: Extract<LiveTarget, { kind: 'ok' }>,
  globalPause: Pause | undefined,
): Promise<void> {
  const now = deps.clock.now();
  const settlement = settleUnissued({
    state,
    rollback: orphan,
    live,
    now,
    globalPause,
    policy: target.policy,
  });
  const decision = { ...claimedDecision(orphan), target: target.id };
  const requestId = orphan.requestId ?? decision.id;
  deps.telemetry.log('warn', `unissued claim settled: ${settlement.kind}`, {
    target: target.id,
    decisionId: orphan.decisionId,
  });
  switch (settlement.kind) {
    case 'underway': {
      const entry = { decision, requestId, ...transitionOf(orphan), until: now + actingBudget(deps) };
      const marked = await commit(deps, target, state, (s) =>
        markIssued(s, orphan.decisionId, { at: now, action: orphan.action }, entry),
      );
      deps.telemetry.count(METRIC.rollbacksStarted, 1, { target: target.id });
      await Promise.all([
        sendFreshQuarantine(deps, target, marked ?? state, orphan.decisionId),
        (async () => {
          const frozen = await freeze(deps, target, decision, marked ?? state);
          if (marked) await relay(deps, target, frozen.state ?? marked, [entry], frozen.error);
        })(),
      ]);
      return;
    }
    case 'act': {
      const taken = await deps.store.saveTarget(
        owingSettings(
          takeOverClaim(state, orphan.decisionId, now + actingBudget(deps)),
          orphan.decisionId,
          settlement.action,
          now,
        ),
        state.revision,
      );
      if (taken === 'conflict') return; // another delivery is settling it
      await carryOut(deps, {
        target,
        decision: { ...settlement.decision, target: target.id },
        claimed: taken,
        unclaimed: releaseClaim(taken, orphan.decisionId),
        requestId,
        transition: orphan.transition,
        detectedAt: orphan.claimedAt,
      });
      return;
    }
    case 'release': {
      const released = await deps.store.saveTarget(releaseClaim(state, orphan.decisionId), state.revision);
      if (released === 'conflict') return;
      await restoreOwedSettings(deps, target, released);
      await deps.reporter.decision(
        { ...settlement.decision, target: target.id },
        requestId,
        orphan.transition,
        reportContext(deps, target),
      );
      return;
    }
  }
}

function transitionOf(r: ActiveRollback): { transition?: AlarmTransition } {
  return r.transition ? { transition: r.transition } : {};
}

/** Reports outbox entries of invocations that are gone, each taken over first so that one relay reports it. */
export async function relayOthers(
  deps: UseCaseDeps,
  target: RuntimeTarget,
  state: TargetState,
  entries: readonly OutboxEntry[],
): Promise<void> {
  let current = state;
  for (const entry of entries) {
    const taken = await deps.store.saveTarget(
      takeOutbox(current, entry.decision.id, deps.clock.now() + actingBudget(deps)),
      current.revision,
    );
    if (taken === 'conflict') return; // someone else is at it; they or a later delivery finish the rest
    current = (await relay(deps, target, taken, [entry])) ?? taken;
  }
}

/**
 * Reports the given outbox entries (what each still lacks) and ticks off what reached the audit log and the
 * topic. Returns the state as stored afterwards (undefined when that write could not be made).
 */
async function relay(
  deps: UseCaseDeps,
  target: RuntimeTarget,
  state: TargetState,
  entries: readonly Pick<OutboxEntry, 'decision' | 'requestId' | 'transition'>[],
  freezeError?: string,
): Promise<TargetState | undefined> {
  let current: TargetState | undefined = state;
  for (const e of entries) {
    const stored = (current?.outbox ?? []).find((o) => o.decision.id === e.decision.id);
    const delivery = await deps.reporter.deliver(
      e.decision,
      e.requestId,
      e.transition,
      reportContext(deps, target, current ?? state, freezeError),
      {
        audit: !(stored?.audited ?? false),
        announce: !(stored?.announced ?? false),
      },
    );
    if (!current) continue;
    current = await commit(deps, target, current, (s) => reported(s, e.decision.id, delivery));
  }
  return current;
}

/**
 * Applies a pure change under the optimistic lock (re-reading on a lost race). Never throws: a state store
 * that cannot be written is logged and answered with undefined, since every caller has something more
 * important to do next (report a rollback that is already under way).
 */
async function commit(
  deps: UseCaseDeps,
  target: RuntimeTarget,
  state: TargetState,
  change: (s: TargetState) => TargetState,
): Promise<TargetState | undefined> {
  try {
    return await applyToTarget(deps, target, state, (s) => ({ next: change(s), effects: [] }), '');
  } catch (error) {
    deps.telemetry.log('error', 'could not record the rollback in the state table', {
      target: target.id,
      error: describe(error),
    });
    return undefined;
  }
}

/**
 * Gives the claim back after a decline; a lost race leaves it for the redelivery rule to settle. Returns the
 * state as stored, or undefined when it could not be written.
 */
async function giveBack(
  deps: UseCaseDeps,
  unclaimed: TargetState,
  claimed: TargetState,
): Promise<TargetState | undefined> {
  try {
    const saved = await deps.store.saveTarget(unclaimed, claimed.revision);
    if (saved !== 'conflict') return saved;
    deps.telemetry.log('warn', 'claim changed before it could be released; it is settled later', {
      target: claimed.targetId,
    });
  } catch (error) {
    deps.telemetry.log('error', 'claim could not be released; it is settled later', {
      target: claimed.targetId,
      error: describe(error),
    });
  }
  return undefined;
}

/**
 * After a rollback, stop the pipeline from delivering the bad version again until an operator resumes. A
 * failure here never undoes or repeats the rollback: it is logged, counted and left to the operator.
 */
async function freeze(
  deps: UseCaseDeps,
  target: RuntimeTarget,
  decision: Decision,
  state: TargetState,
): Promise<{ state?: TargetState; error?: string }> {
  const spec = target.freeze;
  if (!spec || !deps.freezer || state.frozen) return {};
  try {
    const what =
      decision.outcome === 'rollback'
        ? `rolled ${target.id} back from ${decision.from} to ${decision.to}`
        : `could not roll ${target.id} back from ${decision.from} (${decision.reason})`;
    await deps.freezer.disable(
      spec.pipeline,
      spec.stage,
      `Rollback Watchdog ${what}; resume with: ${CLI_BINARY} resume ${target.id}${deps.stackName !== undefined ? ` --stack ${deps.stackName}` : ''}${deps.region !== undefined ? ` --region ${deps.region}` : ''}`,
    );
  } catch (error) {
    deps.telemetry.log('error', 'deploy freeze failed', {
      target: target.id,
      pipeline: spec.pipeline,
      stage: spec.stage,
      error: describe(error),
    });
    deps.telemetry.count(METRIC.freezeFailures, 1, { target: target.id });
    return { error: describe(error).message };
  }
  const frozen = { pipeline: spec.pipeline, stage: spec.stage, at: deps.clock.now() };
  const saved = await commit(deps, target, state, (s) => ({ ...s, frozen }));
  // The stage is disabled even if the record of it could not be written: say so.
  return { state: saved ?? { ...state, frozen } };
}

/** What a message needs beyond the decision; with a state, whether the target's deploy freeze holds. */
export function reportContext(
  deps: UseCaseDeps,
  target: RuntimeTarget,
  state?: TargetState,
  freezeError?: string,
): ReportContext {
  return {
    target,
    ...messageLocation(deps),
    ...(state ? { ledger: state.ledger, ...freezeStatus(target, state, freezeError) } : {}),
  };
}
