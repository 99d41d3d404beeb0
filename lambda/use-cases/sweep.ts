import { ALARM_STATE, METRIC, type RuntimeConfig, type RuntimeTarget } from '../contract';
import {
  activePause,
  applyDeploymentEvent,
  decideApprovedRollback,
  dueOutbox,
  expireApproval,
  groupOf,
  skipDecision,
  unissuedOrphan,
  observedDeploymentEvent,
  settleExpiredLease,
  settleVerification,
  transitionKey,
  type AlarmTransition,
  type Decision,
  type LiveTarget,
  type Pause,
  type TargetState,
} from '../domain';
import { endExpiredGlobalPause, endExpiredTargetPause, pauseExpired } from './pause-expiry';
import { applyToTarget } from './apply-to-target';
import { learnSchemaFacts, SWEEP_SCHEMA_FACT_READS } from './learn-schema-facts';
import { checkViability, viabilityDue } from './check-viability';
import { guardRetention } from './retention-guard';
import { restoreOwedSettings } from './settings-restore';
import { commitDecision, relayOthers, settleOrphan, type Proposal } from './claim-act-record';
import { decisionId } from './decision-id';
import type { UseCaseDeps } from './deps';
import { RetryableError } from './errors';
import { withHistory } from './seed-history';
import { decideForTarget } from './handle-alarm';
import { decideGroupIncident, readMember, type MemberRead } from './group-incident';
import type { AlarmReader, AlarmSnapshot } from './ports';
import { describe } from './report';
import { sweepQuarantinedDeployments, sweepQuarantines } from './quarantine';

/**
 * Targets checked at once. Each check reads ECS (DescribeServices and ListServiceDeployments, in parallel)
 * or CodeDeploy, then DynamoDB. Measured (bench/sweep.ts): 1,000 ECS targets that all need a look take
 * 177 s at 50 ms per call with 3 in flight (one at a time would take about 450 s, past the 5-minute
 * interval), at 5.7 calls per second per ECS read API, under the 20 per second that ECS documents for
 * its cluster-read bucket.
 */
export const SWEEP_CONCURRENCY = 3;

export interface SweepDeps extends UseCaseDeps {
  readonly alarms: AlarmReader;
}

export interface SweepSummary {
  readonly inspected: readonly string[];
  readonly decisions: readonly Decision[];
  readonly failed: readonly string[];
}

/**
 * The reconcile sweep (scheduled): catches what lost or never-sent events hid.
 * - A deployment that finished or failed without its event (CodeDeploy events are best effort): folded into
 *   the ledger, completing or failing the watchdog's own rollback.
 * - A rollback whose lease expired without completion (a crashed invocation): extended while the platform is
 *   still moving, otherwise failed and escalated.
 * - An alarm still in ALARM (alarm events fire only on transitions): decided as if its transition had just
 *   arrived, through the same claim, so it acts at most once per incident; transitions already decided on
 *   stay quiet.
 * Targets with nothing in flight and no alarm firing are not read. At most SWEEP_CONCURRENCY are swept at
 * a time, which keeps the sweep gentle on API rate limits; one target's failure does not stop the others.
 */
