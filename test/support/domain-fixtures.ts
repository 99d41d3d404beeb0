import { DEFAULT_POLICY, type RuntimeEcsTarget, type RuntimePolicy } from '../../lambda/contract';
import {
  emptyTargetState,
  MINUTE,
  type AlarmTransition,
  type LedgerEntry,
  type LiveOk,
  type TargetState,
} from '../../lambda/domain';

export const T0 = Date.parse('2026-03-01T10:00:00Z');
export const SEC = 1000;

export function ecsTarget(policy: Partial<RuntimePolicy> = {}, id = 'checkout'): RuntimeEcsTarget {
  return {
    id,
    type: 'ecs-service',
    cluster: 'prod',
    service: id,
    alarms: [`${id}-5xx`, `${id}-p99`],
    policy: { ...DEFAULT_POLICY, ...policy },
  };
}

export function transition(
  value: AlarmTransition['value'],
  at: number,
  overrides: Partial<AlarmTransition> = {},
): AlarmTransition {
  const alarmName = overrides.alarmName ?? 'checkout-5xx';
  return {
    alarmName,
    alarmArn: `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${alarmName}`,
    value,
    timestamp: at,
    previousValue: value === 'ALARM' ? 'OK' : 'ALARM',
    previousTimestamp: at - 10 * MINUTE,
    reason: 'Threshold Crossed',
    reasonData: undefined,
    ...overrides,
  };
}

/** A service deploying `version` since `startedAt`, rolling out over the previous `source`. */
export function liveInProgress(version: string, startedAt: number, source = 'checkout:41'): LiveOk {
  return {
    kind: 'ok',
    currentVersion: version,
    latest: {
      id: 'ecs-svc/2',
      version,
      state: 'in-progress',
      startedAt,
      stopRef: 'arn:aws:ecs:us-east-1:123456789012:service-deployment/prod/checkout/abc',
      stopRestores: source,
    },
    previous: [
      {
        id: 'ecs-svc/1',
        version: source,
        state: 'completed',
        startedAt: T0 - 24 * 60 * MINUTE,
        completedAt: T0 - 24 * 60 * MINUTE + 2 * MINUTE,
      },
    ],
    nativeRollback: false,
  };
}

export function liveCompleted(version: string, startedAt: number, completedAt: number): LiveOk {
  return {
    kind: 'ok',
    currentVersion: version,
    latest: { id: 'ecs-svc/2', version, state: 'completed', startedAt, completedAt },
    previous: [],
    nativeRollback: false,
  };
}

export const provenEntry = (version: string): LedgerEntry => ({
  version,
  status: 'completed',
  startedAt: T0 - 24 * 60 * MINUTE,
  completedAt: T0 - 24 * 60 * MINUTE + 2 * MINUTE,
  proven: true,
  deploymentId: 'ecs-svc/1',
});

/** checkout:41 proven, checkout:42 deploying since T0. */
export function seededState(overrides: Partial<TargetState> = {}): TargetState {
  return {
    ...emptyTargetState('checkout'),
    revision: 3,
    seeded: true,
    ledger: [
      { version: 'checkout:42', status: 'in-progress', startedAt: T0, deploymentId: 'ecs-svc/2' },
      provenEntry('checkout:41'),
    ],
    ...overrides,
  };
}
