import {
  ESCALATING_SKIPS,
  NOTABLE_SKIPS,
  type IncidentEvent,
  type IncidentReport,
  type RuntimeTarget,
  type ServingSpan,
  type AlarmBand,
  type SkippedGroup,
  type SkipReason,
} from '../contract';
import type { Decision, LedgerEntry, Millis } from '../domain';
import { consoleLinks, reportCommand } from './notifications';
import { incidentSummary, incidentTimes, type IncidentFacts } from './incident-summary';

export { formatDuration } from './incident-summary';
import type { AuditedAlarm, AuditEntry, KindFacts } from './ports';

/**
 * Incidents from the audit log (docs/architecture.md, "Incident reports"): which audited entries of a target
 * belong together, and the report of one incident. Pure: the operator use case reads the audit and the ledger,
 * the simulator's `--report` runs the same code on its run.
 */

/**
 * A quiet stretch after which an unsettled incident (a rollback never verified, an approval never answered) is
 * over: the next alarm is a new incident.
 */
export const INCIDENT_QUIET_MS = 6 * 60 * 60 * 1000;

/** The entries of one incident, oldest first, and the id of the decision that opened it. */
export interface IncidentEntries {
  readonly id: string;
  readonly entries: readonly AuditEntry[];
  /** Every decision id in the incident: `report --incident` accepts any of them. */
  readonly decisionIds: ReadonlySet<string>;
}

type DecisionEntry = Extract<AuditEntry, { type: 'decision' }>;
type ResultEntry = Extract<AuditEntry, { type: 'rollback-result' }>;

/** Skips that are shown one by one in the timeline; the rest are only counted (SkippedGroup). */
function shownSkip(reason: string): boolean {
  return (
    (NOTABLE_SKIPS as readonly string[]).includes(reason) ||
    (ESCALATING_SKIPS as readonly string[]).includes(reason) ||
    OPERATOR_REFUSALS.includes(reason as SkipReason)
  );
}

const OPERATOR_REFUSALS: readonly SkipReason[] = [
  'version-not-known-good',
  'version-unknown',
  'nothing-to-approve',
  'already-current',
];

/**
 * A decision that starts an incident when none is open: anything but a skip, or a skip someone should hear
 * about (paused, cooldown, no known-good version, …). Routine skips (duplicates, superseded, OK transitions)
 * only ever join one.
 */
export function opensIncident(d: Decision): boolean {
  if (d.outcome !== 'skip') return true;
  return (
    (NOTABLE_SKIPS as readonly string[]).includes(d.reason) ||
    (ESCALATING_SKIPS as readonly string[]).includes(d.reason)
  );
}

const ACTING_OUTCOMES = new Set(['rollback', 'approval-requested', 'dry-run']);

interface Open {
  id: string;
  entries: AuditEntry[];
  decisionIds: Set<string>;
  lastAt: Millis;
  /** The version an acting decision (rollback, approval request, dry run) was about. */
  actedOn?: string;
  settled: boolean;
  awaitingApproval: boolean;
  sawOk: boolean;
}

/**
 * Splits a target's audit entries (oldest first) into incidents. An incident opens at a decision that
 * `opensIncident`, and takes every later entry until it is settled (its rollback verified or failed; with no
 * rollback, its alarms back to OK and no approval pending) and another such decision arrives, or a decision
 * acts on a different version, or INCIDENT_QUIET_MS pass without an entry. Entries before the first incident
 * belong to none.
 */