export async function sweep(
  deps: SweepDeps,
  config: RuntimeConfig,
  requestId: string,
  /** Targets checked at once; the benchmark compares values. */
  concurrency: number = SWEEP_CONCURRENCY,
): Promise<SweepSummary> {
  const alarmNames = [...new Set(config.targets.flatMap((t) => t.alarms))];
  const failed: string[] = [];
  const [snapshots, firstLoad] = await Promise.all([
    // Unreadable alarms must not stop the deployment checks: carry on without them, fail at the end.
    deps.alarms.describe(alarmNames).catch((error: unknown) => {
      failed.push('alarm states');
      deps.telemetry.log('error', 'sweep could not read alarm states', { error: describe(error) });
      return [];
    }),
    deps.store.loadTargets(config.targets.map((t) => t.id)),
  ]);
  // A whole-watchdog pause given a duration ends first, so that this sweep already decides for real. Only
  // then is the state read again (ending it forgets the transitions decided while paused).
  const loaded = (await endExpiredGlobalPause(deps, config, firstLoad, requestId))
    ? await deps.store.loadTargets(config.targets.map((t) => t.id))
    : firstLoad;
  const firing = new Map(snapshots.filter((s) => s.value === ALARM_STATE.alarm).map((s) => [s.name, s]));
  // Undefined when the states could not be read: a verification is then left for the next sweep.
  const alarmStates = failed.includes('alarm states')
    ? undefined
    : new Map(snapshots.map((s) => [s.name, s.value as string]));
  const inspected: string[] = [];
  const decisions: Decision[] = [];

  // A bounded number of targets at a time, results kept in config order.
  const looks = config.targets.map((target) => ({ target, stored: loaded.targets.get(target.id) }));
  const results: ({ decisions: Decision[] } | { error: unknown } | undefined)[] = [];
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < looks.length; i = next++) {
      const { target, stored } = looks[i];
      const targetFiring = target.alarms.flatMap((name) => firing.get(name) ?? []);
      const readsFacts = deps.deployerFor(target).versionFacts !== undefined;
      if (!needsLook(deps.kinds?.alwaysInspect(target) === true, stored, targetFiring, readsFacts)) {
        // Nothing to read the live target for; its known-good versions may still be due a viability check,
        // which needs no live read.
        if (viabilityDue(deps, target, stored)) await checkAndGuard(deps, target, stored);
        continue;
      }
      try {
        results[i] = {
          decisions: await sweepTarget(
            deps,
            config,
            target,
            stored,
            targetFiring,
            alarmStates,
            loaded.globalPause,
            requestId,
          ),
        };
      } catch (error) {
        results[i] = { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  looks.forEach(({ target }, i) => {
    const result = results[i];
    if (result === undefined) return;
    inspected.push(target.id);
    if ('decisions' in result) {
      decisions.push(...result.decisions);
    } else {
      failed.push(target.id);
      deps.telemetry.log('error', 'sweep failed for a target', {
        target: target.id,
        error: describe(result.error),
      });
    }
  });
  // Version quarantine across regions: what this region still owes the others (sent again, reported), and
  // deployments here of versions another region quarantined (stopped, should their check have been lost).
  // As loaded at the start: each write re-reads on a lost race, and each decision loads its target itself.
  for (const target of deps.versionBus ? config.targets : []) {
    const stored = loaded.targets.get(target.id);
    if (!stored?.quarantineOut?.length && !stored?.quarantined?.length) continue;
    await sweepQuarantines(deps, target, stored);
    try {
      decisions.push(...(await sweepQuarantinedDeployments(deps, config, target, stored, requestId)));
    } catch (error) {
      failed.push(target.id);
      deps.telemetry.log('error', 'sweep could not check a quarantined deployment', {
        target: target.id,
        error: describe(error),
      });
    }
  }
  deps.telemetry.log('info', 'sweep done', {
    inspected: inspected.length,
    decisions: decisions.length,
    failed,
  });
  if (failed.length > 0) {
    // Let Lambda retry (and the failure destination keep it if it keeps failing); the work is idempotent.
    throw new RetryableError(`the sweep could not check ${failed.join(', ')}`);
  }
  return { inspected, decisions, failed };
}

function needsLook(
  /** The target's kind cannot rely on its events (UseCaseDeps.kinds). */
  alwaysInspect: boolean,
  stored: TargetState | undefined,
  firing: readonly AlarmSnapshot[],
  /** The target's kind declares schema facts per version (Deployer.versionFacts). */
  readsFacts: boolean,
): boolean {
  return (
    (readsFacts && stored?.ledger.some((e) => e.schemaFacts === undefined) === true) ||
    alwaysInspect ||
    firing.length > 0 ||
    stored?.rollback !== undefined ||
    stored?.pendingApproval !== undefined ||
    stored?.verification !== undefined ||
    stored?.paused?.until !== undefined ||
    (stored?.outbox?.length ?? 0) > 0 ||
    stored?.settingsRestore !== undefined ||
    stored?.ledger.some((e) => e.status === 'in-progress') === true
  );
}

async function sweepTarget(
  deps: SweepDeps,
  config: RuntimeConfig,
  target: RuntimeTarget,
  stored: TargetState | undefined,
  firing: readonly AlarmSnapshot[],
  alarmStates: ReadonlyMap<string, string> | undefined,
  globalPause: Pause | undefined,
  requestId: string,
): Promise<Decision[]> {
  const live = await withHistory(deps, target, stored, await deps.deployerFor(target).inspect(target));
  const observed = observedDeploymentEvent(live);
  let state = stored;
  if (state && pauseExpired(state.paused, deps.clock.now())) {
    state = await endExpiredTargetPause(deps, target, state, requestId);
  }
  if (observed && live.kind === 'ok') {
    state = await applyToTarget(
      deps,
      target,
      state,
      (s, now) => applyDeploymentEvent({ now, target, state: s, live, event: observed }),
      requestId,
    );
  }
  if (state?.rollback) {
    state = await applyToTarget(deps, target, state, (s, now) => settleExpiredLease(s, live, now), requestId);
  }
  if (state?.verification && alarmStates) {
    state = await applyToTarget(
      deps,
      target,
      state,
      (s, now) => settleVerification(s, target, alarmStates, now),
      requestId,
    );
  }
  // What crashed or cut-off invocations left: a claim never issued, reports never finished.
  const orphan = state && unissuedOrphan(state, deps.clock.now());
  if (state && orphan && live.kind === 'ok') {
    await settleOrphan(deps, target, state, orphan, live, globalPause);
    state = await reload(deps, target);
  }
  const due = state ? dueOutbox(state, deps.clock.now()) : [];
  if (state && due.length > 0) {
    await relayOthers(deps, target, state, due);
    state = await reload(deps, target);
  }
  // Settings a fast-tracked rollback changed and a crash (or a failed call) left owed.
  state = await restoreOwedSettings(deps, target, state);
  // Schema facts a lost deployment event (or a failed read) left unread.
  state = await learnSchemaFacts(deps, target, state, SWEEP_SCHEMA_FACT_READS);
  // Known-good versions that became known-good since, or were not checked lately.
  state = await checkAndGuard(deps, target, state);
  const decisions: Decision[] = [];
  const pending = state?.pendingApproval;
  if (state && pending && pending.expiresAt <= deps.clock.now()) {
    const settled = await settleApproval(deps, target, state, live, globalPause, requestId);
    if (settled.reason !== 'duplicate') decisions.push(settled);
    state = await reload(deps, target);
  }
  const group = groupOf(config.groups, target.id);
  for (const snapshot of firing) {
    const transition = asTransition(snapshot);
    const job = {
      config,
      target,
      transition,
      key: transitionKey(transition),
      requestId,
      stored: state,
      live,
      globalPause,
      quietDuplicates: true,
    };
    // A release group's members are read only when this decision starts (or continues) a group rollback.
    const decided = group
      ? await decideGroupIncident(
          deps,
          job,
          group,
          (id) => readMemberNow(deps, config, id),
          new Set([target.id]),
        )
      : [await decideForTarget(deps, job)];
    for (const decision of decided) {
      if (decision.reason === 'duplicate') continue;
      decisions.push(decision);
      deps.telemetry.count(METRIC.sweepDecisions, 1, { target: decision.target });
    }
    state = await reload(deps, target);
  }
  return decisions;
}

/** A release group member as the sweep finds it now: its stored state and a fresh read. */
async function readMemberNow(
  deps: SweepDeps,
  config: RuntimeConfig,
  id: string,
): Promise<MemberRead | undefined> {
  const target = config.targets.find((t) => t.id === id);
  if (!target) return undefined;
  const [stored, read] = await Promise.all([reload(deps, target), readMember(deps, target)]);
  return { ...read, stored };
}

/**
 * The viability preflight for the versions due a check, then the retention guard whenever something was
 * checked (so about as often as VIABILITY_MAX_AGE_MS). Never throws.
 */
async function checkAndGuard(
  deps: SweepDeps,
  target: RuntimeTarget,
  stored: TargetState | undefined,
): Promise<TargetState | undefined> {
  const { state, checked } = await checkViability(deps, target, stored);
  return checked.length > 0 ? guardRetention(deps, target, state) : state;
}

async function reload(deps: SweepDeps, target: RuntimeTarget): Promise<TargetState | undefined> {
  return (await deps.store.loadTargets([target.id])).targets.get(target.id);
}

/**
 * Nobody approved in time: `hold` lets the proposal lapse (escalated: a human still has to decide);
 * `rollback` carries it out, through the same claim as any rollback.
 */
function settleApproval(
  deps: SweepDeps,
  target: RuntimeTarget,
  state: TargetState,
  live: LiveTarget,
  globalPause: Pause | undefined,
  requestId: string,
): Promise<Decision> {
  const id = decisionId(requestId, target.id, 'approval-timeout');
  return commitDecision(deps, {
    target,
    stored: state,
    requestId,
    live,
    globalPause,
    detectedAt: state.pendingApproval?.expiresAt ?? deps.clock.now(),
    quietDuplicates: true,
    decide: (s, now): Proposal => {
      const pause = activePause(globalPause, s.paused, now);
      if (target.policy.approvalTimeoutAction === 'rollback' && !pause) {
        const r = decideApprovedRollback({ now, decisionId: id, target, state: s, live, by: undefined });
        if (r.ok) return r;
        deps.telemetry.log('warn', 'approval timed out but the rollback no longer applies', {
          target: target.id,
          why: r.refused,
        });
      }
      const expired = expireApproval(s, target, now, id, pause);
      if (!expired) {
        // Settled meanwhile by someone else (an approval just in time): nothing left to decide.
        return { decision: nothingToSettle(target, id, now), next: s, unclaimed: s };
      }
      return { ...expired, unclaimed: expired.next };
    },
  });
}

function nothingToSettle(target: RuntimeTarget, id: string, now: number): Decision {
  return skipDecision(
    { id, at: now, target: target.id, trigger: 'approval-timeout' },
    'duplicate',
    `The approval of ${target.id} was already settled.`,
  );
}

/** An alarm seen in ALARM, as the transition that put it there (same dedupe key as its event). */
function asTransition(s: AlarmSnapshot): AlarmTransition {
  return {
    alarmName: s.name,
    alarmArn: s.arn,
    value: ALARM_STATE.alarm,
    timestamp: s.since,
    previousValue: ALARM_STATE.ok,
    previousTimestamp: undefined,
    reason: s.reason,
    reasonData: s.reasonData,
  };
}
