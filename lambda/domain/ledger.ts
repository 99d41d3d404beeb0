import { CODEDEPLOY_CREATOR_PREFIX, LEDGER_MAX_ENTRIES, RETENTION } from '../contract';
import type { DeploymentPrincipal, LedgerEntry, LiveOk, Millis, TargetState } from './model';
import { databaseSchema, schemaSafe, withSchemaFacts, type DatabaseSchema } from './schema';

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

/**
 * The newest known-good version other than `current` that can still be deployed (the viability preflight,
 * lambda/domain/viability.ts) and runs on the database as it is (the schema gate, lambda/domain/schema.ts): the
 * only version the watchdog may roll back to by itself.
 */
export function rollbackCandidate(
  ledger: readonly LedgerEntry[],
  current: string,
  now: Millis,
  bakeMs: Millis,
): LedgerEntry | undefined {
  return rollbackCandidates(ledger, current, now, bakeMs).candidate;
}

/** The candidate with what the decision rules say about it: every known-good version and the database. */
export interface RollbackCandidates {
  /** Every known-good version other than `current`, newest first, whatever the schema gate says. */
  readonly knownGood: readonly LedgerEntry[];
  /** `knownGood` without the versions the platform said cannot be deployed again (LedgerEntry.viability). */
  readonly viable: readonly LedgerEntry[];
  /** The database's schema level as the ledger knows it (undefined: no version declares one). */
  readonly db: DatabaseSchema | undefined;
  /** The newest of `viable` that passes the schema gate. */
  readonly candidate: LedgerEntry | undefined;
}

