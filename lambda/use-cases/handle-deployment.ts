import type { RuntimeTarget } from '../contract';
import { applyDeploymentEvent, dueOutbox, type DeploymentEvent } from '../domain';
import { applyToTarget } from './apply-to-target';
import { relayOthers } from './claim-act-record';
import type { UseCaseDeps } from './deps';
import { withHistory } from './seed-history';

/**
 * Folds one deployment event of a protected target into its ledger, and completes or fails the watchdog's
 * own rollback. Off the critical path: it reads the service to learn which version the event is about
 * (neither ECS nor CodeDeploy events name it).
 */
export async function handleDeployment(
  deps: UseCaseDeps,
  target: RuntimeTarget,
  event: DeploymentEvent,
  requestId: string,
): Promise<void> {
  const [loaded, read] = await Promise.all([
    deps.store.loadTargets([target.id]),
    deps.deployerFor(target).inspect(target),
  ]);
  const live = await withHistory(deps, target, loaded.targets.get(target.id), read);
  if (live.kind === 'invalid') {
    deps.telemetry.log('warn', 'deployment event for a target that cannot be read', {
      target: target.id,
      why: live.why,
    });
    return;
  }
  const state = await applyToTarget(
    deps,
    target,
    loaded.targets.get(target.id),
    (s, now) => applyDeploymentEvent({ now, target, state: s, live, event }),
    requestId,
  );
  // A rollback that ended before its invocation reported it, and that invocation is gone: report it now.
  const due = dueOutbox(state, deps.clock.now());
  if (due.length > 0) await relayOthers(deps, target, state, due);
}
