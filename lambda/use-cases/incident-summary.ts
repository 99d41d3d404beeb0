import { formatDuration, type IncidentReport } from '../contract';

export { formatDuration };
import type { Millis } from '../domain';

/**
 * An incident's one-line summary and its three durations (docs/architecture.md, "Incident reports"): the same
 * line heads `watchdog report` and ends the rollback's notification, which builds it from what it knows
 * without reading the audit.
 */

/** The durations and moments a summary line is made of (also what the rollback's notification knows). */
export interface IncidentFacts {
  readonly target: string;
  readonly from?: string;
  readonly to?: string;
  readonly alarm?: string;
  /** What started it when no alarm did: `manual by <principal>`, `quarantine from <region>`. */
  readonly cause?: string;
  readonly releasedAt?: Millis;
  readonly detectedAt?: Millis;
  readonly actedAt?: Millis;
  readonly completedAt?: Millis;
  readonly recoveredAt?: Millis;
  readonly status: IncidentReport['status'];
  /** For `not-rolled-back`: what the watchdog did instead (`dry-run`, `skip: paused`, …). */
  readonly instead?: string;
}

/** The incident's three durations, from its moments. */
export function incidentTimes(f: IncidentFacts): IncidentReport['times'] {
  const span = (a: Millis | undefined, b: Millis | undefined) =>
    a !== undefined && b !== undefined && b >= a ? b - a : undefined;
  const detectMs = span(f.releasedAt, f.detectedAt);
  const actMs = span(f.detectedAt, f.actedAt);
  const recoverMs = span(f.detectedAt, f.recoveredAt);
  return {
    ...(detectMs !== undefined ? { detectMs } : {}),
    ...(actMs !== undefined ? { actMs } : {}),
    ...(recoverMs !== undefined ? { recoverMs } : {}),
  };
}

/**
 * The one-line summary: what happened, then detect / act / recover. The same line ends the rollback's
 * notification and heads the report.
 */
export function incidentSummary(f: IncidentFacts): string {
  const times = incidentTimes(f);
  const what =
    f.status === 'not-rolled-back'
      ? `${f.target}: ${f.alarm ?? 'an alarm'} fired on ${f.from ?? 'its version'}; not rolled back (${f.instead ?? 'no rollback decided'})`
      : `${f.target}: ${f.from ?? '?'} → ${f.to ?? '?'}${f.alarm ? ` after ${f.alarm} fired` : f.cause ? ` (${f.cause})` : ''}, ${STATUS_WORDS[f.status]}`;
  const parts = [
    `detected in ${times.detectMs !== undefined ? formatDuration(times.detectMs) : 'n/a'}`,
    ...(f.status === 'not-rolled-back'
      ? []
      : [`acted in ${times.actMs !== undefined ? formatDuration(times.actMs) : 'n/a'}`]),
    ...(f.status === 'not-rolled-back'
      ? []
      : [
          `recovered in ${times.recoverMs !== undefined ? formatDuration(times.recoverMs) : `n/a (${STATUS_WORDS[f.status]})`}`,
        ]),
  ];
  return `${what}; ${parts.join(', ')}.`;
}

const STATUS_WORDS: Readonly<Record<IncidentReport['status'], string>> = {
  recovered: 'recovered',
  'rolling-back': 'rolling back',
  verifying: 'rolled back, verifying',
  unverified: 'rolled back but unverified',
  failed: 'rollback failed',
  'not-rolled-back': 'not rolled back',
};
