import {
  REJECTED_SCOPE,
  UNKNOWN_SCOPE,
  WATCHDOG_SCOPE,
  type CommandResult,
  type HistoryItem,
  type IncidentReport,
  type OperatorRequest,
  type OperatorResponse,
  type ReportResult,
  type RuntimeConfig,
  type RuntimeTarget,
  type StatusResult,
  type TargetStatus,
} from '../contract';
import {
  decideApprovedRollback,
  decideManualRollback,
  findEntry,
  isKnownGood,
  MINUTE,
  policyMs,
  rollbackCandidate,
  skipDecision,
  type ExplicitRollback,
  type LiveDeployment,
  type LiveTarget,
  type Millis,
  type Pause,
  type TargetState,
} from '../domain';
import { applyToTarget } from './apply-to-target';
import { decisionId } from './decision-id';
import { messageLocation, type UseCaseDeps } from './deps';
import { withHistory } from './seed-history';
import { commitDecision, type Proposal } from './claim-act-record';
import type { AlarmWriter, AuditEntry } from './ports';
import { pauseNotification, type WatchdogLocation } from './notifications';
import { describe } from './report';
import { buildIncidentReport, groupIncidents } from './incident-report';

export interface OperatorDeps extends UseCaseDeps {
  readonly alarmWriter: AlarmWriter;
}

const HISTORY_DEFAULT_MS = 24 * 60 * MINUTE;
const HISTORY_DEFAULT_LIMIT = 50;

/**
 * The operator commands behind the CLI (docs/architecture.md, "Operator URL and CLI"). `principal` is the
 * caller IAM authenticated; it is what the audit records. Rollbacks and approvals go through the same claim,
 * cooldown counters and audit as automatic decisions.
 */
export async function handleOperator(
  deps: OperatorDeps,
  config: RuntimeConfig,
  request: OperatorRequest,
  principal: string,
  requestId: string,
): Promise<OperatorResponse> {
  const target =
    'target' in request && request.target !== undefined
      ? config.targets.find((t) => t.id === request.target)
      : undefined;
  if ('target' in request && request.target !== undefined && !target) {
    return fail(
      'unknown-target',
      `no target "${request.target}"; configured: ${config.targets.map((t) => t.id).join(', ')}`,
    );
  }
  switch (request.command) {
    case 'status':
      return ok(await status(deps, target ? [target] : config.targets));
    case 'history':
      return ok(await history(deps, config, target, request.sinceMs, request.limit));
    case 'pause':
      return ok(await pause(deps, target, request.reason, request.forMinutes, principal, requestId));
    case 'resume':
      return ok(await resume(deps, config, target, principal, requestId));
    case 'approve':
      return explicitRollback(deps, target!, principal, requestId, 'approve', (state, live, now, id) =>
        decideApprovedRollback({
          now,
          decisionId: id,
          target: target!,
          state,
          live,
          by: principal,
          ...(request.decision !== undefined ? { proposal: request.decision } : {}),
        }),
      );
    case 'rollback':
      return explicitRollback(
        deps,
        target!,
        principal,
        requestId,
        'rollback',
        (state, live, now, id, resolved) =>
          decideManualRollback({
            now,
            decisionId: id,
            target: target!,
            state,
            live,
            to: request.to,
            force: request.force === true,
            by: principal,
            reason: request.reason,
            ...(resolved ? { resolved } : {}),
            redeployNeedsArtifact: deps.kinds?.redeployNeedsArtifact(target!) === true,
          }),
        request.force === true ? request.to : undefined,
      );
    case 'drill':
      return drill(deps, config, target!, request.alarm, request.live === true, principal, requestId);
    case 'report':
      return report(deps, target!, request.incident);
  }
}

/**
 * Most audit entries of a target a report reads, newest first: weeks of incidents on a busy target. An
 * incident older than that is still in the table (and in the S3 export), but not reported.
 */
