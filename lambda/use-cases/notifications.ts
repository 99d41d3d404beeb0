import {
  CODEDEPLOY_CREATOR_PREFIX,
  WATCHDOG_SCOPE,
  type NextStep,
  type NotificationKind,
  type NotificationLink,
  type RuntimeGroup,
  type RuntimeTarget,
  type Severity,
} from '../contract';
import { formatNumber, formatPeriod } from '../channels/text';
import {
  isCreatorLabel,
  MINUTE,
  type ActiveRollback,
  type AlarmTransition,
  type Decision,
  type GroupHold,
  type LedgerEntry,
  type Millis,
  type Verification,
} from '../domain';
import type { KindFacts, Notification } from './ports';
import { incidentSummary } from './incident-summary';

/**
 * Builds the on-call messages (docs/architecture.md, "Notification messages") as typed values. Pure: the
 * channels (lambda/channels) render them, the Notifier adapter publishes them.
 *
 * Every message has the same four parts, in the order an engineer paged at night reads them (what fired,
 * what changed, what the watchdog did, what to do next, with the exact `npx rollback-watchdog` command), then
 * the links: the target's runbook first, then the console. Text is plain (no markdown): each channel formats.
 */

/** What the message builders need beyond the decision: the target's settings, and where it lives. */
export interface NotificationContext {
  readonly target: RuntimeTarget;
  /**
   * The watchdog's region (RuntimeConfig.region); the targets and alarms live there too.
   * @default - no console links
   */
  readonly region?: string;
  /**
   * The watchdog's CloudFormation stack, for the `--stack` of the commands in the message.
   * @default - commands without --stack (the CLI's default stack name)
   */
  readonly stack?: string;
  /**
   * The account the watchdog and its targets live in, named in every message's context.
   * @default - not named
   */
  readonly account?: string;
  /**
   * The target's known-good ledger, for when and by whom the version rolled back from was deployed.
   * @default - not said
   */
  readonly ledger?: readonly LedgerEntry[];
  /** What differs between `from` and `to` beyond the version names (ECS: container images), one line each. */
  readonly changes?: readonly string[];
  /**
   * The deploy freeze of a target that has one (`freeze` in its config), as it stood when the message was
   * built: rollback-started and rollback-succeeded say whether the stage transition is disabled.
   * @default - the target has no deploy freeze
   */
  readonly freeze?: FreezeStatus;
  /** The target kind's console links (UseCaseDeps.kinds). @default - the alarm's link only */
  readonly consoleLinks?: KindFacts['consoleLinks'];
}

/** Whether the pipeline stage transition into the target was disabled after its rollback. */
export interface FreezeStatus {
  readonly pipeline: string;
  readonly stage: string;
  readonly disabled: boolean;
  /** Why disabling failed, when it was just tried and failed. */
  readonly error?: string;
}

/** The CLI as the package installs it (`npx watchdog` outside a checkout is an unrelated package). */
export const CLI_BINARY = 'npx rollback-watchdog';

/** Data points shown in the reasonData sentence; older ones are summarised by a count. */
const MAX_DATAPOINTS = 10;

/** The announcement of a decision, or undefined when the decision is not announced (`notify` unset). */
export function decisionNotification(
  decision: Decision,
  transition: AlarmTransition | undefined,
  context?: NotificationContext,
): Notification | undefined {
  if (!decision.notify) return undefined;
  const kind = decision.notify;
  const t = decision.target;
  const change = changeOf(decision);
  const base = {
    kind,
    target: t,
    fired: firedText(decision, transition),
    changed: changedLines(decision, context),
    alarm: alarmToLink(decision, transition, context),
    deploymentRef: decision.action?.kind === 'stop' ? decision.action.deploymentRef : undefined,
    context: decisionContext(kind, decision),
  };
  const drillPrefix = decision.drill ? (decision.drill.live ? 'Live drill: ' : 'Drill: ') : '';

  switch (kind) {
    case 'rollback-started':
      return render(
        {
          ...base,
          severity: freezeFailed(context) ? 'high' : 'warning',
          title: `${drillPrefix}Rolling back ${t}: ${change}`,
          did: joinSentences(
            decision.detail,
            describeAction(decision),
            requestedBy(decision),
            freezeSentence(t, context),
          ),
          nextSteps: [
            step(`Watch the rollback`, cli(context, 'status', t)),
            step(`Stop any further automatic action`, cli(context, 'pause', t, '--reason', '"<why>"')),
            step(`See every decision on ${t}`, cli(context, 'history', t)),
            ...freezeSteps(t, context),
          ],
          keywords: [t, kind, decision.reason],
        },
        context,
      );
    case 'escalation':
      return render(
        {
          ...base,
          severity: 'high',
          title: `Action needed on ${t}: ${decision.reason}`,
          did: joinSentences(
            `Did not roll back: ${decision.detail}`,
            'The watchdog will not act on this on its own: a human must decide.',
            freezeSentence(t, context),
          ),
          nextSteps: [...escalationSteps(decision, context), ...freezeSteps(t, context)],
          keywords: [t, kind, decision.reason],
        },
        context,
      );
    case 'rollback-skipped':
      return render(
        decision.outcome === 'dry-run'
          ? {
              ...base,
              severity: 'info',
              title: `Dry run on ${t}: would roll back ${change}`,
              did: joinSentences(`Nothing, ${t} is in dry-run mode.`, decision.detail),
              nextSteps: [
                step(
                  `Roll back by hand`,
                  cli(context, 'rollback', t, '--to', decision.to ?? '<version>', '--reason', '"<why>"'),
                ),
                step(`Turn on automatic rollback: set "mode": "auto" for ${t} and redeploy the watchdog`),
                step(`See every decision on ${t}`, cli(context, 'history', t)),
              ],
              keywords: [t, kind, 'dry-run'],
            }
          : {
              ...base,
              severity: decision.reason === 'native-rollback-in-progress' ? 'info' : 'warning',
              title: `Not rolling back ${t}: ${decision.reason}`,
              did: `Did not roll back: ${decision.detail}`,
              nextSteps: skipSteps(decision, context),
              keywords: [t, kind, decision.reason],
            },
        context,
      );
    case 'approval-requested': {
      const expiry = approvalExpiry(decision, context);
      return render(
        {
          ...base,
          // A person has minutes to answer before the timeout decides for them: page, don't just inform.
          severity: 'high',
          title: `Approve rollback of ${t}: ${change}?`,
          did: joinSentences(`Asked for approval and changed nothing yet: ${decision.detail}`, expiry),
          nextSteps: [
            step(
              `Approve the rollback to ${decision.to ?? 'the known-good version'}`,
              cli(context, 'approve', t),
            ),
            step(
              `Roll back to another version instead`,
              cli(context, 'rollback', t, '--to', '<version>', '--reason', '"<why>"'),
            ),
            step(`Decline and keep ${t} as it is`, cli(context, 'pause', t, '--reason', '"<why>"')),
          ],
          keywords: [t, kind],
        },
        context,
      );
    }
    case 'drill':
      return render(
        {
          ...base,
          severity: 'info',
          title: drillTitle(decision, change),
          did: joinSentences(drillTiming(decision), decision.detail),
          nextSteps: [
            step(`Review the drill's decision`, cli(context, 'history', t)),
            step(`Check the target`, cli(context, 'status', t)),
          ],
          keywords: [t, kind, decision.outcome],
          context: {
            ...base.context,
            ...(decision.drill
              ? {
                  drillId: decision.drill.id,
                  drillLive: String(decision.drill.live),
                  alarmToDecisionMs: String(decision.drill.alarmToDecisionMs),
                }
              : {}),
          },
        },
        context,
      );
    case 'paused':
    case 'resumed':
    case 'warning':
    case 'group-rollback':
      // Announced by the pause and resume commands themselves (pauseNotification), by the retention guard
      // (retentionWarning) and by a release group's incident (groupNotification), never by a decision.
      return undefined;
    case 'rollback-succeeded':
    case 'rollback-failed':
      // Results are announced from the rollback record (rollbackResultNotification); a decision that asks
      // for one still gets a complete message.
      return render(
        {
          ...base,
          severity: kind === 'rollback-failed' ? 'high' : 'info',
          title: `${kind === 'rollback-failed' ? 'Rollback failed' : 'Rolled back'} on ${t}: ${change}`,
          did: decision.detail,
          nextSteps: [
            step(`Check the target`, cli(context, 'status', t)),
            step(`See what happened`, cli(context, 'history', t)),
          ],
          keywords: [t, kind],
        },
        context,
      );
  }
}

