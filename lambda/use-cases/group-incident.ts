import type { RuntimeConfig, RuntimeGroup, RuntimeTarget } from '../contract';
import {
  decideAlarm,
  emptyTargetState,
  groupHold,
  groupOf,
  MINUTE,
  memberRelease,
  policyMs,
  releaseMembers,
  type Decision,
  type GroupHold,
  type GroupRole,
  type LiveTarget,
  type TargetState,
} from '../domain';
import { decisionId } from './decision-id';
import { messageLocation, type UseCaseDeps } from './deps';
import { RetryableError } from './errors';
import { decideForTarget, type TargetJob } from './handle-alarm';
import { groupNotification, type GroupMemberOutcome } from './notifications';
import { describe } from './report';
import { withHistory } from './seed-history';

/**
 * Release groups (docs/decisions.md, "Release groups"): when a member's alarm leads to a rollback, every member
 * that received the same release is rolled back to its own known-good version, one after another in the
 * group's order, each through the normal claim (commitDecision) and so decided, claimed and audited exactly
 * once. A member already rolled back, paused, without a known-good version or inside its own limits is
 * reported, not forced.
 */

/** A member as read for a group rollback: its stored state and its live view (or why it could not be read). */
export interface MemberRead {
  readonly target: RuntimeTarget;
  readonly stored: TargetState | undefined;
  readonly live: LiveTarget;
}

/** Reads a member the way the alarm path reads its own targets; a failed read is an invalid target, not a throw. */
export async function readMember(
  deps: UseCaseDeps,
  target: RuntimeTarget,
): Promise<{ readonly target: RuntimeTarget; readonly live: LiveTarget }> {
  try {
    return { target, live: await deps.deployerFor(target).inspect(target) };
  } catch (error) {
    return { target, live: { kind: 'invalid', why: `it could not be read (${describe(error).message})` } };
  }
}

/**
 * The members of the guarded targets' groups that the alarm does not guard itself: those a rollback may pull
 * in. (A member the alarm guards is decided on its own.)
 */
export function pulledMembers(config: RuntimeConfig, guarded: readonly RuntimeTarget[]): RuntimeTarget[] {
  const guardedIds = new Set(guarded.map((t) => t.id));
  const ids = new Set(
    guarded.flatMap((t) => groupOf(config.groups, t.id)?.targets ?? []).filter((id) => !guardedIds.has(id)),
  );
  return config.targets.filter((t) => ids.has(t.id));
}

/**
 * Decides `job` (a member's own alarm transition) and, when that is a rollback, the rest of its release:
 * every member in the release, in order, `job`'s target at its place. The members' decisions follow the
 * trigger's own (`reason: "group"`), all carry the group and the incident id. A member whose rollback fails
 * (the call refused: `target-invalid`, or an error) escalates the group and, with `onMemberFailure: "stop"`,
 * ends the order. A transient error is thrown after the members before it were decided: Lambda's retry finds
 * the trigger's claim and continues with the rest (each member is deduplicated on the transition).
 */