export const REPORT_AUDIT_LIMIT = 5_000;

/** `report`: the target's incidents from its audit, and the newest one (or the one asked for) in full. */
async function report(
  deps: OperatorDeps,
  target: RuntimeTarget,
  incident: string | undefined,
): Promise<OperatorResponse<ReportResult>> {
  const where = messageLocation(deps);
  const result = await incidentReports(deps.store, target, where, incident);
  if (incident !== undefined && !result.report) {
    return fail(
      'not-found',
      `no incident ${incident} in the audit of ${target.id}` +
        (result.incidents.length > 0
          ? `; its incidents: ${result.incidents.map((r) => r.incident).join(', ')}`
          : '; it has had no incident the audit still holds'),
    );
  }
  return ok(result);
}

/**
 * The incidents of `target` from its audit (the newest REPORT_AUDIT_LIMIT entries) and its ledger, and the
 * newest one (or the one `incident` names: its id or any of its decisions' ids) in full.
 */
export async function incidentReports(
  store: Pick<OperatorDeps['store'], 'listAudit' | 'loadTargets'>,
  target: RuntimeTarget,
  where: ReturnType<typeof messageLocation>,
  incident?: string,
): Promise<ReportResult> {
  const all = await allIncidentReports(store, target, where);
  const chosen =
    incident === undefined
      ? all.length - 1
      : all.findIndex((r) => r.report.incident === incident || r.decisionIds.has(incident));
  return {
    ...(chosen >= 0 ? { report: all[chosen].report } : {}),
    incidents: all.map(({ report: r }) => ({ incident: r.incident, at: r.window.start, summary: r.summary })),
  };
}

/**
 * Every incident of `target` the audit still holds (its newest REPORT_AUDIT_LIMIT entries), oldest first, each
 * with the decision ids that find it: two reads, in parallel. The simulator's `--report` prints them all.
 */
export async function allIncidentReports(
  store: Pick<OperatorDeps['store'], 'listAudit' | 'loadTargets'>,
  target: RuntimeTarget,
  where: ReturnType<typeof messageLocation>,
): Promise<{ readonly report: IncidentReport; readonly decisionIds: ReadonlySet<string> }[]> {
  const [audit, loaded] = await Promise.all([
    store.listAudit(target.id, { newestFirst: true, limit: REPORT_AUDIT_LIMIT }),
    store.loadTargets([target.id]),
  ]);
  const incidents = groupIncidents(audit.reverse());
  const state = loaded.targets.get(target.id);
  return incidents.map((entries, i) => ({
    decisionIds: entries.decisionIds,
    report: buildIncidentReport(entries, {
      target,
      ledger: state?.ledger ?? [],
      ...(where.region !== undefined ? { region: where.region } : {}),
      ...(where.stack !== undefined ? { stack: where.stack } : {}),
      ...(where.consoleLinks !== undefined ? { consoleLinks: where.consoleLinks } : {}),
      ...(state?.frozen ? { frozen: state.frozen } : {}),
      newest: i === incidents.length - 1,
    }),
  }));
}