/** The announcement of a finished rollback, from the rollback's record. */
export function rollbackResultNotification(
  target: string,
  result: 'rollback-succeeded' | 'rollback-failed',
  rollback: ActiveRollback,
  at: Millis,
  why: string | undefined,
  context?: NotificationContext,
): Notification {
  const durationSeconds = Math.max(0, Math.round((at - rollback.claimedAt) / 1000));
  // A manual or approved rollback's trigger names the person, not an alarm: say so, and link the alarms.
  const byAlarm = context?.target.alarms.includes(rollback.trigger) ?? rollback.reason === 'alarm';
  const base = {
    kind: result,
    target,
    fired: byAlarm
      ? `${rollback.trigger} started this rollback (${rollback.reason}) at ${utc(rollback.claimedAt)}.`
      : `This rollback (${rollback.reason}: ${rollback.trigger}) started at ${utc(rollback.claimedAt)}.`,
    changed: [
      `${rollback.from} → ${rollback.to}`,
      ...releaseLines(rollback.from, context),
      ...(context?.changes ?? []).map((line) => `• ${line}`),
    ],
    alarm: byAlarm ? rollback.trigger : context?.target.alarms[0],
    deploymentRef: undefined,
    keywords: [target, result],
    context: {
      kind: result,
      target,
      from: rollback.from,
      to: rollback.to,
      trigger: rollback.trigger,
      reason: rollback.reason,
      decisionId: rollback.decisionId,
      durationSeconds: String(durationSeconds),
    },
  };
  if (result === 'rollback-succeeded') {
    const verification = context
      ? ` Its trigger alarms must now return to OK within ${context.target.policy.verificationTimeoutMinutes} minutes, or the watchdog escalates.`
      : '';
    return render(
      {
        ...base,
        severity: freezeFailed(context) ? 'high' : 'info',
        title: `Rolled back ${target} to ${rollback.to}`,
        did: joinSentences(
          `${rollbackResultSummary(target, result, rollback, at, why)} ${rollback.from} is quarantined: it will never be a rollback target.${verification}`,
          freezeSentence(target, context),
          `Incident so far: ${incidentSummary({
            target,
            from: rollback.from,
            to: rollback.to,
            ...(byAlarm ? { alarm: rollback.trigger } : {}),
            ...releasedAt(rollback.from, context),
            ...(rollback.transition ? { detectedAt: rollback.transition.timestamp } : {}),
            actedAt: rollback.claimedAt,
            completedAt: at,
            status: 'verifying',
          })}`,
        ),
        nextSteps: [
          byAlarm
            ? step(`Confirm ${rollback.trigger} returns to OK`, cli(context, 'status', target))
            : step(`Confirm the alarms of ${target} stay OK`, cli(context, 'status', target)),
          step(
            `Fix ${rollback.from} before releasing again; see every decision`,
            cli(context, 'history', target),
          ),
          ...freezeSteps(target, context),
          step('Read the incident report', reportCommand(context, target, rollback.decisionId)),
        ],
      },
      context,
    );
  }
  return render(
    {
      ...base,
      severity: 'high',
      title: `Rollback of ${target} to ${rollback.to} failed`,
      did: `${rollbackResultSummary(target, result, rollback, at, why)} Automatic action on ${target} is held until an operator resumes it.`,
      nextSteps: [
        step(`Inspect the target and its deployments (the links below)`, cli(context, 'status', target)),
        step(
          `Roll back by hand to a version that deploys; ${rollback.to} did not, so pick another from status`,
          cli(context, 'rollback', target, '--to', '<version>', '--reason', '"<why>"'),
        ),
        step(
          `If ${rollback.to} was not the problem (the failure was elsewhere), retry it`,
          cli(context, 'rollback', target, '--to', rollback.to, '--reason', '"<why>"'),
        ),
        step(`Then re-enable automatic action`, cli(context, 'resume', target)),
      ],
      context: { ...base.context, why: why ?? '' },
    },
    context,
  );
}

function freezeFailed(context: NotificationContext | undefined): boolean {
  return context?.freeze !== undefined && !context.freeze.disabled;
}

