import type { RuntimeTarget } from '../contract';
import { applyDeploymentEvent, type DeploymentEvent } from '../domain';
import { applyToTarget } from './apply-to-target';
import type { UseCaseDeps } from './deps';

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
  const [loaded, live] = await Promise.all([
    deps.store.loadTargets([target.id]),
    deps.deployerFor(target).inspect(target),
  ]);
  if (live.kind === 'invalid') {
    deps.telemetry.log('warn', 'deployment event for a target that cannot be read', {
      target: target.id,
      why: live.why,
    });
    return;
  }
  await applyToTarget(
    deps,
    target,
    loaded.targets.get(target.id),
    (state, now) => applyDeploymentEvent({ now, target, state, live, event }),
    requestId,
  );
}
