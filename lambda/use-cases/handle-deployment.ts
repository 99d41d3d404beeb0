import { METRIC, type RuntimeTarget } from '../contract';
import { applyDeploymentEvent, emptyTargetState, type DeploymentEvent, type TargetState } from '../domain';
import type { UseCaseDeps } from './deps';
import { RetryableError } from './errors';
import { rollbackResultNotification } from './notifications';

const MAX_COMMIT_ATTEMPTS = 5;

/**
 * Folds one deployment event of a protected target into its ledger, and completes or fails the watchdog's
 * own rollback. Off the critical path: it may read the service to learn which version the event is about.
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
  let stored = loaded.targets.get(target.id);
  for (let attempt = 1; attempt <= MAX_COMMIT_ATTEMPTS; attempt++) {
    const state: TargetState = stored ?? emptyTargetState(target.id);
    const now = deps.clock.now();
    const { next, effects } = applyDeploymentEvent({ now, target, state, live, event });
    if (next !== state) {
      const saved = await deps.store.saveTarget(next, state.revision);
      if (saved === 'conflict') {
        stored = (await deps.store.loadTargets([target.id])).targets.get(target.id);
        continue;
      }
    }
    for (const effect of effects) {
      switch (effect.kind) {
        case 'rollback-succeeded':
        case 'rollback-failed': {
          const why = effect.kind === 'rollback-failed' ? effect.why : undefined;
          const notification = rollbackResultNotification(
            target.id,
            effect.kind,
            effect.rollback,
            effect.at,
            why,
          );
          deps.telemetry.count(
            effect.kind === 'rollback-succeeded' ? METRIC.rollbacksSucceeded : METRIC.rollbacksFailed,
            1,
            { target: target.id },
          );
          deps.telemetry.log(effect.kind === 'rollback-succeeded' ? 'info' : 'error', effect.kind, {
            target: target.id,
            ...notification.context,
          });
          await Promise.all([
            deps.reporter.audit({
              type: 'rollback-result',
              at: now,
              target: target.id,
              result: effect.kind,
              decisionId: effect.rollback.decisionId,
              from: effect.rollback.from,
              to: effect.rollback.to,
              detail: notification.description,
            }),
            deps.reporter.notify(notification),
          ]);
          break;
        }
        case 'native-rollback':
          deps.telemetry.log('info', 'the platform is rolling back by itself', {
            target: target.id,
            version: effect.version,
            requestId,
          });
          break;
      }
    }
    return;
  }
  throw new RetryableError(
    `could not record the deployment event for ${target.id} after ${MAX_COMMIT_ATTEMPTS} attempts (contention)`,
  );
}