async function status(deps: OperatorDeps, targets: readonly RuntimeTarget[]): Promise<StatusResult> {
  const now = deps.clock.now();
  const loaded = await deps.store.loadTargets(targets.map((t) => t.id));
  const rows = await Promise.all(
    targets.map(async (target): Promise<TargetStatus> => {
      const state = loaded.targets.get(target.id);
      const [live, audit] = await Promise.all([
        deps
          .deployerFor(target)
          .inspect(target)
          .catch((): LiveTarget => ({ kind: 'invalid', why: 'could not be read' })),
        deps.store.listAudit(target.id, { newestFirst: true, limit: 20 }),
      ]);
      const policy = policyMs(target.policy);
      const current = live.kind === 'ok' ? live.currentVersion : undefined;
      const ledger = state?.ledger ?? [];
      const knownGood =
        current !== undefined && isKnownGood(findEntry(ledger, current), now, policy.bakeMs)
          ? current
          : rollbackCandidate(ledger, current ?? '', now, policy.bakeMs)?.version;
      const last = audit.find((e) => e.type === 'decision');
      const cooldownLeft =
        state?.lastRollbackAt !== undefined ? state.lastRollbackAt + policy.cooldownMs - now : 0;
      return {
        target: target.id,
        type: target.type,
        mode: target.policy.mode,
        ...(current !== undefined ? { currentVersion: current } : {}),
        ...(knownGood !== undefined ? { knownGoodVersion: knownGood } : {}),
        ...(state?.paused ? { paused: pauseView(state.paused) } : {}),
        ...(state?.rollback && state.rollback.leaseUntil > now
          ? {
              rollback: {
                from: state.rollback.from,
                to: state.rollback.to,
                since: iso(state.rollback.claimedAt),
                trigger: state.rollback.trigger,
              },
            }
          : {}),
        ...(state?.pendingApproval && state.pendingApproval.expiresAt > now
          ? {
              pendingApproval: {
                from: state.pendingApproval.from,
                to: state.pendingApproval.to,
                expiresAt: iso(state.pendingApproval.expiresAt),
                trigger: state.pendingApproval.trigger,
              },
            }
          : {}),
        ...(state?.verification
          ? { verification: { until: iso(state.verification.deadline), alarms: [...target.alarms] } }
          : {}),
        ...(last?.type === 'decision'
          ? {
              lastDecision: {
                at: iso(last.decision.at),
                outcome: last.decision.outcome,
                reason: last.decision.reason,
                trigger: last.decision.trigger,
              },
            }
          : {}),
        cooldownSecondsLeft: Math.max(0, Math.ceil(cooldownLeft / 1000)),
        ...(state?.frozen ? { frozen: { pipeline: state.frozen.pipeline, stage: state.frozen.stage } } : {}),
        ...(state?.settingsRestore
          ? {
              settingsRestore: {
                decisionId: state.settingsRestore.decisionId,
                since: iso(state.settingsRestore.since),
              },
            }
          : {}),
      };
    }),
  );
  return { ...(loaded.globalPause ? { watchdogPaused: pauseView(loaded.globalPause) } : {}), targets: rows };
}

async function history(
  deps: OperatorDeps,
  config: RuntimeConfig,
  target: RuntimeTarget | undefined,
  sinceMs: number | undefined,
  limit: number | undefined,
): Promise<HistoryItem[]> {
  const since = sinceMs ?? deps.clock.now() - HISTORY_DEFAULT_MS;
  const scopes = target
    ? [target.id]
    : [...config.targets.map((t) => t.id), WATCHDOG_SCOPE, UNKNOWN_SCOPE, REJECTED_SCOPE];
  const byScope = await Promise.all(scopes.map((scope) => deps.store.listAudit(scope, { sinceMs: since })));
  // Each target's entries, as listed (oldest first), grouped into incidents; the other scopes belong to none.
  const incidentOf = new Map<AuditEntry, string>();
  const targetIds = new Set(config.targets.map((t) => t.id));
  byScope.forEach((own, i) => {
    if (!targetIds.has(scopes[i])) return;
    for (const incident of groupIncidents(own))
      for (const e of incident.entries) incidentOf.set(e, incident.id);
  });
  const items = byScope
    .flat()
    .map((e) => {
      const item = historyItem(e);
      const incident = incidentOf.get(e);
      return incident !== undefined ? { ...item, incident } : item;
    })
    .sort((a, b) => a.at.localeCompare(b.at));
  return items.slice(-(limit ?? HISTORY_DEFAULT_LIMIT));
}