export function groupIncidents(entries: readonly AuditEntry[]): IncidentEntries[] {
  const done: IncidentEntries[] = [];
  let open: Open | undefined;
  const close = () => {
    if (open) done.push({ id: open.id, entries: open.entries, decisionIds: open.decisionIds });
    open = undefined;
  };
  for (const entry of entries) {
    if (open && entry.at - open.lastAt > INCIDENT_QUIET_MS) close();
    if (entry.type === 'decision') {
      const d = entry.decision;
      if (opensIncident(d)) {
        const otherVersion =
          open !== undefined &&
          ACTING_OUTCOMES.has(d.outcome) &&
          open.actedOn !== undefined &&
          d.from !== undefined &&
          d.from !== open.actedOn &&
          d.reason !== 'approved' &&
          d.reason !== 'approval-timeout';
        if (open && (open.settled || otherVersion)) close();
        if (!open) {
          open = {
            id: d.incident ?? d.id,
            entries: [],
            decisionIds: new Set(),
            lastAt: entry.at,
            settled: false,
            awaitingApproval: false,
            sawOk: false,
          };
        }
      }
      if (!open) continue;
      open.decisionIds.add(d.id);
      if (ACTING_OUTCOMES.has(d.outcome) && d.from !== undefined) open.actedOn ??= d.from;
      if (d.outcome === 'approval-requested') open.awaitingApproval = true;
      if (['approved', 'approval-timeout'].includes(d.reason) || d.reason === 'approval-expired')
        open.awaitingApproval = false;
      if (d.reason === 'not-alarm-state' && entry.alarm?.value === 'OK') open.sawOk = true;
      const rolledBack = open.entries.some((e) => e.type === 'decision' && e.decision.outcome === 'rollback');
      if (!rolledBack && d.outcome !== 'rollback') open.settled = open.sawOk && !open.awaitingApproval;
      if (d.outcome === 'rollback') open.settled = false;
    } else if (!open) {
      continue;
    } else if (entry.type === 'rollback-result' && open.decisionIds.has(entry.decisionId)) {
      if (entry.result !== 'rollback-succeeded') open.settled = true;
    }
    open.entries.push(entry);
    open.lastAt = entry.at;
  }
  close();
  return done;
}

/** What a report needs besides the incident's entries. */
export interface ReportInput {
  readonly target: RuntimeTarget;
  /** The target's ledger: when the version rolled back from was deployed, and by whom. */
  readonly ledger: readonly LedgerEntry[];
  readonly region?: string;
  readonly stack?: string;
  readonly consoleLinks?: KindFacts['consoleLinks'];
  /** The target's deploy freeze as it stands now, for the newest incident. */
  readonly frozen?: { readonly pipeline: string; readonly stage: string };
  /** The newest incident is still the target's situation (its freeze is this incident's). */
  readonly newest: boolean;
}

const iso = (ms: Millis): string => new Date(ms).toISOString();

