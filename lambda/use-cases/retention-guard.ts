import { METRIC, type RuntimeTarget } from '../contract';
import {
  isKnownGood,
  policyMs,
  VIABILITY_DEPTH,
  withRetentionWarning,
  type LedgerEntry,
  type TargetState,
} from '../domain';
import { applyToTarget } from './apply-to-target';
import type { UseCaseDeps } from './deps';
import { retentionWarning, type RetentionFinding } from './notifications';
import { reportContext } from './claim-act-record';
import { describe } from './report';

/**
 * The retention guard (docs/decisions.md, "Before it acts"): warns on-call, once per version, when a known-good
 * version a rollback would go to can no longer be deployed (its viability check said so) or is about to lose
 * what it needs (ECS: an image the repository's ECR lifecycle policy expires now or soon). Runs on the sweep,
 * whenever it has just checked the target's viability, so about hourly per target. The warning is marked on
 * the ledger entry before it is sent: a lost message is not sent again (the sweep's next look finds the
 * version already warned about), a crash between the two at worst warns twice. Never throws.
 */
export async function guardRetention(
  deps: UseCaseDeps,
  target: RuntimeTarget,
  state: TargetState | undefined,
): Promise<TargetState | undefined> {
  if (!state) return state;
  const deployer = deps.deployerFor(target);
  const now = deps.clock.now();
  const watched = unwarnedKnownGood(state.ledger, now, policyMs(target.policy).bakeMs);
  if (watched.length === 0) return state;
  const findings: RetentionFinding[] = watched
    .filter((e) => e.viability?.runnable === false)
    .map((e) => ({ version: e.version, risk: 'gone', details: e.viability?.missing ?? [] }));
  const toAsk = watched.filter((e) => e.viability?.runnable !== false);
  if (deployer.retentionRisks && toAsk.length > 0) {
    try {
      const risks = await deployer.retentionRisks(
        target,
        toAsk.map((e) => ({
          version: e.version,
          ...(e.viability?.recheck !== undefined ? { recheck: e.viability.recheck } : {}),
        })),
      );
      findings.push(...risks.filter((r) => toAsk.some((e) => e.version === r.version)));
    } catch (error) {
      deps.telemetry.log('warn', 'could not read the retention policy of known-good versions; later', {
        target: target.id,
        error: describe(error),
      });
    }
  }
  if (findings.length === 0) return state;
  let stored: TargetState;
  try {
    stored = await applyToTarget(
      deps,
      target,
      state,
      (s, at) => {
        let ledger = s.ledger;
        for (const f of findings) ledger = withRetentionWarning(ledger, f.version, at);
        return { next: { ...s, ledger }, effects: [] };
      },
      '',
    );
  } catch (error) {
    deps.telemetry.log('warn', 'could not record a retention warning; warned next sweep', {
      target: target.id,
      error: describe(error),
    });
    return state;
  }
  deps.telemetry.count(METRIC.retentionWarnings, findings.length, { target: target.id });
  try {
    await deps.reporter.notify(retentionWarning(findings, reportContext(deps, target, stored)));
  } catch (error) {
    deps.telemetry.log('error', 'could not send a retention warning', {
      target: target.id,
      error: describe(error),
    });
  }
  return stored;
}

/** The known-good versions a rollback could go to (the newest VIABILITY_DEPTH), not warned about yet. */
function unwarnedKnownGood(ledger: readonly LedgerEntry[], now: number, bakeMs: number): LedgerEntry[] {
  const running = ledger[0]?.version;
  return ledger
    .filter((e) => e.version !== running && isKnownGood(e, now, bakeMs))
    .sort((a, b) => (b.completedAt ?? b.startedAt ?? 0) - (a.completedAt ?? a.startedAt ?? 0))
    .slice(0, VIABILITY_DEPTH)
    .filter((e) => e.retentionWarnedAt === undefined);
}
