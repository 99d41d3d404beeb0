import { LEDGER_MAX_ENTRIES } from '../contract';
import type { LedgerEntry, LiveOk, Millis, TargetState } from './model';

/** A version is known-good once it completed and served the bake time untainted, or was proven before. */
export function isKnownGood(entry: LedgerEntry | undefined, now: Millis, bakeMs: Millis): boolean {
  if (!entry || entry.taintedAt !== undefined) return false;
  if (entry.proven) return true;
  // Baked means *served* the bake time: a version replaced earlier never finished its bake.
  const servedUntil = Math.min(now, entry.servedUntil ?? now);
  return (
    entry.status === 'completed' &&
    entry.bakePending !== true &&
    entry.completedAt !== undefined &&
    entry.completedAt + bakeMs < servedUntil
  );
}

export function findEntry(ledger: readonly LedgerEntry[], version: string): LedgerEntry | undefined {
  return ledger.find((e) => e.version === version);
}

/** The newest known-good version other than `current`: the only version the watchdog may roll back to. */
export function rollbackCandidate(
  ledger: readonly LedgerEntry[],
  current: string,
  now: Millis,
  bakeMs: Millis,
): LedgerEntry | undefined {
  return ledger
    .filter((e) => e.version !== current && isKnownGood(e, now, bakeMs))
    .sort((a, b) => recency(b) - recency(a))[0];
}

function recency(e: LedgerEntry): Millis {
  return e.completedAt ?? e.startedAt ?? 0;
}

/**
 * Inserts or updates the entry for `version` and moves it to the front. A version that is known-good at
 * the moment it is touched keeps that proof; a tainted version stays tainted.
 */
export function upsertEntry(
  ledger: readonly LedgerEntry[],
  version: string,
  patch: Partial<Omit<LedgerEntry, 'version'>>,
  now: Millis,
  bakeMs: Millis,
): LedgerEntry[] {
  const existing = findEntry(ledger, version);
  const proven = existing?.proven || isKnownGood(existing, now, bakeMs) || patch.proven;
  const merged: LedgerEntry = {
    ...existing,
    ...patch,
    version,
    status: patch.status ?? existing?.status ?? 'in-progress',
    ...(proven ? { proven: true } : {}),
    ...(existing?.taintedAt !== undefined
      ? { taintedAt: existing.taintedAt, taintReason: existing.taintReason }
      : {}),
  };
  // Unchanged: keep the ledger (and its order) as it is, so the caller can skip a no-op write.
  if (existing && sameEntry(existing, merged)) return ledger as LedgerEntry[];
  return [merged, ...ledger.filter((e) => e.version !== version)].slice(0, LEDGER_MAX_ENTRIES);
}

function sameEntry(a: LedgerEntry, b: LedgerEntry): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)] as (keyof LedgerEntry)[]);
  return [...keys].every((k) => a[k] === b[k]);
}

/** Marks `version` as never to be rolled back to, unless it had already proven itself. */
export function taint(
  ledger: readonly LedgerEntry[],
  version: string,
  reason: string,
  now: Millis,
  bakeMs: Millis,
  {
    evenIfProven = false,
    judgedAt = now,
  }: {
    evenIfProven?: boolean;
    /** When the evidence happened (an alarm's start): a version proven only later is still tainted. */
    judgedAt?: Millis;
  } = {},
): readonly LedgerEntry[] {
  const existing = findEntry(ledger, version);
  if (!existing || existing.taintedAt !== undefined) return ledger;
  if (!evenIfProven && isKnownGood(existing, judgedAt, bakeMs)) return ledger;
  return ledger.map((e) => (e.version === version ? { ...e, taintedAt: now, taintReason: reason } : e));
}

/**
 * Folds what the service reports into the ledger. The first time a target is seen, versions that already
 * served count as known-good (docs/decisions.md, "Known-good ledger"); the newest one only once it has baked.
 */
export function reconcileWithLive(
  state: TargetState,
  live: LiveOk,
  now: Millis,
  bakeMs: Millis,
): TargetState {
  let ledger = state.ledger;
  if (!state.seeded) {
    for (const d of [...live.previous].reverse()) {
      if (d.state === 'completed' && !findEntry(ledger, d.version)) {
        ledger = upsertEntry(
          ledger,
          d.version,
          {
            status: 'completed',
            startedAt: d.startedAt,
            completedAt: d.completedAt,
            deploymentId: d.id,
            proven: true,
            ...artifactOf(d),
          },
          now,
          bakeMs,
        );
      }
    }
  }
  const latest = live.latest;
  if (latest) {
    const existing = findEntry(ledger, latest.version);
    const seededProof =
      !state.seeded &&
      latest.state === 'completed' &&
      latest.completedAt !== undefined &&
      latest.completedAt + bakeMs <= now;
    const sameDeployment = existing?.deploymentId === latest.id;
    const unchanged = sameDeployment && existing?.status === latest.state;
    if (!unchanged) {
      ledger = upsertEntry(
        ledger,
        latest.version,
        {
          status: latest.state,
          deploymentId: latest.id,
          startedAt: sameDeployment ? (existing?.startedAt ?? latest.startedAt) : latest.startedAt,
          ...(latest.completedAt !== undefined
            ? {
                completedAt: sameDeployment
                  ? (existing?.completedAt ?? latest.completedAt)
                  : latest.completedAt,
              }
            : {}),
          ...(seededProof ? { proven: true } : {}),
          ...artifactOf(latest),
        },
        now,
        bakeMs,
      );
      if (latest.state === 'in-progress')
        ledger = supersede(ledger, latest.version, latest.startedAt, now, bakeMs);
    }
  } else if (!findEntry(ledger, live.currentVersion) && !state.seeded) {
    ledger = upsertEntry(ledger, live.currentVersion, { status: 'completed', proven: true }, now, bakeMs);
  }
  return ledger === state.ledger && state.seeded ? state : { ...state, ledger, seeded: true };
}

/** The ledger keeps how each version was deployed, so that a rollback can deploy it again exactly. */
function artifactOf(d: { readonly artifact?: string }): { artifact?: string } {
  return d.artifact !== undefined ? { artifact: d.artifact } : {};
}

/**
 * A deployment of `version` started at `at`: every other version that had not proven itself stops serving
 * then, so its bake (time served with no trigger alarm) ends there.
 */
export function supersede(
  ledger: readonly LedgerEntry[],
  version: string,
  at: Millis,
  now: Millis,
  bakeMs: Millis,
): readonly LedgerEntry[] {
  const replaced = (e: LedgerEntry) =>
    e.version !== version &&
    e.status === 'completed' &&
    e.servedUntil === undefined &&
    !isKnownGood(e, now, bakeMs);
  return ledger.some(replaced) ? ledger.map((e) => (replaced(e) ? { ...e, servedUntil: at } : e)) : ledger;
}
