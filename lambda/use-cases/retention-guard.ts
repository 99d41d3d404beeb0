import { METRIC, type RuntimeTarget } from '../contract';
import { policyMs, withinReach, withRetentionWarning, type TargetState } from '../domain';
import { annotateLedger } from './apply-to-target';
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
  const watched = withinReach(state.ledger, undefined, now, policyMs(target.policy).bakeMs).filter(
    (e) => e.retentionWarnedAt === undefined,
  );
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
  // Marked before it is sent: a failed mark sends nothing (warned next sweep), a lost message is not resent.
  const stored = await annotateLedger(
    deps,
    target,
    state,
    (ledger, at) => {
      let next = ledger;
      for (const f of findings) next = withRetentionWarning(next, f.version, at);
      return next;
    },
    'could not record a retention warning; warned next sweep',
  );
  if (stored === state) return state;
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