function historyItem(e: AuditEntry): HistoryItem {
  switch (e.type) {
    case 'decision': {
      const d = e.decision;
      return {
        at: iso(e.at),
        target: d.target,
        kind: 'decision',
        outcome: d.outcome,
        reason: d.reason,
        trigger: d.trigger,
        ...(d.from !== undefined ? { from: d.from } : {}),
        ...(d.to !== undefined ? { to: d.to } : {}),
        ...(d.by !== undefined ? { by: d.by } : {}),
        detail: d.detail,
        ...(d.drill ? { drill: d.drill } : {}),
      };
    }
    case 'rollback-result':
      return {
        at: iso(e.at),
        target: e.target,
        kind: 'rollback-result',
        outcome: e.result,
        from: e.from,
        to: e.to,
        detail: e.detail,
      };
    case 'operator':
      return {
        at: iso(e.at),
        target: e.target,
        kind: 'operator',
        outcome: e.command,
        by: e.by,
        detail: e.detail,
      };
    case 'rejected':
      return {
        at: iso(e.at),
        target: REJECTED_SCOPE,
        kind: 'rejected',
        reason: e.reason,
        detail: e.problems.join('; '),
      };
  }
}

async function pause(
  deps: OperatorDeps,
  target: RuntimeTarget | undefined,
  reason: string,
  forMinutes: number | undefined,
  by: string,
  requestId: string,
): Promise<CommandResult> {
  const at = deps.clock.now();
  const until = forMinutes !== undefined ? at + forMinutes * MINUTE : undefined;
  const paused: Pause = { at, by, reason, ...(until !== undefined ? { until } : {}) };
  if (!target) {
    await deps.store.setGlobalPause(paused);
  } else {
    const loaded = await deps.store.loadTargets([target.id]);
    await applyToTarget(
      deps,
      target,
      loaded.targets.get(target.id),
      (s) => ({ next: { ...s, paused }, effects: [] }),
      requestId,
    );
  }
  const scope = target?.id ?? WATCHDOG_SCOPE;
  const ends = until !== undefined ? `${iso(until)} or ` : '';
  const message = `${target ? target.id : 'The watchdog'} is paused: no automatic rollback until ${ends}\`watchdog resume${target ? ` ${target.id}` : ''}\`.`;
  await Promise.all([
    deps.reporter.audit({
      type: 'operator',
      at,
      target: scope,
      command: 'pause',
      by,
      detail: `${message} Reason: ${reason}`,
      requestId,
    }),
    deps.reporter.notify(
      pauseNotification(
        { change: 'paused', target: target?.id, by, at, reason, ...(until !== undefined ? { until } : {}) },
        location(deps),
      ),
    ),
  ]);
  return { ...(target ? { target: target.id } : {}), done: true, message };
}

/**
 * Lifts a pause (an operator's or the watchdog's own after an escalation) and a deploy freeze. The alarm
 * transitions decided while paused are forgotten, so an alarm that is still firing is decided again by the
 * next sweep instead of staying a `duplicate` forever; an alarm that has since cleared stays `superseded`.
 */
async function resume(
  deps: OperatorDeps,
  config: RuntimeConfig,
  target: RuntimeTarget | undefined,
  by: string,
  requestId: string,
): Promise<CommandResult> {
  const at = deps.clock.now();
  const targets = target ? [target] : config.targets;
  if (!target) await deps.store.setGlobalPause(undefined);
  const loaded = await deps.store.loadTargets(targets.map((t) => t.id));
  const notes: string[] = [];
  for (const t of targets) {
    const before = loaded.targets.get(t.id);
    if (!before) continue;
    if (target && before.frozen && deps.freezer) {
      await deps.freezer.enable(before.frozen.pipeline, before.frozen.stage);
      notes.push(`re-enabled the ${before.frozen.stage} transition of pipeline ${before.frozen.pipeline}`);
    }
    await applyToTarget(
      deps,
      t,
      before,
      (s) => {
        // A resume of the whole watchdog lifts only the global pause; a target's own pause and freeze stay.
        const liftPause = target !== undefined && s.paused !== undefined;
        const liftFreeze = target !== undefined && s.frozen !== undefined;
        if (!liftPause && !liftFreeze && s.handled.length === 0) return { next: s, effects: [] };
        const { paused, frozen, ...rest } = s;
        return {
          next: {
            ...rest,
            ...(paused && !liftPause ? { paused } : {}),
            ...(frozen && !liftFreeze ? { frozen } : {}),
            handled: [],
          },
          effects: [],
        };
      },
      requestId,
    );
  }
  const scope = target?.id ?? WATCHDOG_SCOPE;
  const message = `${target ? target.id : 'The watchdog'} resumed automatic action${notes.length ? `; ${notes.join('; ')}` : ''}.`;
  await Promise.all([
    deps.reporter.audit({
      type: 'operator',
      at,
      target: scope,
      command: 'resume',
      by,
      detail: message,
      requestId,
    }),
    deps.reporter.notify(
      pauseNotification({ change: 'resumed', target: target?.id, by, at, notes }, location(deps)),
    ),
  ]);
  return { ...(target ? { target: target.id } : {}), done: true, message };
}

