import { DEFAULT_MAX_EVENT_AGE_MINUTES, type RuntimeConfig } from '../../../lambda/contract';
import { MINUTE, type DeploymentEvent } from '../../../lambda/domain';
import { RetryableError } from '../../../lambda/use-cases/errors';
import { handleAlarm } from '../../../lambda/use-cases/handle-alarm';
import { handleDeployment } from '../../../lambda/use-cases/handle-deployment';
import { sweep } from '../../../lambda/use-cases/sweep';
import {
  ecsTarget,
  liveCompleted,
  liveInProgress,
  provenEntry,
  SEC,
  seededState,
  T0,
  transition,
} from '../../support/domain-fixtures';
import { fakeDeps, FakeAlarmReader } from '../../support/fakes';

/**
 * The viability preflight's use cases: checked off the alarm path and stored, re-checked on the alarm path
 * only as fast as the reads it runs beside, and the retention guard's warning once per version.
 */
const target = ecsTarget();
const config: RuntimeConfig = {
  schemaVersion: 1,
  account: '123456789012',
  region: 'us-east-1',
  maxEventAgeMinutes: DEFAULT_MAX_EVENT_AGE_MINUTES,
  sweepIntervalMinutes: 5,
  targets: [target],
};
const started: DeploymentEvent = {
  deploymentId: 'ecs-svc/2',
  phase: 'in-progress',
  at: T0,
  rollingBack: false,
  reason: '',
  key: 'ecs-svc/2:in-progress',
};
const gone = { runnable: false, missing: ['image …/checkout@sha256:ab is not in ECR repository checkout'] };
const known = [
  { ...provenEntry('checkout:41'), startedAt: T0 - 60 * MINUTE, completedAt: T0 - 58 * MINUTE },
  { ...provenEntry('checkout:40'), startedAt: T0 - 120 * MINUTE, completedAt: T0 - 118 * MINUTE },
];

function setup() {
  const deps = fakeDeps(liveInProgress('checkout:42', T0, 'checkout:41'), T0 + 5 * SEC);
  const alarms = new FakeAlarmReader();
  return { ...deps, alarms, sweep: () => sweep({ ...deps, alarms }, config, `sweep-${deps.clock.at}`) };
}
const ledgerOf = (s: ReturnType<typeof setup>) =>
  new Map(s.store.items.get('checkout')!.ledger.map((e) => [e.version, e.viability]));
const viabilityCalls = (s: ReturnType<typeof setup>) =>
  s.deployer.calls.filter((c) => c.op === 'viability').map((c) => c.arg);