/** What the deploy freeze did, or undefined for a target without one. */
function freezeSentence(target: string, context: NotificationContext | undefined): string | undefined {
  const f = context?.freeze;
  if (!f) return undefined;
  const where = `the transition into stage ${f.stage} of pipeline ${f.pipeline}`;
  return f.disabled
    ? `Disabled ${where}: the pipeline delivers nothing to ${target} until an operator resumes it.`
    : `Could not disable ${where}${f.error ? ` (${withoutFinalPeriod(f.error)})` : ''}: the pipeline can deliver the bad release to ${target} again.`;
}

function freezeSteps(target: string, context: NotificationContext | undefined): NextStep[] {
  const f = context?.freeze;
  if (!f) return [];
  if (f.disabled) {
    return [
      step(
        `Once the release is fixed, lift the freeze and re-enable automatic action`,
        cli(context, 'resume', target),
      ),
    ];
  }
  const region = context?.region ? ` --region ${context.region}` : '';
  return [
    step(
      'Stop the pipeline by hand',
      `aws codepipeline disable-stage-transition --pipeline-name ${f.pipeline} --stage-name ${f.stage} --transition-type Inbound --reason "rollback of ${target}"${region}`,
    ),
  ];
}

/** A pause or its end, as the operator use case and the sweep report it. */
export interface PauseChange {
  readonly change: 'paused' | 'resumed';
  /** A target id, or undefined for the whole watchdog. */
  readonly target: string | undefined;
  /** The IAM principal behind the command, or `watchdog` when a pause given a duration ended by itself. */
  readonly by: string;
  readonly at: Millis;
  /** Why the pause was set (for `resumed`, the reason of the pause that ended). */
  readonly reason?: string;
  /** When a pause given a duration ends (paused), or ended (resumed). */
  readonly until?: Millis;
  /** What else the command did (a deploy freeze lifted), one sentence each. */
  readonly notes?: readonly string[];
  /** Set when a pause given a duration ended by itself (the sweep), not by a command. */
  readonly expired?: boolean;
}

/** Where the watchdog lives, for the commands in a message that concerns no single target. */
export type WatchdogLocation = Pick<NotificationContext, 'stack' | 'region' | 'account'>;

/**
 * `paused` and `resumed` (docs/decisions.md, "Notifications"): who, why, the scope and, for a pause given a
 * duration, when it ends, so nobody wonders at 3 a.m. why the watchdog did not act.
 */
export function pauseNotification(p: PauseChange, where: WatchdogLocation | undefined): Notification {
  // The `target` attribute of a message about the whole watchdog is its audit scope (filters can select it).
  const scope = p.target ?? WATCHDOG_SCOPE;
  const what = p.target ?? 'the whole watchdog (every target)';
  const targetArgs = p.target !== undefined ? [p.target] : [];
  const why = p.reason !== undefined && p.reason !== '' ? `: ${withoutFinalPeriod(p.reason)}` : '';
  const expired = p.change === 'resumed' && p.expired === true;
  const draft: Omit<Draft, 'severity' | 'title' | 'fired' | 'changed' | 'did' | 'nextSteps'> = {
    kind: p.change,
    target: scope,
    keywords: [scope, p.change],
    alarm: undefined,
    deploymentRef: undefined,
    context: {
      kind: p.change,
      target: scope,
      by: p.by,
      ...(p.reason !== undefined ? { reason: p.reason } : {}),
      ...(p.until !== undefined ? { until: new Date(p.until).toISOString() } : {}),
    },
  };
  if (p.change === 'paused') {
    const until =
      p.until !== undefined
        ? `until ${utc(p.until)} (the sweep resumes it then and says so), or until someone resumes it`
        : 'until someone resumes it';
    return render(
      {
        ...draft,
        // Turning the safety net off is worth a look, never a page.
        severity: 'warning',
        title: `Paused ${p.target ?? 'the whole watchdog'}: no automatic rollback ${p.until !== undefined ? `until ${utc(p.until)}` : 'until resumed'}`,
        fired: `${p.by} paused ${what}${why}.`,
        changed: [`automatic action on ${what} is held ${until}`],
        did: `Holds every automatic action on ${what}: alarm rollbacks and approval timeouts. Alarms are still decided and audited (skip: paused), and each new incident is announced once. Operators can still approve and roll back by hand.`,
        nextSteps: [
          step(`Resume automatic action`, cli(where, 'resume', ...targetArgs)),
          step(`See what the watchdog holds back`, cli(where, 'status', ...targetArgs)),
        ],
      },
      undefined,
    );
  }
  return render(
    {
      ...draft,
      severity: 'info',
      title: `Resumed ${p.target ?? 'the whole watchdog'}: automatic rollback is on again`,
      fired: expired
        ? `The pause of ${what}${why} ended at ${utc(p.until ?? p.at)}, as it was set to.`
        : `${p.by} resumed ${what}.`,
      changed: [`automatic action on ${what} is on again`, ...(p.notes ?? [])],
      did: joinSentences(
        `Alarms decided while paused are forgotten, so an alarm still in ALARM is decided again by the next sweep.`,
        ...(p.notes ?? []).map((n) => `${n.charAt(0).toUpperCase()}${n.slice(1)}.`),
      ),
      nextSteps: [
        step(`Check the targets`, cli(where, 'status', ...targetArgs)),
        step(`Pause again if needed`, cli(where, 'pause', ...targetArgs, '--reason', '"<why>"')),
      ],
    },
    undefined,
  );
}

/** What the retention guard found about one known-good version (see RetentionRisk). */
export interface RetentionFinding {
  readonly version: string;
  readonly risk: 'gone' | 'expiring' | 'at-risk';
  readonly details: readonly string[];
}

/**
 * `warning` from the retention guard (docs/decisions.md, "Before it acts"): known-good versions a rollback
 * would need are gone, or a retention policy is about to delete what they need. Sent once per version, long
 * before an incident, so that the team keeps (or restores) enough history.
 */