/**
 * approve / rollback: decided (pure), claimed, carried out and reported through the same routine as every
 * other rollback. A declined command is a `skip` decision like any other, audited with the principal.
 */
async function explicitRollback(
  deps: OperatorDeps,
  target: RuntimeTarget,
  by: string,
  requestId: string,
  command: 'approve' | 'rollback',
  decide: (
    state: TargetState,
    live: LiveTarget,
    now: Millis,
    id: string,
    resolved: LiveDeployment | undefined,
  ) => ExplicitRollback,
  forceTo?: string,
): Promise<OperatorResponse<CommandResult>> {
  const [loaded, read] = await Promise.all([
    deps.store.loadTargets([target.id]),
    deps.deployerFor(target).inspect(target),
  ]);
  const live = await withHistory(deps, target, loaded.targets.get(target.id), read);
  const resolved = await resolveForced(deps, target, loaded.targets.get(target.id), forceTo);
  const requestedAt = deps.clock.now();
  const id = decisionId(requestId, target.id, command);
  let refused: string | undefined;
  const decision = await commitDecision(deps, {
    target,
    stored: loaded.targets.get(target.id),
    requestId,
    live,
    globalPause: loaded.globalPause,
    detectedAt: requestedAt,
    decide: (state, now): Proposal => {
      const result = decide(state, live, now, id, resolved);
      refused = result.ok ? undefined : result.refused;
      if (result.ok) return result;
      const refusal = skipDecision(
        {
          id,
          at: now,
          target: target.id,
          trigger: `${command} by ${by}`,
          ...(result.from !== undefined ? { from: result.from } : {}),
          ...(result.to !== undefined ? { to: result.to } : {}),
        },
        result.reason,
        `${by} asked to ${command === 'approve' ? 'approve the rollback of' : 'roll back'} ${target.id}; refused: ${result.refused}.`,
      );
      return { decision: { ...refusal, by }, next: state, unclaimed: state };
    },
  });
  if (decision.outcome === 'rollback') {
    await deps.reporter.audit({
      type: 'operator',
      at: requestedAt,
      target: target.id,
      command,
      by,
      detail: decision.detail,
      requestId,
    });
  }
  const done = decision.outcome === 'rollback';
  if (refused !== undefined) return fail('refused', refused);
  return {
    ok: true,
    result: {
      target: target.id,
      done,
      message: done ? `Rolling ${target.id} back from ${decision.from} to ${decision.to}.` : decision.detail,
      decision: {
        outcome: decision.outcome,
        reason: decision.reason,
        ...(decision.from ? { from: decision.from } : {}),
        ...(decision.to ? { to: decision.to } : {}),
      },
    },
  };
}

/** How far back `rollback --to <version> --force` looks for a version the ledger never recorded. */
const FORCED_HISTORY_DAYS = 365;

