import { ALARM_STATE, UNKNOWN_SCOPE, type RuntimeConfig, type RuntimeTarget } from '../contract';
import {
  databaseSchema,
  decideAlarm,
  findEntry,
  groupOf,
  MINUTE,
  policyMs,
  reconcileWithLive,
  withSchemaFacts,
  skipDecision,
  transitionKey,
  type AlarmTransition,
  type Decision,
  type GroupRole,
  type LiveTarget,
  type Millis,
  type Pause,
  type QuarantineRole,
  type TargetState,
} from '../domain';
import { startRecheck, withRecheck } from './check-viability';
import { commitDecision } from './claim-act-record';
import { decisionId } from './decision-id';
import type { UseCaseDeps } from './deps';
import { decideGroupIncident, pulledMembers, readMember, type MemberRead } from './group-incident';
import { describe } from './report';
import { withHistory } from './seed-history';

/**
 * One alarm transition → one decision per guarded target: load → decide → claim → act → record → notify.
 * On the rollback path there are two sequential round trips before the rollback call: the parallel read
 * (state + the service's live view, with the rollback target's viability re-check beside it) and the claim (a
 * third only when the schema gate lacks the running version's facts: withCurrentSchemaFacts).
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
  // Release groups: the members an ALARM may pull into a group rollback are read alongside, concurrently.
  const pulled = needLive ? pulledMembers(config, targets) : [];
  const load = deps.store.loadTargets([...targets, ...pulled].map((t) => t.id));
  // The viability re-check of each target's rollback target starts once the stored ledger names it, while
  // the live read is in flight; its answer counts only if it has come when the reads are done.
  const rechecks = needLive
    ? load.then(
        (l) => targets.map((t) => startRecheck(deps, t, l.targets.get(t.id))),
        // A failed load fails the invocation below (Promise.all); nothing to re-check then.
        () => [],
      )
    : Promise.resolve([]);
  const memberReads = pulled.map((t) => readMember(deps, t));
  const [loaded, ...lives] = await Promise.all([
    load,
    ...targets.map((t) => (needLive ? deps.deployerFor(t).inspect(t) : Promise.resolve(undefined))),
  ]);
  const started = await rechecks;
  // Awaited only by a decision that starts a group rollback: no other decision waits for a member's read.
  const member = async (id: string): Promise<MemberRead | undefined> => {
    const i = pulled.findIndex((t) => t.id === id);
    return i < 0 ? undefined : { ...(await memberReads[i]), stored: loaded.targets.get(id) };
  };

  const decided = await Promise.all(
    targets.map(async (target, i) => {
      const read = lives[i];
      const live =
        read === undefined ? undefined : await withHistory(deps, target, loaded.targets.get(target.id), read);
      const job: TargetJob = {
        config,
        target,
        transition,
        key,
        requestId,
        stored: await withCurrentSchemaFacts(
          deps,
          target,
          withRecheck(loaded.targets.get(target.id), started[i], deps.clock.now()),
          live,
        ),
        live,
        globalPause: loaded.globalPause,
      };
      const group = needLive ? groupOf(config.groups, target.id) : undefined;
      return group
        ? decideGroupIncident(deps, job, group, member, new Set(targets.map((t) => t.id)))
        : [await decideForTarget(deps, job)];
    }),
  );
  return decided.flat();
}

/**
 * The schema gate needs what the running version declares (its migration sets the database's level). The
 * deployment handler reads it when the deployment is first seen; when that has not happened (its event was
 * lost or is late) and the target's versions use the gate, it is read here, before deciding: one more round
 * trip, only then. A read that fails leaves the version undeclared, as the gate treats untagged versions.
 */
async function withCurrentSchemaFacts(
  deps: UseCaseDeps,
  target: RuntimeTarget,
  stored: TargetState | undefined,
  live: LiveTarget | undefined,
): Promise<TargetState | undefined> {
  const deployer = deps.deployerFor(target);
  if (!stored || live?.kind !== 'ok' || !deployer.versionFacts || !databaseSchema(stored.ledger))
    return stored;
  const current = live.currentVersion;
  if (findEntry(stored.ledger, current)?.schemaFacts !== undefined) return stored;
  try {
    const facts = await deployer.versionFacts(target, current);
    const now = deps.clock.now();
    const reconciled = reconcileWithLive(stored, live, now, policyMs(target.policy).bakeMs);
    return { ...reconciled, ledger: withSchemaFacts(reconciled.ledger, current, facts, now) };
  } catch (error) {
    deps.telemetry.log('warn', 'could not read the schema tags of the running version before deciding', {
      target: target.id,
      version: current,
      error: describe(error),
    });
    return stored;
  }
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
  /** Set when the decision is part of a release group's rollback (group-incident.ts). */
  readonly group?: GroupRole;
  /** Set when the decision is this region's answer to another region's version quarantine (quarantine.ts). */
  readonly quarantine?: QuarantineRole;
  /** When the trigger was seen, for DetectionToActionMs. @default the transition's timestamp */
  readonly detectedAt?: Millis;
}

/** Decide, claim, act and report for one target and one transition. */
export function decideForTarget(deps: UseCaseDeps, job: TargetJob): Promise<Decision> {
  const { target, transition } = job;
  const id = decisionId(job.requestId, target.id, job.key);
  return commitDecision(deps, {
    target,
    stored: job.stored,
    requestId: job.requestId,
    live: job.live,
    globalPause: job.globalPause,
    transition,
    detectedAt: job.detectedAt ?? transition.timestamp,
    ...(job.quietDuplicates ? { quietDuplicates: true } : {}),
    decide: (state, now) =>
      decideAlarm({
        now,
        decisionId: id,
        transition,
        target,
        state,
        live: job.live,
        globalPause: job.globalPause,
        maxEventAgeMs: job.config.maxEventAgeMinutes * MINUTE,
        ...(job.group ? { group: job.group } : {}),
        ...(job.quarantine ? { quarantine: job.quarantine } : {}),
      }),
  });
}
