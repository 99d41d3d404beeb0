import type { RuntimeTarget } from '../contract';
import {
  findEntry,
  policyMs,
  rollbackCandidates,
  VIABILITY_MAX_AGE_MS,
  versionsDueForViability,
  withViability,
  type TargetState,
  type Viability,
} from '../domain';
import { annotateLedger } from './apply-to-target';
import type { UseCaseDeps } from './deps';
import { describe } from './report';

/** Versions checked per call off the alarm path: the candidate and the fallback after it. */
export const VIABILITY_READS = 2;
/** When a release starts, its rollback target's check may be this old; older, it is checked again. */
export const RELEASE_VIABILITY_MAX_AGE_MS = 5 * 60_000;

type ViabilityRead = Omit<Viability, 'checkedAt'>;

/**
 * The viability preflight off the alarm path (lambda/domain/viability.ts): asks the platform whether the known-
 * good versions a rollback would go to can still be deployed, for those not checked lately, concurrently, and
 * records the answers on the ledger. Called by the deployment handler when a release starts (its rollback
 * target is then checked before anything can go wrong) and by the sweep (for versions that became known-good
 * since, and every VIABILITY_MAX_AGE_MS). Never throws: a version that could not be checked keeps its previous
 * answer and is checked again next time. Returns the state as stored afterwards, and the versions checked.
 */
export async function checkViability(
  deps: UseCaseDeps,
  target: RuntimeTarget,
  state: TargetState | undefined,
  limit: number = VIABILITY_READS,
  /** Checks older than this are asked again (the deployment handler asks sooner than the sweep). */
  maxAgeMs: number = VIABILITY_MAX_AGE_MS,
): Promise<{ state: TargetState | undefined; checked: readonly string[] }> {
  const deployer = deps.deployerFor(target);
  if (!state || !deployer.viability) return { state, checked: [] };
  const now = deps.clock.now();
  const versions = versionsDueForViability(
    state.ledger,
    undefined,
    now,
    policyMs(target.policy).bakeMs,
    limit,
    maxAgeMs,
  );
  if (versions.length === 0) return { state, checked: [] };
  const read = await Promise.allSettled(
    versions.map((v) => {
      const entry = findEntry(state.ledger, v);
      return deployer.viability!(target, v, {
        ...(entry?.artifact !== undefined ? { artifact: entry.artifact } : {}),
        ...(entry?.viability?.recheck !== undefined ? { recheck: entry.viability.recheck } : {}),
      });
    }),
  );
  const learned: [string, ViabilityRead][] = [];
  read.forEach((r, i) => {
    if (r.status === 'fulfilled') {
      learned.push([versions[i], r.value]);
      logFinding(deps, target, versions[i], r.value);
    } else {
      deps.telemetry.log('warn', 'could not check whether a known-good version can be deployed; later', {
        target: target.id,
        version: versions[i],
        error: describe(r.reason),
      });
    }
  });
  const stored = await recordViability(deps, target, state, learned);
  return { state: stored, checked: learned.map(([v]) => v) };
}

/** Whether any of the target's known-good versions is due a check (no live read needed to tell). */
export function viabilityDue(
  deps: UseCaseDeps,
  target: RuntimeTarget,
  state: TargetState | undefined,
): boolean {
  return (
    state !== undefined &&
    deps.deployerFor(target).viability !== undefined &&
    versionsDueForViability(state.ledger, undefined, deps.clock.now(), policyMs(target.policy).bakeMs, 1)
      .length > 0
  );
}

/** Records checks on the ledger (one conditional write); on a failed write the state as it was. */
export async function recordViability(
  deps: UseCaseDeps,
  target: RuntimeTarget,
  state: TargetState,
  learned: readonly (readonly [string, ViabilityRead])[],
): Promise<TargetState> {
  if (learned.length === 0) return state;
  return annotateLedger(
    deps,
    target,
    state,
    (ledger, now) => {
      let next = ledger;
      for (const [version, read] of learned) next = withViability(next, version, read, now);
      return next;
    },
    'could not record viability checks; checked again later',
  );
}

function logFinding(deps: UseCaseDeps, target: RuntimeTarget, version: string, read: ViabilityRead): void {
  if (!read.runnable) {
    deps.telemetry.log('warn', 'a known-good version can no longer be deployed', {
      target: target.id,
      version,
      missing: read.missing ?? [],
    });
  } else if (read.unchecked?.length) {
    deps.telemetry.log('info', 'parts of a known-good version could not be checked', {
      target: target.id,
      version,
      unchecked: read.unchecked,
    });
  }
}

/** A re-check started on the alarm path: its answer, once (and only if) it has come. */
export interface Recheck {
  readonly version: string;
  /** Set when the platform answered; undefined while in flight, or when the re-check failed. */
  answer?: ViabilityRead;
}

/**
 * The alarm path's re-check (docs/decisions.md, "Before it acts"): the version a rollback would go to, as the
 * stored ledger says (the newest entry taken as running), asked again with the stored check's `recheck` so
 * that every call is concurrent. Started as soon as the stored state is loaded, while the live read is still
 * in flight; the caller uses the answer only if it has come by the time the reads are done, so the re-check
 * never adds a round trip to the path. Undefined when there is nothing to re-check.
 */
export function startRecheck(
  deps: UseCaseDeps,
  target: RuntimeTarget,
  stored: TargetState | undefined,
): Recheck | undefined {
  const deployer = deps.deployerFor(target);
  const running = stored?.ledger[0]?.version;
  if (!stored || !deployer.viability || running === undefined) return undefined;
  const { candidate } = rollbackCandidates(
    stored.ledger,
    running,
    deps.clock.now(),
    policyMs(target.policy).bakeMs,
  );
  if (!candidate) return undefined;
  const recheck: Recheck = { version: candidate.version };
  deployer
    .viability(target, candidate.version, {
      ...(candidate.artifact !== undefined ? { artifact: candidate.artifact } : {}),
      ...(candidate.viability?.recheck !== undefined ? { recheck: candidate.viability.recheck } : {}),
    })
    .then(
      (answer) => {
        recheck.answer = answer;
        logFinding(deps, target, candidate.version, answer);
      },
      (error: unknown) =>
        deps.telemetry.log('warn', 'could not re-check the rollback target before deciding', {
          target: target.id,
          version: candidate.version,
          error: describe(error),
        }),
    );
  return recheck;
}

/** `stored` with the re-check's answer on its ledger, when it has come; otherwise `stored` as it is. */
export function withRecheck(
  stored: TargetState | undefined,
  recheck: Recheck | undefined,
  now: number,
): TargetState | undefined {
  if (!stored || !recheck?.answer) return stored;
  return { ...stored, ledger: withViability(stored.ledger, recheck.version, recheck.answer, now) };
}