/**
 * `rollback --to <version> --force` for a version the ledger has no deployment record of: the platform's
 * history (CodeDeploy's deployments of the group) says how it was deployed, so it can be deployed again.
 */
async function resolveForced(
  deps: OperatorDeps,
  target: RuntimeTarget,
  stored: TargetState | undefined,
  to: string | undefined,
): Promise<LiveDeployment | undefined> {
  const deployer = deps.deployerFor(target);
  if (to === undefined || !deployer.history) return undefined;
  if (stored && findEntry(stored.ledger, to)?.artifact !== undefined) return undefined;
  const history = await deployer.history(target, deps.clock.now() - FORCED_HISTORY_DAYS * 24 * 60 * MINUTE);
  return history.find((d) => d.version === to);
}

/**
 * Records the drill intent, then forces the alarm; the alarm handler decides on it like a real incident. The
 * intent goes to every target the alarm guards, so that none of them acts on the forced transition: the drilled
 * target decides as a dry run (for real with `--live`), every other one always as a dry run.
 */
async function drill(
  deps: OperatorDeps,
  config: RuntimeConfig,
  target: RuntimeTarget,
  alarmName: string | undefined,
  live: boolean,
  by: string,
  requestId: string,
): Promise<OperatorResponse<CommandResult>> {
  const alarm = alarmName ?? target.alarms[0];
  if (!target.alarms.includes(alarm)) {
    return fail(
      'invalid-request',
      `${alarm} does not guard ${target.id}; its alarms are ${target.alarms.join(', ')}`,
    );
  }
  const id = decisionId(requestId, target.id, 'drill');
  const requestedAt = deps.clock.now();
  const guarded = config.targets.filter((t) => t.alarms.includes(alarm));
  const loaded = await deps.store.loadTargets(guarded.map((t) => t.id));
  const intent = { id, alarm, live, requestedAt, by, target: target.id };
  await Promise.all(
    guarded.map((t) =>
      applyToTarget(
        deps,
        t,
        loaded.targets.get(t.id),
        (s) => ({ next: { ...s, drill: intent }, effects: [] }),
        requestId,
      ),
    ),
  );
  try {
    await deps.alarmWriter.setState(
      alarm,
      'ALARM',
      `Rollback Watchdog drill ${id} by ${by}${live ? ' (live)' : ''}`,
    );
  } catch (error) {
    deps.telemetry.log('error', 'drill could not force the alarm', {
      target: target.id,
      alarm,
      error: describe(error),
    });
    return fail('unavailable', `could not set ${alarm} to ALARM: ${describe(error).message}`);
  }
  const others = guarded.filter((t) => t.id !== target.id).map((t) => t.id);
  const message =
    `Drill ${id}: ${alarm} forced to ALARM; the watchdog decides on it ${live ? 'for real (live)' : 'as a dry run'}` +
    (others.length > 0 ? `; it also guards ${others.join(', ')}, which decide as a dry run.` : '.');
  await deps.reporter.audit({
    type: 'operator',
    at: requestedAt,
    target: target.id,
    command: 'drill',
    by,
    detail: message,
    requestId,
  });
  return { ok: true, result: { target: target.id, done: true, message, drill: { id, alarm, live } } };
}

function pauseView(p: Pause) {
  return {
    by: p.by,
    reason: p.reason,
    at: iso(p.at),
    ...(p.until !== undefined ? { until: iso(p.until) } : {}),
  };
}

/** The stack and region the commands in a message must name. */
export function location(deps: UseCaseDeps): WatchdogLocation {
  return messageLocation(deps);
}

function ok<T>(result: T): OperatorResponse<T> {
  return { ok: true, result };
}

function fail(
  code: 'invalid-request' | 'unknown-target' | 'not-found' | 'refused' | 'unavailable',
  message: string,
): OperatorResponse<never> {
  return { ok: false, error: { code, message } };
}

function iso(ms: Millis): string {
  return new Date(ms).toISOString();
}