export function retentionWarning(
  findings: readonly RetentionFinding[],
  context: NotificationContext,
): Notification {
  const t = context.target.id;
  const gone = findings.filter((f) => f.risk === 'gone');
  const versions = findings.map((f) => f.version);
  const title =
    gone.length === findings.length
      ? `${t}: known-good ${plural(findings.length, 'version')} ${versions.join(', ')} can no longer be deployed`
      : `${t}: known-good ${plural(findings.length, 'version')} ${versions.join(', ')} about to lose what a rollback needs`;
  return render(
    {
      kind: 'warning',
      target: t,
      severity: 'warning',
      title,
      fired: `The watchdog's check of the versions ${t} would roll back to found a problem, before any incident.`,
      changed: findings.flatMap((f) => f.details.map((d) => `${f.version} (${RISK_WORDS[f.risk]}): ${d}`)),
      did: `Nothing changed. A rollback passes over a version that cannot be deployed and goes to the next older known-good one; with none left it does not roll back (target-version-unavailable) and escalates. This warning is sent once per version.`,
      nextSteps: [
        step(`See the known-good ledger and each version's check`, cli(context, 'status', t)),
        step(
          `Keep what known-good versions need: exclude their images from the repository's lifecycle policy (tag them, or raise the count), or push them again`,
        ),
      ],
      keywords: [t, 'warning', 'retention', ...versions],
      context: { kind: 'warning', target: t, versions: versions.join(',') },
      alarm: undefined,
      deploymentRef: undefined,
    },
    context,
  );
}

/** A quarantine some regions have not confirmed (lambda/domain/quarantine.ts). */
export interface UnconfirmedQuarantine {
  readonly version: string;
  readonly decisionId: string;
  readonly awaiting: readonly string[];
  readonly attempts: number;
  /** Minutes since it was decided. */
  readonly minutes: number;
  /** No more retries: EventBridge's own retry limit has passed. */
  readonly givenUp: boolean;
}

/**
 * A version this region rolled back whose quarantine other regions have not confirmed: they may still serve it,
 * or deploy it, without knowing. Sent once when the report time passes, and once more if it is given up.
 */
export function quarantineUnconfirmed(q: UnconfirmedQuarantine, context: NotificationContext): Notification {
  const t = context.target.id;
  const regions = q.awaiting.join(', ');
  return render(
    {
      kind: 'warning',
      target: t,
      severity: 'high',
      title: `${t}: ${regions} ${q.awaiting.length === 1 ? 'has' : 'have'} not confirmed the quarantine of ${q.version}`,
      fired: `${t} was rolled back from ${q.version} here ${q.minutes} minutes ago, and the quarantine of ${q.version} sent to the other regions has no receipt from ${regions} after ${q.attempts} ${q.attempts === 1 ? 'attempt' : 'attempts'}.`,
      changed: q.awaiting.map((r) => `${r}: no receipt for quarantine ${q.decisionId}`),
      did: q.givenUp
        ? `Nothing more: the watchdog has stopped sending it (EventBridge keeps an event at most a day). ${regions} may serve or deploy ${q.version} without knowing it was rolled back here.`
        : `The quarantine is sent again every few minutes until each region confirms it. Until then ${regions} may serve or deploy ${q.version} without knowing it was rolled back here.`,
      nextSteps: [
        step(
          `Check ${regions} yourself: is ${q.version} serving or deploying there? Roll it back there by hand if so`,
          cli({ ...context, region: q.awaiting[0] }, 'status', t),
        ),
        step(`Look at the dead-letter queue and the version bus rules of this stack for delivery failures`),
      ],
      keywords: [t, 'warning', 'quarantine', q.version, ...q.awaiting],
      context: { kind: 'warning', target: t, versions: q.version },
      alarm: undefined,
      deploymentRef: undefined,
    },
    context,
  );
}

/** One member's part in a group rollback, for the incident's message. */
export type GroupMemberOutcome =
  | { readonly member: string; readonly outcome: 'decided'; readonly decision: Decision }
  | {
      readonly member: string;
      readonly outcome: 'failed';
      readonly detail: string;
      readonly decision?: Decision;
    }
  | { readonly member: string; readonly outcome: 'not-attempted' }
  /** Decided by a concurrent delivery of the same alarm transition (this invocation saw a duplicate). */
  | {
      readonly member: string;
      readonly outcome: 'concurrent';
      readonly rolledBack: boolean;
      readonly from?: string;
      readonly to?: string;
    };

export interface GroupIncident {
  readonly group: RuntimeGroup;
  readonly incident: string;
  /** The member whose alarm started it, and the alarm. */
  readonly trigger: string;
  readonly alarm: string;
  /** Every member of the release, in the order they were taken. */
  readonly outcomes: readonly GroupMemberOutcome[];
  /** The member whose failure ended the order (`onMemberFailure: "stop"`). */
  readonly stoppedAt?: string;
  /** The group's own cooldown or rate limit held the rest of the release back. */
  readonly held?: GroupHold;
}

/**
 * `group-rollback`: one message per incident of a release group, listing every member's outcome in the order
 * they were taken (docs/decisions.md, "Release groups"). Each member's own decision is announced as usual too.
 * High severity when a member failed, or a member that received the release was not rolled back.
 */
