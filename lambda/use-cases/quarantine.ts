import {
  QUARANTINE_DETAIL_TYPE,
  type QuarantineCause,
  type RollbackReason,
  type RuntimeConfig,
  type RuntimeTarget,
  type VersionEvent,
} from '../contract';
import {
  abandonedQuarantines,
  dropQuarantine,
  dueQuarantines,
  freshQuarantine,
  MINUTE,
  oweQuarantine,
  quarantineOf,
  quarantineReceived,
  quarantineReported,
  quarantineSent,
  quarantineTransition,
  transitionKey,
  unconfirmedQuarantines,
  type Decision,
  type Millis,
  type QuarantineRole,
  type SentQuarantine,
  type TargetState,
} from '../domain';
import { applyToTarget } from './apply-to-target';
import { reportContext } from './claim-act-record';
import { decideForTarget } from './handle-alarm';
import { decisionId } from './decision-id';
import type { UseCaseDeps } from './deps';
import { RetryableError } from './errors';
import { quarantineUnconfirmed } from './notifications';
import { describe } from './report';
import { withHistory } from './seed-history';

/**
 * Version quarantine across regions (README, "Version quarantine across regions"). The origin side: a rollback
 * from a version (or a failed deployment of it) owes the other regions a quarantine, written with the claim
 * and put on the stack's own version bus once the rollback call has returned; the bus's rules carry it to the
 * other regions. Each region answers with a receipt; the sweep puts a quarantine on the bus again while any
 * region has not answered, and reports those regions once. The receiving side: the quarantine is decided like
 * an alarm on the version (QUARANTINE_SKIP_PRECEDENCE), through the same claim, and recorded, so that a later
 * deployment of the version there is stopped at once.
 */

/** The rollback reasons whose rollback quarantines the version it leaves; never `region` (no ping-pong). */
const QUARANTINING: readonly RollbackReason[] = ['alarm', 'group', 'manual', 'approved', 'approval-timeout'];

/**
 * The state a rollback decision is claimed with, owing the other regions a quarantine of the version it leaves.
 * Not for drills (a rehearsal says nothing about the version) nor for rollbacks that are themselves a region's.
 */
export function withOwedQuarantine(deps: UseCaseDeps, state: TargetState, decision: Decision): TargetState {
  const bus = deps.versionBus;
  if (!bus || decision.outcome !== 'rollback' || decision.from === undefined || decision.drill) return state;
  const reason = decision.reason as RollbackReason;
  if (!QUARANTINING.includes(reason)) return state;
  return oweQuarantine(
    state,
    {
      decisionId: decision.id,
      version: decision.from,
      cause: reason as QuarantineCause,
      why: `${decision.target} rolled back from ${decision.from} to ${decision.to ?? '?'} in ${bus.region} (${decision.trigger})`,
      at: decision.at,
    },
    bus.peers,
  );
}

/** After a failed deployment of `version` (not the watchdog's own rollback): owes its quarantine. */
export function failedDeploymentQuarantineId(target: RuntimeTarget, deploymentId: string): string {
  return decisionId('deployment-failed', target.id, deploymentId);
}

export function withFailedDeploymentQuarantine(
  deps: UseCaseDeps,
  state: TargetState,
  target: RuntimeTarget,
  failed: {
    readonly version: string;
    readonly deploymentId: string;
    readonly why: string;
    readonly at: Millis;
  },
): TargetState {
  const bus = deps.versionBus;
  if (!bus) return state;
  return oweQuarantine(
    state,
    {
      decisionId: failedDeploymentQuarantineId(target, failed.deploymentId),
      version: failed.version,
      cause: 'deployment-failed',
      why: `the deployment of ${failed.version} to ${target.id} failed in ${bus.region} (${failed.why})`,
      at: failed.at,
    },
    bus.peers,
  );
}

/**
 * The first send of the quarantines the target owes, by the invocation that wrote them, right after the
 * rollback call (alongside its notification): nothing is written, the sweep's retries run from the decision
 * time. Never throws: the rollback has been issued already, and a quarantine that could not be sent is sent
 * again by the sweep.
 */
export async function sendFreshQuarantine(
  deps: UseCaseDeps,
  target: RuntimeTarget,
  state: TargetState | undefined,
  decisionId: string,
): Promise<void> {
  const fresh = freshQuarantine(state, decisionId);
  if (fresh) await putQuarantines(deps, target, [fresh]);
}

/** Puts quarantines on the version bus; false (logged) when the put failed. */
async function putQuarantines(
  deps: UseCaseDeps,
  target: RuntimeTarget,
  due: readonly SentQuarantine[],
): Promise<boolean> {
  const bus = deps.versionBus;
  if (!bus) return false;
  try {
    await bus.put(
      due.map((q) => ({
        detailType: QUARANTINE_DETAIL_TYPE.quarantine,
        detail: {
          from: bus.region,
          target: target.id,
          version: q.version,
          decisionId: q.decisionId,
          cause: q.cause,
          at: new Date(q.at).toISOString(),
          why: q.why,
        },
      })),
    );
  } catch (error) {
    deps.telemetry.log('warn', 'could not put the version quarantine on the bus; the sweep sends it again', {
      target: target.id,
      versions: due.map((q) => q.version),
      error: describe(error),
    });
    return false;
  }
  return true;
}

