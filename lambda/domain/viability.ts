import { rollbackCandidates } from './ledger';
import type { LedgerEntry, Millis, Viability } from './model';

/**
 * The viability preflight (docs/decisions.md, "Before it acts"): a known-good version is only worth rolling back
 * to while it can still be deployed. The platform is asked off the alarm path (the deployment handler when a
 * release starts, the sweep for versions not checked lately) and the answer is kept on the ledger entry with its
 * time; the alarm path re-checks the candidate concurrently with its first read, and otherwise decides on the
 * stored answer. A version never checked, or whose check could not tell, counts as runnable: the preflight
 * only ever passes over a version the platform said is gone.
 */

/** How old a stored check may be before the sweep asks again: retention policies run about daily. */
export const VIABILITY_MAX_AGE_MS = 60 * 60_000;
/**
 * Known-good versions kept checked per target, newest first: the candidate and the fallbacks after it. Older
 * ones are checked when they move up (a newer one was tainted or found gone).
 */
export const VIABILITY_DEPTH = 3;

/** Whether the platform said the version cannot be deployed again. */
export function unavailable(entry: LedgerEntry): boolean {
  return entry.viability?.runnable === false;
}

/** Why `entry` cannot be deployed again, in one clause for a decision's detail. */
export function unavailableDetail(entry: LedgerEntry): string {
  const missing = entry.viability?.missing ?? [];
  const checked = entry.viability ? ` (checked ${new Date(entry.viability.checkedAt).toISOString()})` : '';
  return `${entry.version} cannot be deployed again: ${missing.length > 0 ? missing.join('; ') : 'the platform reports it missing'}${checked}`;
}

/**
 * The known-good versions whose viability is to be (re)checked now, newest first, at most `limit`: among the
 * `VIABILITY_DEPTH` newest known-good versions other than `current`, those never checked first, then those
 * whose check is older than `maxAgeMs`. `current` may be undefined (the deployment handler before a read):
 * then the newest entry counts as current.
 */
export function versionsDueForViability(
  ledger: readonly LedgerEntry[],
  current: string | undefined,
  now: Millis,
  bakeMs: Millis,
  limit: number,
  maxAgeMs: Millis = VIABILITY_MAX_AGE_MS,
): string[] {
  const knownGood = withinReach(ledger, current, now, bakeMs);
  const never = knownGood.filter((e) => e.viability === undefined);
  const stale = knownGood.filter((e) => e.viability !== undefined && now - e.viability.checkedAt >= maxAgeMs);
  return [...never, ...stale].slice(0, limit).map((e) => e.version);
}

/**
 * The known-good versions a rollback could go to: the VIABILITY_DEPTH newest other than `current` (the newest
 * entry when `current` is undefined), whatever their checks say. What the preflight and the retention guard watch.
 */
export function withinReach(
  ledger: readonly LedgerEntry[],
  current: string | undefined,
  now: Millis,
  bakeMs: Millis,
): readonly LedgerEntry[] {
  const running = current ?? ledger[0]?.version;
  if (running === undefined) return [];
  return rollbackCandidates(ledger, running, now, bakeMs).knownGood.slice(0, VIABILITY_DEPTH);
}

/** The ledger with the check of `version` recorded on its entry (unchanged when there is no such entry). */
export function withViability(
  ledger: readonly LedgerEntry[],
  version: string,
  read: Omit<Viability, 'checkedAt'>,
  now: Millis,
): readonly LedgerEntry[] {
  if (!ledger.some((e) => e.version === version)) return ledger;
  return ledger.map((e) => (e.version === version ? { ...e, viability: { ...read, checkedAt: now } } : e));
}

/** The ledger with `version` marked as warned about by the retention guard. */
export function withRetentionWarning(
  ledger: readonly LedgerEntry[],
  version: string,
  now: Millis,
): readonly LedgerEntry[] {
  return ledger.map((e) => (e.version === version ? { ...e, retentionWarnedAt: now } : e));
}
