import { DEFAULT_MAX_EVENT_AGE_MINUTES, type RuntimeConfig } from '../../../lambda/contract';
import { MINUTE, type DeploymentEvent } from '../../../lambda/domain';
import { RetryableError, TargetInvalidError } from '../../../lambda/use-cases/errors';
import { handleAlarm } from '../../../lambda/use-cases/handle-alarm';
import { handleDeployment } from '../../../lambda/use-cases/handle-deployment';
import { sweep } from '../../../lambda/use-cases/sweep';
import type { PipelineFreezer } from '../../../lambda/use-cases/ports';
import {
  ecsTarget,
  liveInProgress,
  provenEntry,
  SEC,
  seededState,
  T0,
  transition,
} from '../../support/domain-fixtures';
import { fakeDeps, FakeAlarmReader } from '../../support/fakes';

/**
 * The schema gate's facts: read off the alarm path (the deployment handler, the sweep), recorded once per
 * version; read on the alarm path only when the running version's are missing and the target uses the gate.
 */
const freeze = { pipeline: 'checkout-delivery', stage: 'Prod' };
const target = { ...ecsTarget(), freeze };
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

function setup() {
  const deps = fakeDeps(liveInProgress('checkout:42', T0), T0 + 5 * SEC);
  const frozen: string[] = [];
  const freezer: PipelineFreezer = {
    disable: async (p, s, why) => void frozen.push(`${p}/${s}: ${why}`),
    enable: async () => undefined,
  };
  const alarms = new FakeAlarmReader();
  const all = { ...deps, freezer };
  return { ...all, frozen, alarms, sweep: () => sweep({ ...all, alarms }, config, `sweep-${deps.clock.at}`) };
}