/** The sweep's resends of quarantines still awaited, recorded so that the next one waits a retry interval. */
async function resendQuarantines(
  deps: UseCaseDeps,
  target: RuntimeTarget,
  state: TargetState | undefined,
): Promise<TargetState | undefined> {
  const due = dueQuarantines(state, deps.clock.now());
  if (!state || due.length === 0 || !(await putQuarantines(deps, target, due))) return state;
  try {
    return await applyToTarget(
      deps,
      target,
      state,
      (s, now) => ({ next: due.reduce((acc, q) => quarantineSent(acc, q.decisionId, now), s), effects: [] }),
      '',
    );
  } catch (error) {
    // Sent, but not recorded as sent: the sweep sends it again, and receivers deduplicate it.
    deps.telemetry.log('warn', 'could not record that a quarantine was sent', {
      target: target.id,
      error: describe(error),
    });
    return state;
  }
}

/**
 * The sweep's part, per target: quarantines due again are sent, regions silent past the report time are
 * reported (once), and those past the give-up time are dropped with a last report. Never throws.
 */
export async function sweepQuarantines(
  deps: UseCaseDeps,
  target: RuntimeTarget,
  stored: TargetState | undefined,
): Promise<void> {
  if (!deps.versionBus || !stored?.quarantineOut?.length) return;
  let state = await resendQuarantines(deps, target, stored);
  const now = deps.clock.now();
  const report = async (q: SentQuarantine, givenUp: boolean) => {
    try {
      await deps.reporter.notify(
        quarantineUnconfirmed(
          {
            version: q.version,
            decisionId: q.decisionId,
            awaiting: q.awaiting,
            // The deciding invocation's send, then the sweep's.
            attempts: q.attempts + 1,
            minutes: Math.round((now - q.at) / MINUTE),
            givenUp,
          },
          reportContext(deps, target, state),
        ),
      );
    } catch (error) {
      deps.telemetry.log('error', 'could not report an unconfirmed quarantine', {
        target: target.id,
        error: describe(error),
      });
    }
  };
  for (const q of unconfirmedQuarantines(state, now)) {
    // Marked before it is sent: a lost message is not sent again, a crash in between at worst reports twice.
    state = await mark(deps, target, state, (s) => quarantineReported(s, q.decisionId, now));
    await report(q, false);
  }
  for (const q of abandonedQuarantines(state, now)) {
    state = await mark(deps, target, state, (s) => dropQuarantine(s, q.decisionId));
    await report(q, true);
  }
}

async function mark(
  deps: UseCaseDeps,
  target: RuntimeTarget,
  state: TargetState | undefined,
  change: (s: TargetState) => TargetState,
): Promise<TargetState | undefined> {
  try {
    return await applyToTarget(deps, target, state, (s) => ({ next: change(s), effects: [] }), '');
  } catch (error) {
    deps.telemetry.log('warn', 'could not record a quarantine report', {
      target: target.id,
      error: describe(error),
    });
    return state;
  }
}

/**
 * One event from the version bus: a quarantine from another region (decided, then confirmed with a receipt), a
 * receipt for one of this region's quarantines, or the deployment handler's check of a quarantined version it
 * saw being deployed here. Returns the decision taken, if any. A receipt that could not be sent throws, so
 * that Lambda's retry sends it (the decision is then a duplicate and is not taken again).
 */
export async function handleVersionEvent(
  deps: UseCaseDeps,
  config: RuntimeConfig,
  event: VersionEvent,
  requestId: string,
): Promise<Decision | undefined> {
  const own = deps.versionBus?.region ?? config.region;
  const target = config.targets.find((t) => t.id === event.target);
  switch (event.kind) {
    case 'receipt': {
      if (event.to !== own || !target) return undefined;
      const loaded = await deps.store.loadTargets([target.id]);
      await applyToTarget(
        deps,
        target,
        loaded.targets.get(target.id),
        (s) => ({ next: quarantineReceived(s, event.decisionId, event.from), effects: [] }),
        requestId,
      );
      deps.telemetry.log('info', 'quarantine confirmed', {
        target: target.id,
        version: event.version,
        region: event.from,
      });
      return undefined;
    }
    case 'quarantine': {
      if (event.from === own) return undefined;
      const role: QuarantineRole = {
        version: event.version,
        from: event.from,
        decisionId: event.decisionId,
        cause: event.cause,
        at: event.at,
        why: event.why,
      };
      const decision = target ? await decideQuarantine(deps, config, target, role, requestId) : undefined;
      if (!target) {
        deps.telemetry.log('info', 'quarantine of a target this region does not protect; confirmed', {
          target: event.target,
          from: event.from,
        });
      }
      await sendReceipt(deps, own, event);
      return decision;
    }
    case 'check': {
      if (event.from !== own || !target) return undefined;
      const loaded = await deps.store.loadTargets([target.id]);
      const q = quarantineOf(loaded.targets.get(target.id), event.version, deps.clock.now());
      if (!q) return undefined;
      return decideQuarantine(deps, config, target, q, requestId, event.deploymentId, event.at);
    }
  }
}