export async function decideGroupIncident(
  deps: UseCaseDeps,
  job: TargetJob,
  group: RuntimeGroup,
  /** A member as read (the alarm path started the reads with its own; the sweep reads them on demand). */
  read: (id: string) => Promise<MemberRead | undefined>,
  guarded: ReadonlySet<string>,
): Promise<Decision[]> {
  const trigger = job.target;
  if (!startsIncident(deps, job)) return [await decideForTarget(deps, job)];
  const others = group.targets.filter((id) => id !== trigger.id && !guarded.has(id));
  const reads = new Map(
    (await Promise.all(others.map(async (id) => [id, await read(id)] as const))).flatMap(([id, m]) =>
      m ? [[id, m] as const] : [],
    ),
  );
  const own = memberRelease(trigger.id, job.stored, job.live);
  const order = own
    ? releaseMembers(
        group,
        own,
        [...reads].map(([id, m]) => memberRelease(id, m.stored, m.live)),
      )
    : [trigger.id];
  if (order.length <= 1) return [await decideForTarget(deps, job)];

  const incident = decisionId('incident', group.id, job.key);
  const announce = (
    outcomes: readonly GroupMemberOutcome[],
    extra: { stoppedAt?: string; held?: GroupHold },
  ) =>
    deps.reporter.notify(
      groupNotification(
        { group, incident, trigger: trigger.id, alarm: job.transition.alarmName, outcomes, ...extra },
        { target: trigger, ...messageLocation(deps) },
      ),
    );
  // The group's own cooldown and rate limit: inside them, the alarmed member is decided on its own.
  const held = groupHold(
    group,
    incident,
    [job.stored, ...[...reads.values()].map((m) => m.stored)],
    policyMs(trigger.policy),
    deps.clock.now(),
  );
  if (held) {
    const decision = await decideForTarget(deps, {
      ...job,
      group: { id: group.id, incident, pulled: false },
    });
    if (decision.reason !== 'duplicate') {
      await announce(
        order.map((id) =>
          id === trigger.id
            ? { member: id, outcome: 'decided', decision }
            : { member: id, outcome: 'not-attempted' },
        ),
        { held },
      );
    }
    return [decision];
  }
  const decisions: Decision[] = [];
  const outcomes: GroupMemberOutcome[] = [];
  let stoppedAt: string | undefined;
  for (const id of order) {
    // The member whose alarm fired is decided whatever happened before it: a group never does less for it
    // than the watchdog would without the group.
    if (stoppedAt !== undefined && id !== trigger.id) {
      outcomes.push({ member: id, outcome: 'not-attempted' });
      continue;
    }
    const role: GroupRole = { id: group.id, incident, pulled: id !== trigger.id };
    let decision: Decision | undefined;
    let failure: string | undefined;
    try {
      const m = id === trigger.id ? undefined : reads.get(id);
      decision = await decideForTarget(
        deps,
        m ? await memberJob(deps, job, m, role) : { ...job, group: role },
      );
      if (decision.outcome === 'skip' && decision.reason === 'target-invalid') failure = decision.detail;
    } catch (error) {
      // The alarmed member's own decision fails as it would without the group (Lambda retries it); a transient
      // error anywhere is retried too, and the retry continues the order.
      if (error instanceof RetryableError || id === trigger.id) throw error;
      failure = describe(error).message;
      deps.telemetry.log('error', 'a release group member could not be rolled back', {
        group: group.id,
        incident,
        target: id,
        error: describe(error),
      });
    }
    if (decision) decisions.push(decision);
    outcomes.push(
      failure !== undefined
        ? { member: id, outcome: 'failed', detail: failure, ...(decision ? { decision } : {}) }
        : { member: id, outcome: 'decided', decision: decision! },
    );
    if (failure !== undefined && group.onMemberFailure === 'stop') stoppedAt ??= id;
  }

  // Members that could not be read cannot be placed in or out of the release: named, never assumed.
  for (const [id, m] of reads) {
    if (m.live.kind === 'invalid' && !order.includes(id))
      outcomes.push({
        member: id,
        outcome: 'failed',
        detail: `${id}: ${m.live.why}; whether it took part in the release is unknown`,
      });
  }
  // One message for the whole incident, from the invocation that owns it: the one whose decision on the
  // alarmed member is its own (not a concurrent delivery's duplicate; Lambda's retry of the owner owns it too).
  // Members another delivery of the same transition decided are shown as that delivery left them.
  const mine = decisions.find((d) => d.target === trigger.id);
  const owner =
    mine !== undefined &&
    (mine.reason !== 'duplicate' ||
      job.stored?.handled.some((h) => h.key === job.key && h.decisionId === mine.id) === true);
  if (owner && decisions.some((d) => d.reason !== 'duplicate')) {
    await announce(
      await withConcurrentOutcomes(deps, outcomes, incident),
      stoppedAt !== undefined ? { stoppedAt } : {},
    );
  }
  return decisions;
}

/**
 * Whether `job`'s own decision starts (or, on Lambda's retry of the same invocation, continues) a group
 * rollback: it would be a rollback (decided purely on the stored state, before anything is written), or this
 * very invocation already claimed it and failed before the order was through. A redelivery or the sweep finds
 * the transition decided by someone else and does not start the order again: that invocation took the order
 * as far as the group lets it (a stop on failure stays a stop). Never for a drill: a drill acts on the drilled
 * target only.
 */
function startsIncident(deps: UseCaseDeps, job: TargetJob): boolean {
  const state = job.stored ?? emptyTargetState(job.target.id);
  const preview = decideAlarm({
    now: deps.clock.now(),
    decisionId: decisionId(job.requestId, job.target.id, job.key),
    transition: job.transition,
    target: job.target,
    state,
    live: job.live,
    globalPause: job.globalPause,
    maxEventAgeMs: job.config.maxEventAgeMinutes * MINUTE,
  }).decision;
  if (preview.drill) return false;
  if (preview.outcome === 'rollback') return true;
  const handled = state.handled.find((h) => h.key === job.key);
  return (
    preview.reason === 'duplicate' &&
    handled !== undefined &&
    handled.decisionId === preview.id &&
    state.rollback?.decisionId === handled.decisionId
  );
}

/**
 * `outcomes` with each member another delivery of the same transition decided (a `duplicate` here) read back:
 * rolled back in this incident (its claim or its incident mark says so), or decided otherwise.
 */
async function withConcurrentOutcomes(
  deps: UseCaseDeps,
  outcomes: readonly GroupMemberOutcome[],
  incident: string,
): Promise<GroupMemberOutcome[]> {
  const elsewhere = outcomes.flatMap((o) =>
    o.outcome === 'decided' && o.decision.reason === 'duplicate' ? [o.member] : [],
  );
  if (elsewhere.length === 0) return [...outcomes];
  const loaded = await deps.store.loadTargets(elsewhere);
  return outcomes.map((o) => {
    if (o.outcome !== 'decided' || o.decision.reason !== 'duplicate') return o;
    const state = loaded.targets.get(o.member);
    const claim = state?.rollback?.decision?.incident === incident ? state.rollback : undefined;
    const rolled = claim !== undefined || state?.incidents?.some((m) => m.id === incident) === true;
    return {
      member: o.member,
      outcome: 'concurrent',
      rolledBack: rolled,
      ...(claim ? { from: claim.from, to: claim.to } : {}),
    };
  });
}

/** The job that pulls member `m` into the rollback: the trigger's transition, the member's own state. */
async function memberJob(
  deps: UseCaseDeps,
  job: TargetJob,
  m: MemberRead,
  role: GroupRole,
): Promise<TargetJob> {
  return {
    ...job,
    target: m.target,
    stored: m.stored,
    live: await withHistory(deps, m.target, m.stored, m.live),
    group: role,
  };
}