export function rollbackCandidates(
  ledger: readonly LedgerEntry[],
  current: string,
  now: Millis,
  bakeMs: Millis,
): RollbackCandidates {
  const knownGood = ledger
    .filter((e) => e.version !== current && isKnownGood(e, now, bakeMs))
    .sort((a, b) => recency(b) - recency(a));
  // Never checked, or checked without a verdict, counts as viable: only a platform's "gone" passes one over.
  const viable = knownGood.filter((e) => e.viability?.runnable !== false);
  const db = databaseSchema(ledger);
  return { knownGood, viable, db, candidate: viable.find((e) => schemaSafe(e, db)) };
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
  // Who deployed names one deployment: a new deployment of the same version starts without a name.
  const redeployed =
    patch.deploymentId !== undefined &&
    existing?.deploymentId !== undefined &&
    patch.deploymentId !== existing.deploymentId;
  const merged: LedgerEntry = {
    ...(existing && redeployed ? withoutDeployer(existing) : existing),
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

function withoutDeployer(entry: LedgerEntry): LedgerEntry {
  const { deployedBy: _previous, ...rest } = entry;
  return rest;
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
  ledger = nameDeployersFromLive(ledger, live);
  for (const d of [live.latest, ...live.previous]) {
    if (d?.declaredSchema) ledger = withSchemaFacts(ledger, d.version, d.declaredSchema, now);
  }
  const reconciled = ledger === state.ledger && state.seeded ? state : { ...state, ledger, seeded: true };
  return settlePrincipals(reconciled, now);
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

/**
 * Who deployed (LedgerEntry.deployedBy) is annotation only: it is written in place, never through upsertEntry,
 * so the ledger keeps its order and every field the engine decides on. CloudTrail's record of the call and the
 * deployment event that creates the ledger entry arrive in either order (docs/reliability.md, "Who deployed"):
 * a record that comes first waits in `pendingPrincipals` rather than creating an entry, which would be an
 * in-progress version the engine would reason about, and is applied when the entry appears
 * (`settlePrincipals`, run by every reconcile with the live view and after every deployment event).
 */
const PENDING_PRINCIPALS_MAX = 10;
/** EventBridge retries a delivery for up to a day: a deployment event later than that is not coming. */
const PENDING_PRINCIPALS_MS = 24 * 60 * 60_000;
/** Deployment transitions (and CloudTrail records) remembered per target; older ones by `handledUntil`. */
const MAX_HANDLED_DEPLOYMENTS = 50;
const HANDLED_DEPLOYMENTS_MS = RETENTION.transitionDays * 24 * 60 * 60_000;

/** Whether the deployment transition or call with dedupe key `key` was already applied to the target. */
export function isHandledDeployment(state: Pick<TargetState, 'handledDeployments'>, key: string): boolean {
  return (state.handledDeployments ?? []).some((h) => h.key === key);
}

/** `state` remembering `key` as applied at `now`, the list pruned by age and bounded in length. */
export function withHandledDeployment(state: TargetState, key: string, now: Millis): TargetState {
  const seen = state.handledDeployments ?? [];
  return {
    ...state,
    handledDeployments: [{ key, at: now }, ...seen.filter((h) => now - h.at < HANDLED_DEPLOYMENTS_MS)].slice(
      0,
      MAX_HANDLED_DEPLOYMENTS,
    ),
  };
}

/** Whether `by` is CodeDeploy's `creator` rather than a principal CloudTrail named. */
export function isCreatorLabel(by: string): boolean {
  return by.startsWith(CODEDEPLOY_CREATOR_PREFIX);
}

/**
 * Folds the CloudTrail record of a deployment call (deduplicated on `key`, CloudTrail's eventID) into the
 * target's state: it names who deployed the entries of its deployment, or waits for them. The same state when
 * nothing changed, so the caller skips the write.
 */
export function recordDeploymentCall(
  state: TargetState,
  call: { readonly key: string; readonly principal: DeploymentPrincipal },
  now: Millis,
): TargetState {
  if (isHandledDeployment(state, call.key)) return state;
  const { ledger, matched } = nameDeployer(state.ledger, call.principal);
  const waiting = (state.pendingPrincipals ?? []).filter((p) => now - p.at < PENDING_PRINCIPALS_MS);
  return withPending(
    { ...withHandledDeployment(state, call.key, now), ledger },
    matched || now - call.principal.at >= PENDING_PRINCIPALS_MS ? waiting : [...waiting, call.principal],
  );
}

/**
 * Applies the principals waiting for an entry that now exists, and forgets those that waited too long. The
 * same state when nothing changed.
 */
export function settlePrincipals(state: TargetState, now: Millis): TargetState {
  const pending = state.pendingPrincipals;
  if (pending === undefined || pending.length === 0) return state;
  let ledger = state.ledger;
  const waiting: DeploymentPrincipal[] = [];
  for (const principal of pending) {
    if (now - principal.at >= PENDING_PRINCIPALS_MS) continue;
    const named = nameDeployer(ledger, principal);
    ledger = named.ledger;
    if (!named.matched) waiting.push(principal);
  }
  if (ledger === state.ledger && waiting.length === pending.length) return state;
  return withPending({ ...state, ledger }, waiting);
}

/** What the platform itself says about who created its deployments (CodeDeploy's `creator`). */
function nameDeployersFromLive(ledger: readonly LedgerEntry[], live: LiveOk): readonly LedgerEntry[] {
  let named = ledger;
  for (const d of [...(live.latest ? [live.latest] : []), ...live.previous]) {
    if (d.deployedBy === undefined) continue;
    named = nameDeployer(named, {
      deploymentId: d.id,
      version: d.version,
      by: d.deployedBy,
      at: d.startedAt,
    }).ledger;
  }
  return named;
}

/**
 * Names `principal.by` on the entries of its deployment, in place. A principal CloudTrail named replaces
 * CodeDeploy's creator label; otherwise the first name given to a deployment stays (a later call that only
 * touched the same deployment did not deploy it). `matched`: some entry is about that deployment.
 */
function nameDeployer(
  ledger: readonly LedgerEntry[],
  principal: DeploymentPrincipal,
): { ledger: readonly LedgerEntry[]; matched: boolean } {
  let matched = false;
  let changed = false;
  const next = ledger.map((e) => {
    if (!isAbout(e, principal)) return e;
    matched = true;
    if (!outranks(principal.by, e.deployedBy)) return e;
    changed = true;
    return { ...e, deployedBy: principal.by };
  });
  return { ledger: changed ? next : ledger, matched };
}

/** The entry records the deployment the principal started: same deployment id and version, where named. */
function isAbout(entry: LedgerEntry, principal: DeploymentPrincipal): boolean {
  if (principal.deploymentId === undefined && principal.version === undefined) return false;
  return (
    (principal.deploymentId === undefined || entry.deploymentId === principal.deploymentId) &&
    (principal.version === undefined || entry.version === principal.version)
  );
}

function outranks(by: string, existing: string | undefined): boolean {
  return existing === undefined || (existing !== by && isCreatorLabel(existing) && !isCreatorLabel(by));
}

function withPending(state: TargetState, pending: readonly DeploymentPrincipal[]): TargetState {
  const { pendingPrincipals: _previous, ...rest } = state;
  return pending.length === 0 ? rest : { ...rest, pendingPrincipals: pending.slice(-PENDING_PRINCIPALS_MAX) };
}