/** The receipt of a quarantine, for its origin (forwarded there by the version bus's rules). */
async function sendReceipt(
  deps: UseCaseDeps,
  own: string,
  event: Extract<VersionEvent, { kind: 'quarantine' }>,
): Promise<void> {
  const bus = deps.versionBus;
  if (!bus) return;
  try {
    await bus.put([
      {
        detailType: QUARANTINE_DETAIL_TYPE.receipt,
        detail: {
          from: own,
          to: event.from,
          target: event.target,
          version: event.version,
          decisionId: event.decisionId,
          at: new Date(deps.clock.now()).toISOString(),
        },
      },
    ]);
  } catch (error) {
    throw new RetryableError(
      `the quarantine ${event.decisionId} is recorded but its receipt could not be sent (${describe(error).message})`,
      { cause: error },
    );
  }
}

/**
 * A quarantine decided on this region's target: read it (state and live view, in parallel), decide with the
 * quarantine's role, and commit through the normal claim. `deploymentId`: the check of one deployment of an
 * already recorded quarantine (its own dedupe key).
 */
async function decideQuarantine(
  deps: UseCaseDeps,
  config: RuntimeConfig,
  target: RuntimeTarget,
  role: QuarantineRole,
  requestId: string,
  deploymentId?: string,
  seenAt?: Millis,
  quiet = false,
): Promise<Decision> {
  const [loaded, read] = await Promise.all([
    deps.store.loadTargets([target.id]),
    deps.deployerFor(target).inspect(target),
  ]);
  const stored = loaded.targets.get(target.id);
  const live = await withHistory(deps, target, stored, read);
  const transition = quarantineTransition(role, deploymentId);
  // Decided as an alarm transition is (handle-alarm.ts), with the quarantine's role.
  return decideForTarget(deps, {
    config,
    target,
    transition,
    key: transitionKey(transition),
    requestId,
    stored,
    live,
    globalPause: loaded.globalPause,
    quarantine: role,
    detectedAt: seenAt ?? role.at,
    ...(quiet ? { quietDuplicates: true } : {}),
  });
}

/**
 * The deployment handler's part: a deployment of a version quarantined here has started. The handler only reads
 * (its role cannot stop a deployment), so it asks the acting handler through the version bus. Never throws: the
 * sweep also stops a quarantined version it finds deploying.
 */
export async function checkQuarantinedDeployment(
  deps: UseCaseDeps,
  target: RuntimeTarget,
  state: TargetState,
  deployment: { readonly version: string; readonly deploymentId: string },
): Promise<void> {
  const bus = deps.versionBus;
  if (!bus || !quarantineOf(state, deployment.version, deps.clock.now())) return;
  try {
    await bus.put([
      {
        detailType: QUARANTINE_DETAIL_TYPE.check,
        detail: {
          from: bus.region,
          target: target.id,
          version: deployment.version,
          deploymentId: deployment.deploymentId,
          at: new Date(deps.clock.now()).toISOString(),
        },
      },
    ]);
  } catch (error) {
    deps.telemetry.log(
      'warn',
      'could not ask for the check of a quarantined deployment; the sweep checks it',
      {
        target: target.id,
        version: deployment.version,
        error: describe(error),
      },
    );
  }
}

/**
 * The sweep's safety net for the check the deployment handler asks for (its event may be lost): every
 * deployment in progress here of a version quarantined here is decided once (its own dedupe key), quietly when
 * it already was.
 */
export async function sweepQuarantinedDeployments(
  deps: UseCaseDeps,
  config: RuntimeConfig,
  target: RuntimeTarget,
  stored: TargetState | undefined,
  requestId: string,
): Promise<Decision[]> {
  if (!deps.versionBus || !stored?.quarantined?.length) return [];
  const now = deps.clock.now();
  const decisions: Decision[] = [];
  for (const entry of stored.ledger) {
    const q = entry.status === 'in-progress' ? quarantineOf(stored, entry.version, now) : undefined;
    // A rollback from it already under way is what the check would start: nothing to ask.
    if (!q || entry.deploymentId === undefined || stored.rollback?.from === entry.version) continue;
    decisions.push(await decideQuarantine(deps, config, target, q, requestId, entry.deploymentId, now, true));
  }
  return decisions;
}
