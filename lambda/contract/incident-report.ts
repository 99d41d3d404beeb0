/**
 * The incident report (`watchdog report`, `watchdog simulate --report`, README "Incident reports"): one
 * incident of one target as the audit log recorded it, with the three durations on-call reviews after every
 * rollback. The operator function builds it from the audit and the ledger; the CLI renders it as text,
 * Markdown, JSON (this shape) or a self-contained HTML page.
 */

/** One moment of the incident, oldest first. */
export interface IncidentEvent {
  readonly at: string;
  readonly kind:
    | 'release'
    | 'alarm'
    | 'decision'
    | 'call'
    | 'rollback-completed'
    | 'rollback-failed'
    | 'verified'
    | 'unverified'
    | 'operator'
    | 'alarm-ok';
  /** One line, as the timeline shows it. */
  readonly title: string;
  readonly detail?: string;
  readonly outcome?: string;
  readonly reason?: string;
  /** The principal behind an operator's command or decision (IAM ARN, or `slack:T…/U…`). */
  readonly by?: string;
  /** The decision this moment belongs to. */
  readonly decisionId?: string;
  /** The alarm a transition or decision is about. */
  readonly alarm?: string;
}

/** Skips that repeated during the incident, grouped by reason (duplicates, cooldown, superseded, …). */
export interface SkippedGroup {
  readonly reason: string;
  readonly count: number;
  readonly first: string;
  readonly last: string;
}

/** Which version served from when (for the timeline picture); `until` is absent for the one still serving. */
export interface ServingSpan {
  readonly version: string;
  readonly from: string;
  readonly until?: string;
  /** The version rolled back from (bad) or to (known-good). */
  readonly role: 'released' | 'rolled-back-to' | 'other';
}

/** One alarm's state over the incident, as the audited transitions say it. */
export interface AlarmBand {
  readonly alarm: string;
  readonly state: string;
  readonly from: string;
  readonly until?: string;
}

export interface IncidentReport {
  /** The id of the decision that opened the incident (a release group's incident id for a group rollback). */
  readonly incident: string;
  readonly target: string;
  readonly region?: string;
  /** One line: what happened and the three durations, as the rollback's notification ends with it. */
  readonly summary: string;
  /** How it ended, in one word. */
  readonly status: 'recovered' | 'rolling-back' | 'verifying' | 'unverified' | 'failed' | 'not-rolled-back';
  /** The release the alarm fired on: the version, when it started and completed, who deployed it. */
  readonly release?: {
    readonly version: string;
    readonly startedAt?: string;
    readonly completedAt?: string;
    readonly deployedBy?: string;
    readonly deploymentId?: string;
  };
  /** The first ALARM of the incident: which alarm, when CloudWatch changed its state, and why. */
  readonly firstAlarm?: {
    readonly alarm: string;
    readonly at: string;
    readonly reason?: string;
    readonly threshold?: number;
    readonly datapoints?: readonly number[];
  };
  readonly rollback?: {
    readonly decisionId: string;
    readonly from?: string;
    readonly to?: string;
    readonly reason: string;
    readonly decidedAt: string;
    readonly by?: string;
    readonly action?: string;
    readonly completedAt?: string;
    readonly verifiedAt?: string;
    readonly failedAt?: string;
  };
  /**
   * Time to detect: release start → first ALARM. Time to act: first ALARM → rollback decided (the call follows
   * at once). Time to recover: first ALARM → every trigger alarm OK again after the rollback (verified), the
   * span TimeToRecoverySeconds measures. Milliseconds; absent when the audit cannot say.
   */
  readonly times: {
    readonly detectMs?: number;
    readonly actMs?: number;
    readonly recoverMs?: number;
  };
  readonly timeline: readonly IncidentEvent[];
  readonly skipped: readonly SkippedGroup[];
  readonly serving: readonly ServingSpan[];
  readonly alarms: readonly AlarmBand[];
  /** The pipeline stage frozen after the rollback, and whether it was resumed within the incident. */
  readonly freeze?: { readonly pipeline: string; readonly stage: string; readonly resumedAt?: string };
  readonly links: readonly { readonly label: string; readonly url: string }[];
  /** From the release (or the first alarm) to the incident's last audited moment. */
  readonly window: { readonly start: string; readonly end: string };
  /** The command that prints this report again. */
  readonly command: string;
}

/** What the operator's `report` command returns: the chosen incident, and the others the audit holds. */
export interface ReportResult {
  readonly report?: IncidentReport;
  /** Every incident found (oldest first), so that `--incident` can name another. */
  readonly incidents: readonly { readonly incident: string; readonly at: string; readonly summary: string }[];
}

/** A duration as the report and the notifications say it: `4m 10s`, `2s`, `1h 5m`, `850ms`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return m > 0 ? `${h}h ${m}m` : `${h}h`;
  if (m > 0) return s > 0 ? `${m}m ${s}s` : `${m}m`;
  return `${s}s`;
}
