import type { RuntimeTarget } from '../contract';
import { METRIC } from '../contract';
import { settingsRestoreDue, settingsRestored, type TargetState } from '../domain';
import { applyToTarget } from './apply-to-target';
import type { UseCaseDeps } from './deps';
import { describe } from './report';

/**
 * Puts back the service settings a fast-tracked rollback changed, once no rollback of that decision is under
 * way any more (docs/reliability.md, "Fast-tracked rollback"). Called by the functions that may act: with
 * every later decision on the target, after a declined or released claim, and by every sweep, which finishes a
 * restore that a crash left half done (never the deployment handler, which only reads). Never throws: a restore that fails is logged and counted, stays owed, and the next sweep tries again.
 * Returns the state as stored afterwards.
 */
export async function restoreOwedSettings(
  deps: UseCaseDeps,
  target: RuntimeTarget,
  state: TargetState | undefined,
): Promise<TargetState | undefined> {
  const owed = settingsRestoreDue(state);
  if (!state || !owed) return state;
  const deployer = deps.deployerFor(target);
  try {
    if (!deployer.restoreSettings) {
      throw new TypeError(`the ${target.type} deployer cannot restore settings, yet a restore is owed`);
    }
    const outcome = await deployer.restoreSettings(target, owed.restore);
    deps.telemetry.log(
      outcome.status === 'changed' ? 'warn' : 'info',
      `settings restore: ${outcome.status}`,
      {
        target: target.id,
        decisionId: owed.decisionId,
        detail: outcome.detail,
      },
    );
  } catch (error) {
    deps.telemetry.log('error', 'could not restore the settings a fast-tracked rollback changed', {
      target: target.id,
      decisionId: owed.decisionId,
      error: describe(error),
    });
    deps.telemetry.count(METRIC.settingsRestoreFailures, 1, { target: target.id });
    return state;
  }
  try {
    return await applyToTarget(
      deps,
      target,
      state,
      (s) => ({ next: settingsRestored(s, owed.decisionId), effects: [] }),
      '',
    );
  } catch (error) {
    // The settings are back; the record of it is not: the next sweep finds them restored and clears it.
    deps.telemetry.log('error', 'settings restored, but the state table could not record it', {
      target: target.id,
      error: describe(error),
    });
    return state;
  }
}
