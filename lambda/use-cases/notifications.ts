import type { NotificationKind, Severity } from '../contract';
import type { ActiveRollback, AlarmTransition, Decision, Millis } from '../domain';
import type { Notification } from './ports';

/** Builds the on-call messages (CONTRACTS.md §3). Pure: the Notifier adapter only serialises them. */

const cli = (args: string) => `npx watchdog ${args}`;

export function decisionNotification(
  decision: Decision,
  transition: AlarmTransition | undefined,
): Notification | undefined {
  if (!decision.notify) return undefined;
  const kind = decision.notify;
  const fired = transition
    ? `${transition.alarmName} is ${transition.value}${transition.reason ? `: ${transition.reason}` : '.'}`
    : `Trigger: ${decision.trigger}.`;
  const change = decision.from && decision.to ? `${decision.from} → ${decision.to}` : (decision.from ?? '');
  const t = decision.target;
  const base = { kind, target: t, context: context(kind, decision) };

  switch (kind) {
    case 'rollback-started':
      return {
        ...base,
        severity: 'warning',
        title: `Rolling back ${t}: ${change}`,
        description: [fired, decision.detail, describeAction(decision)].join('\n'),
        nextSteps: [
          `Watch progress: ${cli(`status ${t}`)}`,
          `Stop further automatic action: ${cli(`pause ${t} --reason "<why>"`)}`,
        ],
        keywords: [t, kind],
      };
    case 'escalation':
      return {
        ...base,
        severity: 'high',
        title: `Action needed on ${t}: ${decision.reason}`,
        description: [
          fired,
          decision.detail,
          'The watchdog did not roll back and will not act on its own.',
        ].join('\n'),
        nextSteps: escalationSteps(decision),
        keywords: [t, kind, decision.reason],
      };
    case 'rollback-skipped':
      return {
        ...base,
        severity: 'info',
        title:
          decision.outcome === 'dry-run'
            ? `Dry run on ${t}: would roll back ${change}`
            : `Not rolling back ${t}: ${decision.reason}`,
        description: [fired, decision.detail].join('\n'),
        nextSteps:
          decision.outcome === 'dry-run'
            ? [
                `Turn on automatic rollback: set "mode": "auto" for ${t} and redeploy the watchdog`,
                `Roll back by hand: ${cli(`rollback ${t} --to ${decision.to ?? '<version>'} --reason "<why>"`)}`,
              ]
            : [`Review: ${cli(`history ${t}`)}`],
        keywords: [t, kind, decision.outcome === 'dry-run' ? 'dry-run' : decision.reason],
      };
    case 'approval-requested':
      return {
        ...base,
        severity: 'warning',
        title: `Approve rollback of ${t}: ${change}?`,
        description: [fired, decision.detail].join('\n'),
        nextSteps: [`Approve: ${cli(`approve ${t}`)}`],
        keywords: [t, kind],
      };
    case 'rollback-succeeded':
    case 'rollback-failed':
    case 'drill':
      return {
        ...base,
        severity: severityOf(kind),
        title: `${kind} on ${t}`,
        description: decision.detail,
        nextSteps: [cli(`status ${t}`)],
        keywords: [t, kind],
      };
  }
}

export function rollbackResultNotification(
  target: string,
  result: 'rollback-succeeded' | 'rollback-failed',
  rollback: ActiveRollback,
  at: Millis,
  why: string | undefined,
): Notification {
  const context = {
    kind: result,
    target,
    from: rollback.from,
    to: rollback.to,
    trigger: rollback.trigger,
    reason: rollback.reason,
    decisionId: rollback.decisionId,
    durationSeconds: String(Math.max(0, Math.round((at - rollback.claimedAt) / 1000))),
  };
  if (result === 'rollback-succeeded') {
    return {
      kind: result,
      severity: 'info',
      target,
      title: `Rolled back ${target} to ${rollback.to}`,
      description: `The rollback of ${target} from ${rollback.from} to ${rollback.to}, triggered by ${rollback.trigger}, completed after ${context.durationSeconds} s. ${rollback.from} is quarantined: it will never be a rollback target.`,
      nextSteps: [
        `Confirm ${rollback.trigger} returns to OK: ${cli(`status ${target}`)}`,
        `Fix ${rollback.from} before releasing again`,
      ],
      keywords: [target, result],
      context,
    };
  }
  return {
    kind: result,
    severity: 'high',
    target,
    title: `Rollback of ${target} to ${rollback.to} failed`,
    description: `The rollback of ${target} from ${rollback.from} to ${rollback.to}, triggered by ${rollback.trigger}, failed: ${why ?? 'unknown reason'}. Automatic action on ${target} is held until an operator resumes it.`,
    nextSteps: [
      `Inspect the service and its deployments: ${cli(`status ${target}`)}`,
      `Roll back by hand: ${cli(`rollback ${target} --to <version> --reason "<why>"`)}`,
      `Then re-enable automatic action: ${cli(`resume ${target}`)}`,
    ],
    keywords: [target, result],
    context: { ...context, why: why ?? '' },
  };
}

function describeAction(d: Decision): string {
  switch (d.action?.kind) {
    case 'stop':
      return `The watchdog stopped the in-progress deployment of ${d.from} with rollback; the service returns to ${d.to}.`;
    case 'redeploy':
      return `The watchdog is redeploying ${d.to}.`;
    case undefined:
      return '';
  }
}

function escalationSteps(d: Decision): string[] {
  const t = d.target;
  switch (d.reason) {
    case 'no-known-good':
      return [
        `Pick a version and roll back by hand: ${cli(`rollback ${t} --to <version> --reason "<why>"`)}`,
        `See the ledger: ${cli(`status ${t}`)}`,
      ];
    case 'rate-limited':
      return [
        `Review recent rollbacks: ${cli(`history ${t}`)}`,
        `Roll back by hand if needed: ${cli(`rollback ${t} --to <version> --reason "<why>"`)}`,
      ];
    default:
      // target-invalid, and any other reason a caller escalates.
      return [`Check that the service exists and the watchdog may act on it: ${cli(`status ${t}`)}`];
  }
}

function context(kind: NotificationKind, d: Decision): Record<string, string> {
  return {
    kind,
    target: d.target,
    ...(d.from ? { from: d.from } : {}),
    ...(d.to ? { to: d.to } : {}),
    trigger: d.trigger,
    reason: d.reason,
    outcome: d.outcome,
    decisionId: d.id,
  };
}

function severityOf(kind: NotificationKind): Severity {
  return kind === 'rollback-failed' || kind === 'escalation'
    ? 'high'
    : kind === 'rollback-started' || kind === 'approval-requested'
      ? 'warning'
      : 'info';
}
