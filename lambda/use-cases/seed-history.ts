import type { RuntimeTarget } from '../contract';
import type { LiveTarget, TargetState } from '../domain';
import type { UseCaseDeps } from './deps';

/** How far back the first look at a target reads its deployment history. */
export const HISTORY_DAYS = 30;
const DAY_MS = 24 * 60 * 60_000;

/**
 * The live view, with the target's deployment history added when the target has never been seen (its
 * ledger is not seeded yet) and its platform shows only the latest deployments (CodeDeploy). The revisions
 * that served before, including one whose events were all lost, then seed the ledger as known-good. One extra
 * read, once per target in its lifetime; the sweep normally takes it before any alarm needs it.
 */
export async function withHistory(
  deps: UseCaseDeps,
  target: RuntimeTarget,
  stored: TargetState | undefined,
  live: LiveTarget,
): Promise<LiveTarget> {
  const deployer = deps.deployerFor(target);
  if (live.kind !== 'ok' || stored?.seeded === true || !deployer.history) return live;
  const history = await deployer.history(target, deps.clock.now() - HISTORY_DAYS * DAY_MS);
  const known = new Set([live.latest?.id, ...live.previous.map((d) => d.id)]);
  const older = history.filter((d) => !known.has(d.id));
  if (older.length === 0) return live;
  return {
    ...live,
    previous: [...live.previous, ...older].sort((a, b) => b.startedAt - a.startedAt),
  };
}