export function groupNotification(g: GroupIncident, context: NotificationContext): Notification {
  const id = g.group.id;
  const rolled = g.outcomes.filter(
    (o) =>
      (o.outcome === 'decided' && (o.decision.outcome === 'rollback' || o.decision.outcome === 'dry-run')) ||
      (o.outcome === 'concurrent' && o.rolledBack),
  );
  const failed = g.outcomes.filter((o) => o.outcome === 'failed');
  const left = g.outcomes.filter(
    (o) =>
      o.outcome === 'not-attempted' ||
      (o.outcome === 'decided' && o.decision.outcome === 'skip') ||
      (o.outcome === 'concurrent' && !o.rolledBack),
  );
  const line = (o: GroupMemberOutcome): string => {
    switch (o.outcome) {
      case 'decided': {
        const d = o.decision;
        const change = d.from && d.to ? ` ${d.from} → ${d.to}` : d.from ? ` (runs ${d.from})` : '';
        return `${o.member}: ${d.outcome} (${d.reason})${change}`;
      }
      case 'failed':
        return `${o.member}: FAILED: ${o.detail}`;
      case 'concurrent':
        return o.rolledBack
          ? `${o.member}: rollback (group)${o.from && o.to ? ` ${o.from} → ${o.to}` : ''}, by a concurrent delivery of the same alarm`
          : `${o.member}: decided by a concurrent delivery of the same alarm, not rolled back (see its own message)`;
      case 'not-attempted':
        return g.held
          ? `${o.member}: not attempted (the group is held: ${g.held.reason})`
          : `${o.member}: not attempted (the order stopped after ${g.stoppedAt ?? 'a failure'})`;
    }
  };
  const severity = failed.length > 0 || left.length > 0 ? 'high' : 'warning';
  const notAttempted = g.outcomes.filter((o) => o.outcome === 'not-attempted').map((o) => o.member);
  const members = g.outcomes.map((o) => o.member);
  const triggerAfterStop =
    g.stoppedAt !== undefined && members.indexOf(g.trigger) > members.indexOf(g.stoppedAt);
  const title = g.held
    ? `Group ${id}: ${g.trigger} decided alone, the group is ${g.held.reason === 'cooldown' ? 'in its cooldown' : 'at its rate limit'}`
    : g.stoppedAt !== undefined
      ? `Group ${id}: rollback of the release stopped, ${failed.map((o) => o.member).join(', ')} failed`
      : `Group ${id}: rolling back the release on ${rolled.length} of ${g.outcomes.length} members${
          failed.length > 0 ? `; ${failed.map((o) => o.member).join(', ')} failed` : ''
        }`;
  return render(
    {
      kind: 'group-rollback',
      target: id,
      severity,
      title,
      fired: `${g.alarm} fired on ${g.trigger}, a member of release group ${id}; every member that received the same release is rolled back with it (incident ${g.incident}).`,
      changed: g.outcomes.map(line),
      did: g.held
        ? `Did not roll back the rest of the release: ${g.held.detail}. ${g.trigger}, whose own alarm fired, was decided as it would be without the group; the other members were not touched.`
        : `Took the members one after another in the group's order (${g.outcomes.map((o) => o.member).join(', ')}), each through its own claim: ` +
          `${rolled.length} rolled back${left.length > 0 ? `, ${left.length} not rolled back` : ''}${failed.length > 0 ? `, ${failed.length} failed` : ''}.` +
          (g.stoppedAt !== undefined
            ? ` The group stops at the first failure (onMemberFailure "stop"), ${g.stoppedAt}: ${
                notAttempted.length > 0
                  ? `${notAttempted.join(', ')} ${notAttempted.length === 1 ? 'was' : 'were'} not touched`
                  : 'no member was left'
              }${triggerAfterStop ? `; ${g.trigger}, whose own alarm fired, was decided as it would be without the group` : ''}.`
            : ''),
      nextSteps: [
        ...g.outcomes
          .filter(
            (o) =>
              (o.outcome === 'decided' && o.decision.outcome === 'skip') ||
              o.outcome === 'failed' ||
              o.outcome === 'not-attempted' ||
              (o.outcome === 'concurrent' && !o.rolledBack),
          )
          .map((o) =>
            step(
              `Check ${o.member} and roll it back by hand if it needs it`,
              cli(context, 'status', o.member),
            ),
          ),
        step(`Follow the members' rollbacks`, cli(context, 'status', g.trigger)),
      ],
      keywords: [id, 'group', 'rollback', ...g.outcomes.map((o) => o.member)],
      context: {
        kind: 'group-rollback',
        target: id,
        group: id,
        incident: g.incident,
        trigger: g.trigger,
        members: g.outcomes.map((o) => o.member).join(','),
      },
      alarm: undefined,
      deploymentRef: undefined,
    },
    context,
  );
}

const RISK_WORDS: Readonly<Record<RetentionFinding['risk'], string>> = {
  gone: 'gone',
  expiring: 'expires within a day',
  'at-risk': 'at risk',
};

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}

/** One sentence on a finished rollback, short enough for the audit log and `watchdog history`. */
export function rollbackResultSummary(
  target: string,
  result: 'rollback-succeeded' | 'rollback-failed',
  rollback: ActiveRollback,
  at: Millis,
  why: string | undefined,
): string {
  const durationSeconds = Math.max(0, Math.round((at - rollback.claimedAt) / 1000));
  const what = `The rollback of ${target} from ${rollback.from} to ${rollback.to}, triggered by ${rollback.trigger},`;
  return result === 'rollback-succeeded'
    ? `${what} completed after ${durationSeconds} s.`
    : `${what} failed: ${withoutFinalPeriod(why ?? 'unknown reason')}.`;
}

/**
 * The escalation when a completed rollback did not cure the alarm: a trigger alarm was still in ALARM at the
 * verification deadline. Rolling back again would only oscillate, so a human decides.
 *
 * @param why what the check found, as a clause (`checkout-5xx still in ALARM 15 minutes after …`)
 * @param stillInAlarm the trigger alarms found not OK (ALARM, INSUFFICIENT_DATA or missing), if known; the first is linked
 */
export function verificationFailedNotification(
  target: string,
  verification: Verification,
  why: string,
  context?: NotificationContext,
  stillInAlarm: readonly string[] = [],
): Notification {
  const t = target;
  const timeout = context ? ` (${context.target.policy.verificationTimeoutMinutes}-minute verification)` : '';
  return render(
    {
      kind: 'escalation',
      target: t,
      severity: 'high',
      title: `Action needed on ${t}: the rollback to ${verification.to} is unverified (a trigger alarm is not OK)`,
      fired: `${withoutFinalPeriod(why)}; the deadline was ${utc(verification.deadline)}${timeout}.`,
      changed: [`${verification.from} → ${verification.to}, completed at ${utc(verification.completedAt)}`],
      did: joinSentences(
        `Rolled back from ${verification.from} to ${verification.to}, but not every trigger alarm was OK by the deadline (ALARM: the release was probably not the cause; INSUFFICIENT_DATA: the metric stopped reporting, so recovery is unproven). Automatic action on ${t} is held: a human must decide.`,
        `Incident: ${incidentSummary({
          target: t,
          from: verification.from,
          to: verification.to,
          ...(context?.target.alarms.includes(verification.trigger) ? { alarm: verification.trigger } : {}),
          ...releasedAt(verification.from, context),
          actedAt: verification.startedAt,
          completedAt: verification.completedAt,
          status: 'unverified',
        })}`,
      ),
      nextSteps: [
        step(`Look at the target and its alarms`, cli(context, 'status', t)),
        step(`See every decision on ${t}`, cli(context, 'history', t)),
        step(
          `Roll back further by hand if a release is to blame`,
          cli(context, 'rollback', t, '--to', '<version>', '--reason', '"<why>"'),
        ),
        step(`Once the cause is fixed, re-enable automatic action`, cli(context, 'resume', t)),
        step('Read the incident report', reportCommand(context, t, verification.decisionId)),
      ],
      keywords: [t, 'escalation', 'rollback-unverified'],
      alarm: stillInAlarm[0] ?? verification.trigger,
      deploymentRef: undefined,
      context: {
        kind: 'escalation',
        target: t,
        from: verification.from,
        to: verification.to,
        trigger: verification.trigger,
        reason: 'rollback-unverified',
        decisionId: verification.decisionId,
        why,
        ...(stillInAlarm.length > 0 ? { alarmsNotOk: stillInAlarm.join(', ') } : {}),
      },
    },
    context,
  );
}

