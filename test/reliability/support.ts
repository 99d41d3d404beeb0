import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DEFAULT_MAX_EVENT_AGE_MINUTES,
  type RuntimeConfig,
  type RuntimePolicy,
  type RuntimeTarget,
} from '../../lambda/contract';
import { DynamoDbStateStore } from '../../lambda/adapters/dynamodb-state-store';
import type { Decision, DeploymentEvent, LiveOk, Millis } from '../../lambda/domain';
import type { StateStore } from '../../lambda/use-cases/ports';
import { Reporter } from '../../lambda/use-cases/report';
import { ecsTarget, SEC, T0 } from '../support/domain-fixtures';
import { FakeDeployer, ManualClock, RecordingNotifier, RecordingTelemetry } from '../support/fakes';

export const MIN = 60 * SEC;

export function runtimeConfig(...targets: RuntimeTarget[]): RuntimeConfig {
  return {
    schemaVersion: 1,
    account: '123456789012',
    region: 'us-east-1',
    maxEventAgeMinutes: DEFAULT_MAX_EVENT_AGE_MINUTES,
    sweepIntervalMinutes: 5,
    targets: targets.length > 0 ? targets : [ecsTarget()],
  };
}

export function policyConfig(policy: Partial<RuntimePolicy>): RuntimeConfig {
  return runtimeConfig(ecsTarget(policy));
}

/** Use-case deps around any store, with the recording fakes of test/support/fakes.ts. */
export function depsWith<S extends StateStore>(store: S, live: LiveOk, at: Millis) {
  const deployer = new FakeDeployer(live);
  const notifier = new RecordingNotifier();
  const telemetry = new RecordingTelemetry();
  const clock = new ManualClock(at);
  const reporter = new Reporter({ store, notifier, telemetry });
  return { store, deployer, notifier, telemetry, clock, reporter, deployerFor: () => deployer };
}

/** Use-case deps on the real DynamoDB store, on a table of its own. */
export function dynamoDeps(client: DynamoDBClient, tableName: string, live: LiveOk, at: Millis) {
  const clockRef: { now: () => Millis } = { now: () => at };
  const store = new DynamoDbStateStore({ client, tableName, now: () => clockRef.now() });
  const deps = depsWith(store, live, at);
  clockRef.now = () => deps.clock.now();
  return deps;
}

export async function auditedDecisions(store: StateStore, target = 'checkout'): Promise<Decision[]> {
  return (await store.listAudit(target)).flatMap((e) => (e.type === 'decision' ? [e.decision] : []));
}

export const reasons = (ds: readonly Decision[]) => ds.map((d) => d.reason).sort();

export function deploymentEvent(
  phase: DeploymentEvent['phase'],
  at: number,
  deploymentId: string,
  reason = '',
): DeploymentEvent {
  return { deploymentId, phase, at, rollingBack: /rolling back/i.test(reason), reason };
}

/** The service after the watchdog's stop: `version` serves again, through deployment `id`. */
export function rolledBackTo(version: string, id: string, startedAt: number, completedAt: number): LiveOk {
  return {
    kind: 'ok',
    currentVersion: version,
    latest: { id, version, state: 'completed', startedAt, completedAt },
    previous: [],
    nativeRollback: false,
  };
}

export { T0, SEC };