describe('the viability preflight', () => {
  it('checks the rollback target when a release starts, and records the answer with its time', async () => {
    const s = setup();
    s.deployer.declareViability({ 'checkout:41': gone });
    s.store.items.set('checkout', seededState({ ledger: known }));

    await handleDeployment(s, target, started, 'req-1');

    expect(viabilityCalls(s)).toEqual(['checkout:41', 'checkout:40']);
    expect(ledgerOf(s).get('checkout:41')).toEqual({ ...gone, checkedAt: T0 + 5 * SEC });
    expect(ledgerOf(s).get('checkout:40')).toEqual({ runnable: true, checkedAt: T0 + 5 * SEC });
    // A redelivery minutes later asks nothing again.
    await handleDeployment(s, target, started, 'req-2');
    expect(viabilityCalls(s)).toHaveLength(2);
  });

  it('rolls back past a stored version found gone, to the next older known-good one', async () => {
    const s = setup();
    s.store.items.set(
      'checkout',
      seededState({
        ledger: [
          { version: 'checkout:42', status: 'in-progress', startedAt: T0, deploymentId: 'ecs-svc/2' },
          { ...known[0], viability: { ...gone, checkedAt: T0 } },
          known[1],
        ],
      }),
    );
    s.clock.at = T0 + 61 * SEC;
    const [decision] = await handleAlarm(s, config, transition('ALARM', T0 + 60 * SEC), 'req-1');
    expect(decision).toMatchObject({ outcome: 'rollback', to: 'checkout:40' });
    expect(decision?.detail).toContain('Passed over checkout:41 cannot be deployed again: image');
  });

  it('uses the alarm path’s re-check when it has answered by the time the reads are done', async () => {
    const s = setup();
    s.deployer.declareViability({ 'checkout:41': gone });
    s.store.items.set(
      'checkout',
      seededState({
        ledger: [
          { version: 'checkout:42', status: 'in-progress', startedAt: T0, deploymentId: 'ecs-svc/2' },
          { ...known[0], viability: { runnable: true, checkedAt: T0 - 10 * MINUTE } },
          known[1],
        ],
      }),
    );
    s.clock.at = T0 + 61 * SEC;
    const [decision] = await handleAlarm(s, config, transition('ALARM', T0 + 60 * SEC), 'req-1');
    expect(viabilityCalls(s)).toEqual(['checkout:41']);
    expect(decision).toMatchObject({ outcome: 'rollback', to: 'checkout:40' });
    // The answer is kept with the decision's write.
    expect(ledgerOf(s).get('checkout:41')).toMatchObject({ runnable: false });
  });

  it('decides on the stored answer when the re-check is slower than the reads, or fails', async () => {
    for (const slow of [true, false]) {
      const s = setup();
      s.deployer.declareViability(
        { 'checkout:41': slow ? gone : new RetryableError('ThrottlingException') },
        slow ? 20 : 0,
      );
      s.store.items.set(
        'checkout',
        seededState({
          ledger: [
            { version: 'checkout:42', status: 'in-progress', startedAt: T0, deploymentId: 'ecs-svc/2' },
            ...known,
          ],
        }),
      );
      s.clock.at = T0 + 61 * SEC;
      const [decision] = await handleAlarm(s, config, transition('ALARM', T0 + 60 * SEC), 'req-1');
      expect(decision).toMatchObject({ outcome: 'rollback', to: 'checkout:41' });
    }
  });

  it('is checked by the sweep without a live read, and a version found gone is warned about once', async () => {
    const s = setup();
    s.deployer.live = liveCompleted('checkout:42', T0 - 300 * MINUTE, T0 - 298 * MINUTE);
    s.deployer.declareViability({ 'checkout:41': gone });
    s.store.items.set(
      'checkout',
      seededState({
        ledger: [
          provenEntry('checkout:42'),
          ...known.map((e) => ({ ...e, viability: { runnable: true, checkedAt: T0 - 2 * 60 * MINUTE } })),
        ],
      }),
    );
    s.clock.at = T0;

    await s.sweep();

    expect(s.deployer.calls.filter((c) => c.op === 'inspect')).toHaveLength(0);
    expect(viabilityCalls(s)).toEqual(['checkout:41', 'checkout:40']);
    const warnings = () => s.notifier.sent.filter((n) => n.kind === 'warning');
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toMatchObject({ severity: 'warning', target: 'checkout' });
    expect(warnings()[0]?.changed).toEqual([
      'checkout:41 (gone): image …/checkout@sha256:ab is not in ECR repository checkout',
    ]);
    // Checked again an hour later: still gone, but not warned about again.
    s.clock.at = T0 + 61 * MINUTE;
    await s.sweep();
    expect(viabilityCalls(s)).toHaveLength(4);
    expect(warnings()).toHaveLength(1);
  });

  it('warns about images a retention policy is about to expire, once per version', async () => {
    const s = setup();
    s.deployer.declareViability({});
    s.deployer.declareRetentionRisks([
      {
        version: 'checkout:40',
        risk: 'at-risk',
        details: ['rule 1 keeps the 10 newest images; this one is the 10th: the next push expires it'],
      },
    ]);
    s.store.items.set('checkout', seededState({ ledger: [provenEntry('checkout:42'), ...known] }));
    s.clock.at = T0;
    await s.sweep();
    s.clock.at = T0 + 61 * MINUTE;
    await s.sweep();
    const warnings = s.notifier.sent.filter((n) => n.kind === 'warning');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.changed).toEqual([
      'checkout:40 (at risk): rule 1 keeps the 10 newest images; this one is the 10th: the next push expires it',
    ]);
    expect(s.store.items.get('checkout')!.ledger.find((e) => e.version === 'checkout:40')).toMatchObject({
      retentionWarnedAt: T0,
    });
  });
});