/**
 * One sentence from an alarm's `reasonData` (CloudWatch's JSON): the recent data points, the statistic and
 * period they were taken over and the threshold for a metric alarm; the alarms that triggered a composite
 * alarm. Undefined when there is nothing usable (absent, not JSON, or a shape CloudWatch may add later).
 */
export function describeReasonData(reasonData: string | undefined): string | undefined {
  if (!reasonData) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(reasonData);
  } catch {
    return undefined;
  }
  if (!isObject(data)) return undefined;

  if (Array.isArray(data['triggeringAlarms'])) {
    const names = data['triggeringAlarms'].flatMap((a: unknown) => {
      if (!isObject(a) || typeof a['arn'] !== 'string') return [];
      const name = alarmNameFromArn(a['arn']);
      const state =
        isObject(a['state']) && typeof a['state']['value'] === 'string' ? a['state']['value'] : '';
      return [state ? `${name} (${state})` : name];
    });
    return names.length > 0 ? `Composite alarm triggered by ${names.join(', ')}.` : undefined;
  }

  const points = Array.isArray(data['recentDatapoints'])
    ? data['recentDatapoints'].filter((p: unknown): p is number => typeof p === 'number')
    : undefined;
  const threshold = typeof data['threshold'] === 'number' ? data['threshold'] : undefined;
  if (points === undefined && threshold === undefined) return undefined;

  const statistic =
    typeof data['statistic'] === 'string'
      ? data['statistic']
      : typeof data['extendedStatistic'] === 'string'
        ? data['extendedStatistic']
        : undefined;
  const period = typeof data['period'] === 'number' && data['period'] > 0 ? data['period'] : undefined;
  const over = [statistic, period !== undefined ? `per ${formatPeriod(period)}` : undefined]
    .filter(Boolean)
    .join(' ');
  const shown = points?.slice(-MAX_DATAPOINTS) ?? [];
  const earlier = points && points.length > shown.length ? ` (last ${shown.length} of ${points.length})` : '';
  const datapoints =
    points === undefined
      ? undefined
      : points.length === 0
        ? 'no recent data points'
        : `recent data points${over ? ` (${over})` : ''}${earlier}: ${shown.map(formatNumber).join(', ')}`;
  const parts = [
    datapoints,
    threshold !== undefined ? `threshold ${formatNumber(threshold)}` : undefined,
  ].filter((p): p is string => p !== undefined);
  const sentence = parts.join('; ');
  return `${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}.`;
}

/**
 * Console links for a message: the alarm, the target's deployments (the CodeDeploy deployment itself when its
 * id is known) and, for ECS, the service's logs. CodeDeploy targets get no logs link: their logs live wherever
 * the deployed application writes them, which the watchdog does not know.
 */
export function consoleLinks(options: {
  readonly region: string;
  readonly target: RuntimeTarget;
  readonly alarm?: string;
  readonly deploymentRef?: string;
  /** The kind's own links (lambda/kinds): its console pages. @default - the alarm's only */
  readonly kindLinks?: KindFacts['consoleLinks'];
}): NotificationLink[] {
  const { region, target } = options;
  const links: NotificationLink[] = [];
  if (options.alarm) {
    links.push({
      label: `Alarm ${options.alarm}`,
      url: `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#alarmsV2:alarm/${encodeURIComponent(options.alarm)}`,
    });
  }
  if (options.kindLinks) links.push(...options.kindLinks(target, region, options.deploymentRef));
  return links;
}

interface Draft {
  readonly kind: NotificationKind;
  readonly target: string;
  readonly severity: Severity;
  readonly title: string;
  readonly fired: string;
  readonly changed: readonly string[];
  readonly did: string;
  /** The first step is repeated in the description as "What to do next", so it carries the command. */
  readonly nextSteps: readonly NextStep[];
  readonly keywords: readonly string[];
  readonly context: Readonly<Record<string, string>>;
  readonly alarm: string | undefined;
  readonly deploymentRef: string | undefined;
}

function render(draft: Draft, context: NotificationContext | undefined): Notification {
  const runbook = context?.target.runbookUrl;
  const links: NotificationLink[] = [
    ...(runbook !== undefined
      ? [{ label: `Runbook for ${context?.target.id ?? draft.target}`, url: runbook }]
      : []),
    ...(context?.region
      ? consoleLinks({
          region: context.region,
          target: context.target,
          ...(draft.alarm !== undefined ? { alarm: draft.alarm } : {}),
          ...(draft.deploymentRef !== undefined ? { deploymentRef: draft.deploymentRef } : {}),
          ...(context.consoleLinks !== undefined ? { kindLinks: context.consoleLinks } : {}),
        })
      : []),
  ];
  return {
    kind: draft.kind,
    severity: draft.severity,
    target: draft.target,
    title: draft.title,
    fired: draft.fired,
    changed: draft.changed,
    did: draft.did,
    nextSteps:
      draft.nextSteps.length > 0
        ? draft.nextSteps
        : [step('Check the target', cli(context, 'status', draft.target))],
    links,
    keywords: unique(draft.keywords),
    // Where the message came from, for filters and for whoever reads it outside the console.
    context: {
      ...draft.context,
      ...(context?.account !== undefined ? { account: context.account } : {}),
      ...(context?.region !== undefined ? { region: context.region } : {}),
      ...(context?.stack !== undefined ? { stack: context.stack } : {}),
      ...(runbook !== undefined ? { runbook } : {}),
    },
  };
}

/** A next step with the command to paste. */
function step(text: string, command?: string): NextStep {
  return command !== undefined ? { text, command } : { text };
}

function firedText(decision: Decision, transition: AlarmTransition | undefined): string {
  if (decision.drill && transition) {
    return joinSentences(
      `${transition.alarmName} was forced to ${transition.value} by drill ${decision.drill.id}.`,
      describeReasonData(transition.reasonData),
    );
  }
  if (transition) {
    const reason = transition.reason.trim();
    return joinSentences(
      `${transition.alarmName} went to ${transition.value}${reason ? `: ${withoutFinalPeriod(reason)}` : ''}.`,
      describeReasonData(transition.reasonData),
    );
  }
  switch (decision.reason) {
    case 'manual':
      return `${decision.by ?? 'An operator'} asked for a rollback (trigger: ${decision.trigger}).`;
    case 'approved':
      return `${decision.by ?? 'An operator'} approved the rollback that ${decision.trigger} asked for.`;
    case 'approval-expired':
    case 'approval-timeout':
      return `${decision.trigger} asked for a rollback that nobody approved in time.`;
    default:
      return `${decision.trigger} (${decision.reason}).`;
  }
}