describe('schema facts', () => {
  it('are read when a deployment is first seen, for every version that lacks them, and recorded', async () => {
    const s = setup();
    s.deployer.declareFacts({
      'checkout:42': { schema: 8, minCompatibleSchema: 8 },
      'checkout:41': { schema: 7 },
    });
    s.store.items.set('checkout', seededState({ ledger: [provenEntry('checkout:41')] }));

    await handleDeployment(s, target, started, 'req-1');

    const ledger = s.store.items.get('checkout')!.ledger;
    expect(ledger.map((e) => [e.version, e.schemaFacts])).toEqual([
      ['checkout:42', { schema: 8, minCompatibleSchema: 8, readAt: T0 + 5 * SEC }],
      ['checkout:41', { schema: 7, readAt: T0 + 5 * SEC }],
    ]);
    // Read once: a redelivery of the event reads nothing more.
    await handleDeployment(s, target, started, 'req-2');
    expect(s.deployer.calls.filter((c) => c.op === 'versionFacts')).toHaveLength(2);
  });

  it('records a version that cannot be read as such (not asked again), and asks again after a transient failure', async () => {
    const s = setup();
    s.deployer.declareFacts({
      'checkout:42': new RetryableError('ThrottlingException'),
      'checkout:41': new TargetInvalidError(
        'DescribeTaskDefinition of checkout:41 was refused: ClientException',
      ),
    });
    s.store.items.set('checkout', seededState({ ledger: [provenEntry('checkout:41')] }));
    await handleDeployment(s, target, started, 'req-1');
    const entries = () =>
      new Map(s.store.items.get('checkout')!.ledger.map((e) => [e.version, e.schemaFacts]));
    expect(entries().get('checkout:42')).toBeUndefined();
    expect(entries().get('checkout:41')?.problems).toEqual([
      'could not be read: DescribeTaskDefinition of checkout:41 was refused: ClientException',
    ]);

    s.deployer.declareFacts({ 'checkout:42': { schema: 8 } });
    s.clock.at = T0 + 5 * MINUTE;
    await s.sweep();

    expect(entries().get('checkout:42')).toEqual({ schema: 8, readAt: T0 + 5 * MINUTE });
    expect(s.deployer.calls.filter((c) => c.op === 'versionFacts').map((c) => c.arg)).toEqual([
      'checkout:42',
      'checkout:41',
      'checkout:42',
    ]);
  });

  it('are read by the sweep two versions per target and run, newest first (a whole fleet lacks them after an upgrade)', async () => {
    const s = setup();
    s.deployer.declareFacts({});
    s.deployer.live = liveInProgress('checkout:42', T0);
    s.store.items.set(
      'checkout',
      seededState({
        ledger: [
          { version: 'checkout:42', status: 'in-progress', startedAt: T0, deploymentId: 'ecs-svc/2' },
          provenEntry('checkout:41'),
          provenEntry('checkout:40'),
          provenEntry('checkout:39'),
        ],
      }),
    );
    s.clock.at = T0 + 5 * MINUTE;
    await s.sweep();
    const read = () => s.deployer.calls.filter((c) => c.op === 'versionFacts').map((c) => c.arg);
    expect(read()).toEqual(['checkout:42', 'checkout:41']);
    s.clock.at = T0 + 10 * MINUTE;
    await s.sweep();
    expect(read()).toEqual(['checkout:42', 'checkout:41', 'checkout:40', 'checkout:39']);
    s.clock.at = T0 + 15 * MINUTE;
    await s.sweep();
    expect(read()).toHaveLength(4);
  });

  it('are read on the alarm path when the running version’s are missing and the target uses the gate; the gate then refuses and freezes', async () => {
    const s = setup();
    s.deployer.declareFacts({ 'checkout:42': { schema: 8, minCompatibleSchema: 8 } });
    // The deployment event of checkout:42 was lost: the ledger knows only checkout:41, which declares schema 7.
    s.store.items.set(
      'checkout',
      seededState({ ledger: [{ ...provenEntry('checkout:41'), schemaFacts: { schema: 7, readAt: T0 } }] }),
    );
    s.clock.at = T0 + 61 * SEC;

    const [decision] = await handleAlarm(s, config, transition('ALARM', T0 + 60 * SEC), 'req-1');

    expect(decision).toMatchObject({ outcome: 'skip', reason: 'schema-incompatible', escalate: true });
    expect(s.deployer.actions().map((c) => c.op)).toEqual(['versionFacts']);
    expect(s.frozen).toEqual([
      'checkout-delivery/Prod: Rollback Watchdog could not roll checkout back from checkout:42 (schema-incompatible); resume with: npx rollback-watchdog resume checkout',
    ]);
    const [escalation] = s.notifier.sent;
    expect(escalation).toMatchObject({ kind: 'escalation', severity: 'high' });
    expect(escalation?.did).toContain(
      'Disabled the transition into stage Prod of pipeline checkout-delivery',
    );
    expect(escalation?.nextSteps[0]?.text).toBe(
      'Roll forward with a fix: deploy a version that runs on the migrated database (the detail names the migration)',
    );
    expect(s.store.items.get('checkout')?.frozen).toMatchObject(freeze);
  });

  it('a dry-run target hears of the refusal but nothing is frozen', async () => {
    const s = setup();
    const dryRun = { ...ecsTarget({ mode: 'dry-run' }), freeze };
    s.store.items.set(
      'checkout',
      seededState({
        ledger: [
          {
            version: 'checkout:42',
            status: 'in-progress',
            startedAt: T0,
            schemaFacts: { schema: 8, minCompatibleSchema: 8, readAt: T0 },
          },
          { ...provenEntry('checkout:41'), schemaFacts: { schema: 7, readAt: T0 } },
        ],
      }),
    );
    s.clock.at = T0 + 61 * SEC;
    const [decision] = await handleAlarm(
      s,
      { ...config, targets: [dryRun] },
      transition('ALARM', T0 + 60 * SEC),
      'req-1',
    );
    expect(decision).toMatchObject({ outcome: 'skip', reason: 'schema-incompatible' });
    expect(s.frozen).toEqual([]);
    expect(s.store.items.get('checkout')?.frozen).toBeUndefined();
  });

  it('are not read on the alarm path when no version uses the gate: two round trips, as ever', async () => {
    const s = setup();
    s.deployer.declareFacts({ 'checkout:42': { schema: 8, minCompatibleSchema: 8 } });
    s.store.items.set('checkout', seededState({ ledger: [provenEntry('checkout:41')] }));
    s.clock.at = T0 + 61 * SEC;

    const [decision] = await handleAlarm(s, config, transition('ALARM', T0 + 60 * SEC), 'req-1');

    expect(decision).toMatchObject({ outcome: 'rollback', to: 'checkout:41' });
    expect(s.deployer.actions().map((c) => c.op)).toEqual(['stop']);
  });
});
