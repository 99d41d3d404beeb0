import type { RuntimeTarget } from '../contract';
import {
  applyDeploymentEvent,
  dueOutbox,
  recordDeploymentCall,
  settlePrincipals,
  type DeploymentEvent,
  type DeploymentPrincipal,
} from '../domain';
import { applyToTarget } from './apply-to-target';
import { relayOthers } from './claim-act-record';
import type { UseCaseDeps } from './deps';
import { learnSchemaFacts } from './learn-schema-facts';
import { checkViability, RELEASE_VIABILITY_MAX_AGE_MS, VIABILITY_READS } from './check-viability';
import { withHistory } from './seed-history';
import {
  checkQuarantinedDeployment,
  failedDeploymentQuarantineId,
  sendFreshQuarantine,
  withFailedDeploymentQuarantine,
} from './quarantine';

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
    (s, now) => {
      const applied = applyDeploymentEvent({ now, target, state: s, live, event });
      // The event may have created the entry a principal was waiting for (docs/reliability.md, "Who deployed").
      const next = settlePrincipals(applied.next, now);
      // A release that failed here is quarantined in the other regions, as a rolled-back one is (not the
      // watchdog's own rollback failing: the version it went to is not what failed).
      const failed =
        applied.next !== s &&
        event.phase === 'failed' &&
        !applied.effects.some((e) => e.kind === 'rollback-failed')
          ? next.ledger.find((e) => e.deploymentId === event.deploymentId && e.status === 'failed')
          : undefined;
      return {
        ...applied,
        next: failed
          ? withFailedDeploymentQuarantine(deps, next, target, {
              version: failed.version,
              deploymentId: event.deploymentId,
              why: event.reason || 'deployment failed',
              at: event.at,
            })
          : next,
      };
    },
    requestId,
  );
  if (event.phase === 'failed')
    await sendFreshQuarantine(deps, target, state, failedDeploymentQuarantineId(target, event.deploymentId));
  // A deployment of a version another region quarantined: this handler only reads, so it asks the acting one.
  const deploying =
    event.phase === 'in-progress' && live.kind === 'ok' && live.latest?.id === event.deploymentId
      ? live.latest
      : undefined;
  if (deploying) {
    await checkQuarantinedDeployment(deps, target, state, {
      version: deploying.version,
      deploymentId: deploying.id,
    });
  }
  // A fast-tracked rollback that just ended owes the service its settings back: not restored here, since this
  // handler only reads (its role cannot UpdateService); the next sweep, or the next decision, restores them.
  // What the deployed version declares about the database schema, for the schema gate: read now, off the
  // alarm path, so that an alarm minutes later finds it in the ledger.
  const facts = (await learnSchemaFacts(deps, target, state)) ?? state;
  // Whether the version a rollback of this release would go to can still be deployed: checked now, while
  // nothing is wrong, so that an alarm finds the answer in the ledger.
  const learned =
    (await checkViability(deps, target, facts, VIABILITY_READS, RELEASE_VIABILITY_MAX_AGE_MS)).state ?? facts;
  // A rollback that ended before its invocation reported it, and that invocation is gone: report it now.
  const due = dueOutbox(learned, deps.clock.now());
  if (due.length > 0) await relayOthers(deps, target, learned, due);
}

/**
 * Records who started a deployment of a protected target, from the CloudTrail record of the call. Annotation
 * only: no live read, no decision, no effect; the ledger entry of the deployment is named now, or when it
 * appears (`recordDeploymentCall`, docs/reliability.md, "Who deployed"). A redelivery changes nothing.
 */
export async function handleDeploymentCall(
  deps: UseCaseDeps,
  target: RuntimeTarget,
  call: { readonly key: string; readonly principal: DeploymentPrincipal },
  requestId: string,
): Promise<void> {
  const loaded = await deps.store.loadTargets([target.id]);
  await applyToTarget(
    deps,
    target,
    loaded.targets.get(target.id),
    (s, now) => ({ next: recordDeploymentCall(s, call, now), effects: [] }),
    requestId,
  );
}