/** The report of one incident. */
export function buildIncidentReport(incident: IncidentEntries, input: ReportInput): IncidentReport {
  const { target } = input;
  const decisions = incident.entries.filter((e): e is DecisionEntry => e.type === 'decision');
  const results = incident.entries.filter((e): e is ResultEntry => e.type === 'rollback-result');
  const opener = decisions[0].decision;
  const rollbackEntry = decisions.find((e) => e.decision.outcome === 'rollback');
  const rollback = rollbackEntry?.decision;
  const resultOf = (kind: ResultEntry['result']) =>
    rollback ? results.find((r) => r.decisionId === rollback.id && r.result === kind) : undefined;
  const completed = resultOf('rollback-succeeded');
  const verified = resultOf('rollback-verified');
  const failed = resultOf('rollback-failed');

  const bad = rollback?.from ?? opener.from;
  const good = rollback?.to ?? opener.to;
  const release = bad !== undefined ? input.ledger.find((e) => e.version === bad) : undefined;
  const alarmEntry = decisions.find((e) => e.alarm !== undefined && e.alarm.value === 'ALARM');
  const firstAlarm = alarmEntry?.alarm;
  // Without an alarm transition (a manual rollback, another region's quarantine), whoever decided detected it.
  const detectedAt = firstAlarm?.at ?? opener.at;

  const status: IncidentReport['status'] = !rollback
    ? 'not-rolled-back'
    : verified
      ? 'recovered'
      : failed
        ? completed
          ? 'unverified'
          : 'failed'
        : completed
          ? 'verifying'
          : 'rolling-back';
  const facts: IncidentFacts = {
    target: target.id,
    ...(bad !== undefined ? { from: bad } : {}),
    ...(good !== undefined ? { to: good } : {}),
    ...(firstAlarm
      ? { alarm: firstAlarm.name }
      : target.alarms.includes(opener.trigger)
        ? { alarm: opener.trigger }
        : { cause: (rollback ?? opener).trigger }),
    ...(release?.startedAt !== undefined ? { releasedAt: release.startedAt } : {}),
    ...(detectedAt !== undefined ? { detectedAt } : {}),
    ...(rollback ? { actedAt: rollback.at } : {}),
    ...(completed ? { completedAt: completed.at } : {}),
    ...(verified ? { recoveredAt: verified.at } : {}),
    status,
    ...(!rollback ? { instead: opener.outcome === 'skip' ? `skip: ${opener.reason}` : opener.outcome } : {}),
  };

  const timeline = timelineOf(incident, input, release, firstAlarm);
  const lastAt = Math.max(...incident.entries.map((e) => e.at));
  const startAt = Math.min(
    ...[release?.startedAt, firstAlarm?.at, incident.entries[0].at].filter(
      (t): t is number => t !== undefined,
    ),
  );
  const freeze = freezeOf(incident, input);
  const links = [
    ...(target.runbookUrl !== undefined
      ? [{ label: `Runbook for ${target.id}`, url: target.runbookUrl }]
      : []),
    ...(input.region !== undefined
      ? consoleLinks({
          region: input.region,
          target,
          ...(facts.alarm !== undefined ? { alarm: facts.alarm } : {}),
          ...(input.consoleLinks !== undefined ? { kindLinks: input.consoleLinks } : {}),
        })
      : []),
  ];
  return {
    incident: incident.id,
    target: target.id,
    ...(input.region !== undefined ? { region: input.region } : {}),
    summary: incidentSummary(facts),
    status,
    ...(bad !== undefined
      ? {
          release: {
            version: bad,
            ...(release?.startedAt !== undefined ? { startedAt: iso(release.startedAt) } : {}),
            ...(release?.completedAt !== undefined ? { completedAt: iso(release.completedAt) } : {}),
            ...(release?.deployedBy !== undefined ? { deployedBy: release.deployedBy } : {}),
            ...(release?.deploymentId !== undefined ? { deploymentId: release.deploymentId } : {}),
          },
        }
      : {}),
    ...(firstAlarm
      ? {
          firstAlarm: {
            alarm: firstAlarm.name,
            at: iso(firstAlarm.at),
            ...(firstAlarm.reason !== undefined ? { reason: firstAlarm.reason } : {}),
            ...(firstAlarm.threshold !== undefined ? { threshold: firstAlarm.threshold } : {}),
            ...(firstAlarm.datapoints !== undefined ? { datapoints: firstAlarm.datapoints } : {}),
          },
        }
      : {}),
    ...(rollback
      ? {
          rollback: {
            decisionId: rollback.id,
            ...(rollback.from !== undefined ? { from: rollback.from } : {}),
            ...(rollback.to !== undefined ? { to: rollback.to } : {}),
            reason: rollback.reason,
            decidedAt: iso(rollback.at),
            ...(rollback.by !== undefined ? { by: rollback.by } : {}),
            ...(rollback.action ? { action: rollback.action.kind } : {}),
            ...(completed ? { completedAt: iso(completed.at) } : {}),
            ...(verified ? { verifiedAt: iso(verified.at) } : {}),
            ...(failed ? { failedAt: iso(failed.at) } : {}),
          },
        }
      : {}),
    times: incidentTimes(facts),
    timeline,
    skipped: skippedOf(decisions),
    serving: servingOf(release?.startedAt, completed?.at, bad, good, startAt),
    alarms: bandsOf(decisions, target, startAt),
    ...(freeze ? { freeze } : {}),
    links,
    window: { start: iso(startAt), end: iso(Math.max(lastAt, startAt)) },
    command: reportCommand(
      {
        ...(input.stack !== undefined ? { stack: input.stack } : {}),
        ...(input.region !== undefined ? { region: input.region } : {}),
      },
      target.id,
      incident.id,
    ),
  };
}