function changedLines(decision: Decision, context: NotificationContext | undefined): string[] {
  const { from, to } = decision;
  // Only a rollback changes anything: a skip or a dry run says what runs and what it would have run.
  if (from && to && decision.outcome !== 'rollback') {
    return [
      `nothing; ${decision.target} still runs ${from} (a rollback would go to ${to})`,
      ...releaseLines(from, context),
      ...(context?.changes ?? []).map((line) => `• ${line}`),
    ];
  }
  if (from && to)
    return [
      `${from} → ${to}`,
      ...releaseLines(from, context),
      ...(context?.changes ?? []).map((line) => `• ${line}`),
    ];
  if (from) return [`nothing; ${decision.target} still runs ${from}.`, ...releaseLines(from, context)];
  return [];
}

/**
 * When and by whom `version` was deployed, as the ledger knows it: one line, or none when it knows neither.
 * The principal is CloudTrail's (the assumed-role session names the person or the pipeline) or CodeDeploy's
 * own `creator`.
 */
/** When `version` started deploying, as the ledger says, for an incident summary. */
function releasedAt(version: string, context: NotificationContext | undefined): { releasedAt?: Millis } {
  const startedAt = context?.ledger?.find((e) => e.version === version)?.startedAt;
  return startedAt !== undefined ? { releasedAt: startedAt } : {};
}

function releaseLines(version: string, context: NotificationContext | undefined): string[] {
  const entry = context?.ledger?.find((e) => e.version === version);
  if (!entry || (entry.startedAt === undefined && entry.deployedBy === undefined)) return [];
  const when = entry.startedAt !== undefined ? ` at ${utc(entry.startedAt)}` : '';
  const by = entry.deployedBy;
  // A CodeDeploy creator is a category (`user`, `CloudFormation`), not a principal: said as such.
  const who =
    by === undefined
      ? ''
      : isCreatorLabel(by)
        ? ` (${by.slice(CODEDEPLOY_CREATOR_PREFIX.length)}, as CodeDeploy's creator; no CloudTrail principal seen)`
        : ` by ${by}`;
  return [`• ${version} was deployed${when}${who}`];
}

/** The trigger is linked only when it is one of the target's alarms (operator triggers are not alarms). */
function alarmToLink(
  decision: Decision,
  transition: AlarmTransition | undefined,
  context: NotificationContext | undefined,
): string | undefined {
  if (transition) return transition.alarmName;
  return context?.target.alarms.includes(decision.trigger) ? decision.trigger : undefined;
}

function changeOf(d: Decision): string {
  return d.from && d.to ? `${d.from} → ${d.to}` : (d.from ?? d.to ?? 'no version change');
}

function describeAction(d: Decision): string {
  switch (d.action?.kind) {
    case 'stop':
      return `Stopped the in-progress deployment of ${d.from ?? 'the new version'} with rollback: the platform restores ${d.to ?? 'the previous version'}.`;
    case 'redeploy': {
      const { fastTrack, replays, version } = d.action;
      if (fastTrack) {
        const own = fastTrack.skips.settings ?? fastTrack.skips.strategy;
        const skipped =
          fastTrack.skips.minutes > 0
            ? `, which would take at least ${minutesText(fastTrack.skips.minutes)} of steps and bakes`
            : '';
        return `Started a deployment of ${version} on the fast track, as ${fastTrack.settings}, instead of under the service's own ${own}${skipped}. The service's own deployment settings are restored once the rollback has ended.`;
      }
      if (replays) {
        return `Started a deployment of ${version} under the service's own ${replays.settings ?? replays.strategy}: at least ${minutesText(replays.minutes)} of steps and bakes before the rollback completes (lifecycle hooks and task start-up come on top).`;
      }
      return `Started a deployment of ${version}.`;
    }
    case 'replace':
      return `Stopped the in-progress deployment of ${d.from ?? 'the new version'} without the platform's rollback (it would have restored a version that never proved itself) and started a deployment of ${d.action.version}.`;
    case undefined:
      return '';
  }
}