function timelineOf(
  incident: IncidentEntries,
  input: ReportInput,
  release: LedgerEntry | undefined,
  firstAlarm: AuditedAlarm | undefined,
): IncidentEvent[] {
  const events: (IncidentEvent & { readonly ms: Millis })[] = [];
  const add = (ms: Millis, event: IncidentEvent) => events.push({ ...event, ms });
  if (release?.startedAt !== undefined) {
    add(release.startedAt, {
      at: iso(release.startedAt),
      kind: 'release',
      title: `${release.version} started deploying${release.deployedBy !== undefined ? ` (${release.deployedBy})` : ''}`,
      ...(release.deployedBy !== undefined ? { by: release.deployedBy } : {}),
    });
  }
  if (release?.completedAt !== undefined && release.completedAt !== release.startedAt) {
    add(release.completedAt, {
      at: iso(release.completedAt),
      kind: 'release',
      title: `${release.version} completed`,
    });
  }
  const seenAlarms = new Set<string>();
  for (const entry of incident.entries) {
    switch (entry.type) {
      case 'decision': {
        const d = entry.decision;
        const a = entry.alarm;
        if (a && a.value !== 'OK' && d.reason !== 'duplicate') {
          const key = `${a.name}|${a.value}|${a.at}`;
          if (!seenAlarms.has(key)) {
            seenAlarms.add(key);
            add(a.at, {
              at: iso(a.at),
              kind: 'alarm',
              title: `${a.name} → ${a.value}`,
              ...(a.reason !== undefined ? { detail: a.reason } : {}),
              alarm: a.name,
            });
          }
        }
        if (d.reason === 'not-alarm-state') {
          if (a?.value === 'OK') {
            add(a.at, {
              at: iso(a.at),
              kind: 'alarm-ok',
              title: `${a.name} → OK`,
              detail: d.detail,
              alarm: a.name,
              decisionId: d.id,
            });
          }
          break;
        }
        if (d.outcome === 'skip' && !shownSkip(d.reason)) break;
        add(d.at, {
          at: iso(d.at),
          kind: 'decision',
          title: `${d.outcome}${d.outcome === 'skip' ? `: ${d.reason}` : ` (${d.reason})`}${d.from !== undefined && d.to !== undefined ? ` ${d.from} → ${d.to}` : ''}`,
          detail: d.detail,
          outcome: d.outcome,
          reason: d.reason,
          ...(d.by !== undefined ? { by: d.by } : {}),
          decisionId: d.id,
          ...(input.target.alarms.includes(d.trigger) ? { alarm: d.trigger } : {}),
        });
        if (d.action) {
          add(d.at, {
            at: iso(d.at),
            kind: 'call',
            title:
              d.action.kind === 'stop'
                ? `stop the in-progress deployment of ${d.from ?? '?'} (the platform rolls back to ${d.to ?? '?'})`
                : `redeploy ${d.to ?? '?'}`,
            decisionId: d.id,
          });
        }
        break;
      }
      case 'rollback-result': {
        // A failure after the same rollback's completion is its verification failing, not the rollback.
        const unverified =
          entry.result === 'rollback-failed' &&
          incident.entries.some(
            (e) =>
              e.type === 'rollback-result' &&
              e.result === 'rollback-succeeded' &&
              e.decisionId === entry.decisionId &&
              e.at <= entry.at,
          );
        const [kind, title] =
          entry.result === 'rollback-succeeded'
            ? (['rollback-completed', `rollback to ${entry.to} completed`] as const)
            : entry.result === 'rollback-verified'
              ? (['verified', `verified: every trigger alarm OK on ${entry.to}`] as const)
              : unverified
                ? ([
                    'unverified',
                    `rollback to ${entry.to} completed but unverified: a trigger alarm is not OK`,
                  ] as const)
                : (['rollback-failed', `rollback to ${entry.to} failed`] as const);
        add(entry.at, { at: iso(entry.at), kind, title, detail: entry.detail, decisionId: entry.decisionId });
        break;
      }
      case 'operator':
        add(entry.at, {
          at: iso(entry.at),
          kind: 'operator',
          title: `${entry.command} by ${entry.by}`,
          detail: entry.detail,
          by: entry.by,
        });
        break;
      case 'rejected':
        break;
    }
  }
  if (firstAlarm && !events.some((e) => e.kind === 'alarm')) {
    add(firstAlarm.at, {
      at: iso(firstAlarm.at),
      kind: 'alarm',
      title: `${firstAlarm.name} → ${firstAlarm.value}`,
      alarm: firstAlarm.name,
    });
  }
  // Within one millisecond the audit's order is its ids' order, not the order of events: rank by kind instead
  // (an alarm before the decision on it, the call after its decision, OK transitions before the verification).
  return events
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.ms - b.e.ms || KIND_RANK[a.e.kind] - KIND_RANK[b.e.kind] || a.i - b.i)
    .map(({ e: { ms: _ms, ...event } }) => event);
}

const KIND_RANK: Readonly<Record<IncidentEvent['kind'], number>> = {
  release: 0,
  alarm: 1,
  'alarm-ok': 2,
  operator: 3,
  decision: 4,
  call: 5,
  'rollback-completed': 6,
  'rollback-failed': 6,
  verified: 7,
  unverified: 7,
};

function skippedOf(decisions: readonly DecisionEntry[]): SkippedGroup[] {
  const groups = new Map<string, { count: number; first: Millis; last: Millis }>();
  for (const { decision: d } of decisions) {
    if (d.outcome !== 'skip' || d.reason === 'not-alarm-state' || shownSkip(d.reason)) continue;
    const g = groups.get(d.reason);
    if (g) {
      g.count += 1;
      g.last = d.at;
    } else groups.set(d.reason, { count: 1, first: d.at, last: d.at });
  }
  return [...groups].map(([reason, g]) => ({
    reason,
    count: g.count,
    first: iso(g.first),
    last: iso(g.last),
  }));
}

function servingOf(
  releasedAt: Millis | undefined,
  completedAt: Millis | undefined,
  bad: string | undefined,
  good: string | undefined,
  startAt: Millis,
): ServingSpan[] {
  if (bad === undefined) return [];
  const spans: ServingSpan[] = [];
  const badFrom = releasedAt ?? startAt;
  if (good !== undefined && badFrom > startAt) {
    spans.push({ version: good, from: iso(startAt), until: iso(badFrom), role: 'rolled-back-to' });
  }
  spans.push({
    version: bad,
    from: iso(badFrom),
    ...(completedAt !== undefined ? { until: iso(completedAt) } : {}),
    role: 'released',
  });
  if (good !== undefined && completedAt !== undefined) {
    spans.push({ version: good, from: iso(completedAt), role: 'rolled-back-to' });
  }
  return spans;
}

function bandsOf(decisions: readonly DecisionEntry[], target: RuntimeTarget, startAt: Millis): AlarmBand[] {
  const bands: AlarmBand[] = [];
  const names = new Set([...target.alarms, ...decisions.flatMap((e) => (e.alarm ? [e.alarm.name] : []))]);
  for (const name of names) {
    const transitions = decisions
      .flatMap((e) => (e.alarm?.name === name ? [e.alarm] : []))
      .filter((a, i, all) => all.findIndex((b) => b.at === a.at && b.value === a.value) === i)
      .sort((a, b) => a.at - b.at);
    if (transitions.length === 0) continue;
    let state = transitions[0].previous;
    let from = Math.min(startAt, transitions[0].at);
    for (const t of transitions) {
      if (t.value === state) continue;
      if (t.at > from) bands.push({ alarm: name, state, from: iso(from), until: iso(t.at) });
      state = t.value;
      from = t.at;
    }
    bands.push({ alarm: name, state, from: iso(from) });
  }
  return bands;
}

function freezeOf(incident: IncidentEntries, input: ReportInput): IncidentReport['freeze'] | undefined {
  const freeze = input.target.freeze;
  if (!freeze) return undefined;
  const resume = incident.entries.find(
    (e) => e.type === 'operator' && e.command === 'resume' && e.detail.includes('re-enabled the'),
  );
  if (resume) return { pipeline: freeze.pipeline, stage: freeze.stage, resumedAt: iso(resume.at) };
  if (input.newest && input.frozen) return { pipeline: input.frozen.pipeline, stage: input.frozen.stage };
  return undefined;
}