/** `55 min`, or `2 h 5 min` from two hours on. */
function minutesText(minutes: number): string {
  if (minutes < 120) return `${minutes} min`;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

function requestedBy(d: Decision): string {
  switch (d.reason) {
    case 'manual':
      return d.by ? `Requested by ${d.by}.` : '';
    case 'approved':
      return d.by ? `Approved by ${d.by}.` : '';
    default:
      return '';
  }
}

function approvalExpiry(d: Decision, context: NotificationContext | undefined): string {
  if (!context) return '';
  const { approvalTimeoutMinutes, approvalTimeoutAction } = context.target.policy;
  const expiresAt = d.at + approvalTimeoutMinutes * MINUTE;
  const then =
    approvalTimeoutAction === 'rollback'
      ? `the watchdog rolls back to ${d.to ?? 'the known-good version'} by itself`
      : 'the request expires and nothing is rolled back';
  return `If nobody approves by ${utc(expiresAt)} (${approvalTimeoutMinutes} minutes), ${then}.`;
}

function drillTitle(d: Decision, change: string): string {
  const who = `${d.drill?.live ? 'Live drill' : 'Drill'} on ${d.target}`;
  switch (d.outcome) {
    case 'dry-run':
      return `${who}: would roll back ${change}`;
    case 'rollback':
      return `${who}: rolled back ${change}`;
    case 'approval-requested':
      return `${who}: would ask for approval to roll back ${change}`;
    case 'skip':
      return `${who}: would not roll back (${d.reason})`;
  }
}

function drillTiming(d: Decision): string {
  if (!d.drill) return 'Decided as a rehearsal.';
  const mode = d.drill.live
    ? 'a live drill, acted on as a real incident'
    : 'a rehearsal, nothing was changed';
  return `Decided ${d.outcome} (${d.reason}) ${d.drill.alarmToDecisionMs} ms after the alarm changed state; ${mode}.`;
}

function skipSteps(d: Decision, context: NotificationContext | undefined): NextStep[] {
  const t = d.target;
  const byHand = step(
    `Roll back by hand if the release is to blame`,
    cli(context, 'rollback', t, '--to', d.to ?? '<version>', '--reason', '"<why>"'),
  );
  switch (d.reason) {
    case 'native-rollback-in-progress':
      return [
        step(`Watch the platform's own rollback`, cli(context, 'status', t)),
        step(`See every decision`, cli(context, 'history', t)),
      ];
    case 'cooldown':
      return [step(`Check whether the alarm clears`, cli(context, 'status', t)), byHand];
    case 'paused':
      // The pause holds automatic action only: a person can still act, or lift it.
      return [
        byHand,
        step(`Resume automatic action if it is safe now`, cli(context, 'resume', t)),
        step(`See every decision`, cli(context, 'history', t)),
      ];
    default:
      // alarm-predates-deploy, outside-watch-window, and any other notable skip: the alarm is not blamed on
      // a release, so the first step is to look, then act by hand if the watchdog was wrong.
      return [
        step(`Look at the target and its alarms`, cli(context, 'status', t)),
        byHand,
        step(`See every decision`, cli(context, 'history', t)),
      ];
  }
}

function escalationSteps(d: Decision, context: NotificationContext | undefined): NextStep[] {
  const t = d.target;
  const resume = step(`When it is safe, re-enable automatic action`, cli(context, 'resume', t));
  switch (d.reason) {
    case 'no-known-good':
      return [
        step(
          `Pick a version and roll back by hand`,
          cli(context, 'rollback', t, '--to', '<version>', '--reason', '"<why>"'),
        ),
        step(`See the known-good ledger`, cli(context, 'status', t)),
      ];
    case 'target-version-unavailable':
      // What a rollback needs is gone from the platform: put it back, or go forward.
      return [
        step(
          `Restore what the detail names (push the image again under the same digest or tag, register the revision again), then roll back by hand`,
          cli(context, 'rollback', t, '--to', d.to ?? '<version>', '--reason', '"<why>"'),
        ),
        step(`Or roll forward with a fix`),
        step(`See the known-good ledger and what each version's check found`, cli(context, 'status', t)),
      ];
    case 'schema-incompatible':
      // The database moved on with the bad release's migration: the way out is forward, not back.
      return [
        step(
          `Roll forward with a fix: deploy a version that runs on the migrated database (the detail names the migration)`,
        ),
        step(`See the known-good ledger`, cli(context, 'status', t)),
        step(
          `Only if the database was migrated back: roll back by hand`,
          cli(context, 'rollback', t, '--to', d.to ?? '<version>', '--reason', '"<why>"', '--force'),
        ),
      ];
    case 'rate-limited':
      return [
        step(`Review the recent rollbacks`, cli(context, 'history', t)),
        step(
          `Roll back by hand if needed`,
          cli(context, 'rollback', t, '--to', d.to ?? '<version>', '--reason', '"<why>"'),
        ),
        resume,
      ];
    case 'approval-expired':
      return [
        step(
          `Roll back now if it is still needed`,
          cli(context, 'rollback', t, '--to', d.to ?? '<version>', '--reason', '"<why>"'),
        ),
        step(`Look at the target and its alarms`, cli(context, 'status', t)),
      ];
    case 'paused':
      // An approval that ran out while paused: the pause held the rollback the policy would have made.
      return [
        step(
          `Roll back by hand if it is still needed (a pause does not stop you)`,
          cli(context, 'rollback', t, '--to', d.to ?? '<version>', '--reason', '"<why>"'),
        ),
        step(`Look at the target and its alarms`, cli(context, 'status', t)),
        resume,
      ];
    case 'target-invalid':
      return [
        step(`Check that the target exists and the watchdog may act on it`, cli(context, 'status', t)),
        step(`See every decision on ${t}`, cli(context, 'history', t)),
        resume,
      ];
    default:
      return [
        step(`Look at the target`, cli(context, 'status', t)),
        step(`See every decision on ${t}`, cli(context, 'history', t)),
      ];
  }
}

function decisionContext(kind: NotificationKind, d: Decision): Record<string, string> {
  return {
    kind,
    target: d.target,
    ...(d.from ? { from: d.from } : {}),
    ...(d.to ? { to: d.to } : {}),
    trigger: d.trigger,
    reason: d.reason,
    outcome: d.outcome,
    decisionId: d.id,
    ...(d.by ? { by: d.by } : {}),
    ...(d.group ? { group: d.group } : {}),
    ...(d.incident ? { incident: d.incident } : {}),
  };
}

/**
 * The exact command to type. Target ids are `[a-z0-9-]+`, but versions (CodeDeploy revisions) may hold any
 * character, so an argument a shell would split or expand is single-quoted. Placeholders (`<version>`,
 * `"<why>"`) are left for the reader to replace.
 */
/**
 * A command to paste (docs/architecture.md, "Notification messages"): the package's own binary, with the
 * stack and region the message came from, so it reaches the right watchdog from any directory and any default
 * region.
 */
/** The exact command that prints an incident's report (`watchdog report <target> --incident <id>`). */
export function reportCommand(
  context: Pick<NotificationContext, 'stack' | 'region'> | undefined,
  target: string,
  incident: string,
): string {
  return cli(context, 'report', target, '--incident', incident);
}

function cli(context: Pick<NotificationContext, 'stack' | 'region'> | undefined, ...args: string[]): string {
  const where = [
    ...(context?.stack !== undefined ? ['--stack', context.stack] : []),
    ...(context?.region !== undefined ? ['--region', context.region] : []),
  ];
  return `${CLI_BINARY} ${[...args, ...where].map(shellArg).join(' ')}`;
}

function shellArg(arg: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) || /^"?<[a-z]+>"?$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

function joinSentences(...parts: (string | undefined)[]): string {
  return parts
    .map((p) => p?.trim())
    .filter((p): p is string => !!p)
    .join(' ');
}

function withoutFinalPeriod(text: string): string {
  return text.trim().replace(/\.+$/, '');
}

/** `2026-03-01 10:15:00 UTC`: unambiguous for a reader in any time zone. */
function utc(ms: Millis): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

function alarmNameFromArn(arn: string): string {
  const marker = ':alarm:';
  const i = arn.indexOf(marker);
  return i >= 0 ? arn.slice(i + marker.length) : arn;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values.filter((v) => v.length > 0))];
}
