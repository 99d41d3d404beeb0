import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbStateStore } from '../../lambda/adapters/dynamodb-state-store';
import { parseAlarmEvent } from '../../lambda/boundary/events';
import type { RuntimeConfig, RuntimeTarget } from '../../lambda/contract';
import type { AlarmTransition, LiveOk } from '../../lambda/domain';
import { RetryableError, StateStoreUnavailableError } from '../../lambda/use-cases/errors';
import { handleAlarm } from '../../lambda/use-cases/handle-alarm';
import { handleDeployment, handleDeploymentCall } from '../../lambda/use-cases/handle-deployment';
import { sweep } from '../../lambda/use-cases/sweep';
import { ecsTarget, liveInProgress, seededState, transition } from '../support/domain-fixtures';
import { startDynalite, type TestDynalite } from '../support/dynalite';
import { alarmEvent } from '../support/events';
import { FakeAlarmReader, FakeDeployer } from '../support/fakes';
import {
  auditedDecisions,
  deploymentEvent,
  dynamoDeps,
  MIN,
  policyConfig,
  reasons,
  rolledBackTo,
  runtimeConfig,
  SEC,
  T0,
} from './support';

/**
 * Cases of layer D of the reliability checklist (docs/reliability.md, "The reliability checklist"): the use
 * cases on the real DynamoDbStateStore against dynalite, so every claim is a real conditional PutItem. ECS
 * and SNS are the recording fakes of test/support/fakes.ts.
 */

let db: TestDynalite;
beforeAll(async () => {
  db = await startDynalite();
});
afterAll(async () => {
  await db.stop();
});

const config = runtimeConfig();
const alarm = transition('ALARM', T0 + 60 * SEC);
const now = T0 + 61 * SEC;

async function fresh(live: LiveOk = liveInProgress('checkout:42', T0), at = now) {
  return dynamoDeps(db.client, await db.createTable(), live, at);
}

describe('RELIABILITY #1: the same ALARM event delivered 3 times concurrently', () => {
  it('RELIABILITY #1 (D): one rollback call, two duplicate decisions audited on dynalite, one notification', async () => {
    const deps = await fresh();
    await Promise.all(['a', 'b', 'c'].map((r) => handleAlarm(deps, config, alarm, r)));
    expect(deps.deployer.actions()).toHaveLength(1);
    expect(reasons(await auditedDecisions(deps.store))).toEqual(['alarm', 'duplicate', 'duplicate']);
    expect(deps.notifier.sent.filter((n) => n.kind === 'rollback-started')).toHaveLength(1);
  });
});

describe('RELIABILITY #2: same transition in two envelopes', () => {
  it('RELIABILITY #2 (D): two EventBridge ids of one transition give one action; the second is duplicate', async () => {
    const deps = await fresh();
    const at = new Date(T0 + 60 * SEC);
    const parsed = [
      parseAlarmEvent(alarmEvent('checkout-5xx', 'ALARM', at, { id: 'envelope-1' })),
      parseAlarmEvent(alarmEvent('checkout-5xx', 'ALARM', at, { id: 'envelope-2' })),
    ];
    const transitions = parsed.map((p) => {
      if (!p.ok) throw new Error(p.problems.join('; '));
      return p.value;
    });
    expect(parsed.map((p) => p.ok && p.envelope.id)).toEqual(['envelope-1', 'envelope-2']);

    const [first] = await handleAlarm(deps, config, transitions[0], 'req-envelope-1');
    const [second] = await handleAlarm(deps, config, transitions[1], 'req-envelope-2');

    expect(first).toMatchObject({ outcome: 'rollback' });
    expect(second).toMatchObject({ outcome: 'skip', reason: 'duplicate' });
    expect(deps.deployer.actions()).toHaveLength(1);
  });
});

describe('RELIABILITY #3: the same ALARM redelivered hours later, after recovery', () => {
  it('RELIABILITY #3 (D): an ALARM first processed hours after its state timestamp is stale: no AWS write', async () => {
    const deps = await fresh(liveInProgress('checkout:42', T0), T0 + 3 * 60 * MIN);
    const [d] = await handleAlarm(deps, config, alarm, 'req-late');
    expect(d).toMatchObject({ outcome: 'skip', reason: 'stale' });
    expect(deps.deployer.actions()).toEqual([]);
    expect((await deps.store.loadTargets(['checkout'])).targets.get('checkout')?.rollback).toBeUndefined();
  });

  it('RELIABILITY #3 (D): a redelivery after rollback and recovery writes nothing to AWS', async () => {
    const deps = await fresh();
    await handleAlarm(deps, config, alarm, 'req-1');
    deps.clock.at = T0 + 4 * MIN;
    deps.deployer.live = rolledBackTo('checkout:41', 'ecs-svc/3', T0 + 61 * SEC, T0 + 3 * MIN);
    await handleDeployment(
      deps,
      ecsTarget(),
      deploymentEvent('completed', T0 + 3 * MIN, 'ecs-svc/3', 'rolling back'),
      'req-done',
    );
    await handleAlarm(deps, config, transition('OK', T0 + 4 * MIN), 'req-ok');

    deps.clock.at = T0 + 3 * 60 * MIN;
    const [late] = await handleAlarm(deps, config, alarm, 'req-redelivered');

    // The dedupe record outranks the age check, so the repeat is `duplicate` rather than `stale`: both are
    // the promised outcome (no AWS write, no second rollback).
    expect(['duplicate', 'stale']).toContain(late.reason);
    expect(late).toMatchObject({ outcome: 'skip' });
    expect(deps.deployer.actions()).toHaveLength(1);
  });
});

describe('RELIABILITY #26: who deployed, before and concurrently with the deployment event', () => {
  it('RELIABILITY #26 (D): the record waits on the item, names the entry once it exists, and changes no decision', async () => {
    const deps = await fresh(liveInProgress('checkout:42', T0), T0 + 5 * SEC);
    const by = 'arn:aws:sts::123456789012:assumed-role/release-pipeline/alice';
    const call = {
      key: 'cloudtrail|ev-42',
      principal: { deploymentId: 'ecs-svc/2', version: 'checkout:42', by, at: T0 },
    };
    await handleDeploymentCall(deps, ecsTarget(), call, 'req-call');
    const waiting = (await deps.store.loadTargets(['checkout'])).targets.get('checkout');
    expect(waiting?.ledger).toEqual([]);
    expect(waiting?.pendingPrincipals).toEqual([call.principal]);

    // Redeliveries of the record race the deployment event on real conditional writes.
    await Promise.all([
      handleDeployment(deps, ecsTarget(), deploymentEvent('in-progress', T0, 'ecs-svc/2'), 'req-dep'),
      ...['a', 'b', 'c'].map((r) => handleDeploymentCall(deps, ecsTarget(), call, `req-call-${r}`)),
    ]);
    const named = (await deps.store.loadTargets(['checkout'])).targets.get('checkout');
    expect(named?.ledger.map((e) => [e.version, e.status, e.deployedBy])).toEqual([
      ['checkout:42', 'in-progress', by],
      ['checkout:41', 'completed', undefined],
    ]);
    expect(named?.pendingPrincipals).toBeUndefined();

    deps.clock.at = now;
    const [d] = await handleAlarm(deps, config, alarm, 'req-alarm');
    expect(d).toMatchObject({ outcome: 'rollback', from: 'checkout:42', to: 'checkout:41' });
    expect(deps.deployer.actions()).toHaveLength(1);
  });
});

describe('RELIABILITY #4: OK(t2) processed before ALARM(t1)', () => {
  it('RELIABILITY #4 (D): no rollback; the late ALARM is superseded', async () => {
    const deps = await fresh();
    await handleAlarm(deps, config, transition('OK', T0 + 60 * SEC + 1), 'req-ok');
    const [d] = await handleAlarm(deps, config, alarm, 'req-alarm');
    expect(d).toMatchObject({ outcome: 'skip', reason: 'superseded' });
    expect(deps.deployer.actions()).toEqual([]);
    expect(reasons(await auditedDecisions(deps.store))).toEqual(['not-alarm-state', 'superseded']);
  });
});

describe('RELIABILITY #7: two alarms of one service go ALARM within 100 ms', () => {
  it('RELIABILITY #7 (D): one rollback; the other is rollback-in-progress', async () => {
    const deps = await fresh();
    const p99 = transition('ALARM', T0 + 60 * SEC + 100, { alarmName: 'checkout-p99' });
    const results = await Promise.all([
      handleAlarm(deps, config, alarm, 'a'),
      handleAlarm(deps, config, p99, 'b'),
    ]);
    expect(reasons(results.flat())).toEqual(['alarm', 'rollback-in-progress']);
    expect(deps.deployer.actions()).toHaveLength(1);
    expect(reasons(await auditedDecisions(deps.store))).toEqual(['alarm', 'rollback-in-progress']);
  });
});

describe('RELIABILITY #8: Lambda times out after the rollback call succeeded', () => {
  it('RELIABILITY #8 (D): the retry finds the intent record on dynalite and does not repeat the call', async () => {
    const deps = await fresh();
    deps.deployer.stopResults = [new RetryableError('socket hang up after the request was sent')];
    deps.deployer.nextLives = [{ ...liveInProgress('checkout:41', T0 + 61 * SEC), nativeRollback: true }];
    const [d] = await handleAlarm(deps, config, alarm, 'req-1');
    expect(d).toMatchObject({ outcome: 'rollback' });
    expect((await deps.store.loadTargets(['checkout'])).targets.get('checkout')?.rollback).toMatchObject({
      to: 'checkout:41',
    });

    const [retry] = await handleAlarm(deps, config, alarm, 'req-1');
    expect(retry).toMatchObject({ outcome: 'skip', reason: 'duplicate' });
    expect(deps.deployer.actions()).toHaveLength(1);
  });

  it('RELIABILITY #8 (D): when it cannot tell, the claim stays unissued on dynalite; the retry reads the service and never acts twice', async () => {
    const deps = await fresh();
    deps.deployer.stopResults = [new RetryableError('timeout')];
    const inspect = deps.deployer.inspect.bind(deps.deployer);
    let calls = 0;
    deps.deployer.inspect = async (t) =>
      ++calls > 1 ? Promise.reject(new RetryableError('still throttled')) : inspect(t);
    await expect(handleAlarm(deps, config, alarm, 'req-1')).rejects.toThrow('timeout');
    const kept = (await deps.store.loadTargets(['checkout'])).targets.get('checkout');
    expect(kept?.rollback).toMatchObject({ to: 'checkout:41' });
    expect(kept?.rollback?.issued).toBeUndefined();
    // The lease is bounded: the sweep settles the rollback once it expires.
    expect(kept!.rollback!.leaseUntil).toBeGreaterThan(now);
    expect(kept!.rollback!.leaseUntil).toBeLessThan(now + 2 * 60 * MIN);

    // The stop had gone through: the retry sees ECS rolling back and reports the rollback, without a second call.
    deps.deployer.inspect = inspect;
    deps.deployer.live = { ...liveInProgress('checkout:41', T0 + 61 * SEC), nativeRollback: true };
    deps.clock.at = now + 60 * SEC;
    const [retry] = await handleAlarm(deps, config, alarm, 'req-1');
    expect(retry).toMatchObject({ reason: 'duplicate' });
    expect(deps.deployer.actions()).toHaveLength(1);
    expect(reasons(await auditedDecisions(deps.store))).toEqual(['alarm']);
    expect(deps.notifier.sent.map((n) => n.kind)).toEqual(['rollback-started']);
    const settled = (await deps.store.loadTargets(['checkout'])).targets.get('checkout');
    expect(settled?.rollback?.issued).toBeDefined();
    expect(settled?.outbox).toBeUndefined();
  });
});

describe('RELIABILITY #11: ECS throttles every attempt', () => {
  it('RELIABILITY #11 (D): the handler fails, keeps its claim unissued (never reported as a rollback), and the retry acts once', async () => {
    const deps = await fresh();
    deps.deployer.stopResults = [new RetryableError('ThrottlingException: Rate exceeded')];
    await expect(handleAlarm(deps, config, alarm, 'req-1')).rejects.toThrow(RetryableError);

    const state = (await deps.store.loadTargets(['checkout'])).targets.get('checkout')!;
    // A whole claim, not a half-written one: the intent, who may act on it until when, nothing issued.
    expect(state.rollback).toMatchObject({ from: 'checkout:42', to: 'checkout:41', actingUntil: now });
    expect(state.rollback?.issued).toBeUndefined();
    expect(state.outbox).toBeUndefined();
    expect(await auditedDecisions(deps.store)).toEqual([]);
    expect(deps.notifier.sent).toEqual([]);

    // Lambda's retry of the same event settles the claim: nothing happened, so it acts.
    deps.clock.at = now + 60 * SEC;
    const [retry] = await handleAlarm(deps, config, alarm, 'req-1');
    expect(retry).toMatchObject({ reason: 'duplicate' });
    expect(deps.deployer.actions().map((c) => c.op)).toEqual(['stop', 'stop']);
    expect(reasons(await auditedDecisions(deps.store))).toEqual(['alarm']);
    expect(deps.notifier.sent.map((n) => n.kind)).toEqual(['rollback-started']);
  });
});

describe('RELIABILITY #21: state store unavailable on claim', () => {
  it('RELIABILITY #21 (D): fail closed: the claim cannot be written, no rollback, the error propagates', async () => {
    const tableName = await db.createTable();
    // A client on the same dynalite, whose PutItem requests go to a closed port: reads work, the claim fails.
    const client = new DynamoDBClient({
      endpoint: db.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      maxAttempts: 1,
    });
    client.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { headers?: Record<string, string>; port?: number };
        if (request.headers?.['x-amz-target']?.endsWith('.PutItem')) request.port = 1;
        return next(args);
      },
      { step: 'finalizeRequest', name: 'breakPutItem' },
    );
    const deps = dynamoDeps(client, tableName, liveInProgress('checkout:42', T0), now);
    try {
      await expect(handleAlarm(deps, config, alarm, 'req-1')).rejects.toThrow(StateStoreUnavailableError);
      expect(deps.deployer.actions()).toEqual([]);
      expect(deps.notifier.sent).toEqual([]);
      const reader = new DynamoDbStateStore({ client: db.client, tableName });
      expect((await reader.loadTargets(['checkout'])).targets.size).toBe(0);
    } finally {
      client.destroy();
    }
  });
});

describe('RELIABILITY #6: three genuine incidents in one hour, limit 2 per hour', () => {
  it('RELIABILITY #6 (D): two rollbacks, the third rate-limited with an escalation, even with 10 concurrent deliveries per incident', async () => {
    const cfg = policyConfig({ cooldownMinutes: 0, maxRollbacks: { count: 2, windowMinutes: 60 } });
    const deps = await fresh(liveInProgress('checkout:42', T0));
    const decisions = [];
    for (const [i, version] of ['checkout:42', 'checkout:43', 'checkout:44'].entries()) {
      const start = T0 + i * 10 * MIN;
      deps.clock.at = start + 61 * SEC;
      deps.deployer.live = liveInProgress(version, start);
      const fired = transition('ALARM', start + 60 * SEC);
      const round = await Promise.all(
        Array.from({ length: 10 }, (_, r) =>
          handleAlarm(
            deps,
            cfg,
            r % 2 === 0 ? fired : { ...fired, alarmName: 'checkout-p99', alarmArn: `${fired.alarmArn}-p99` },
            `incident-${i}-${r}`,
          ),
        ),
      );
      decisions.push(...round.flat());
      const state = (await deps.store.loadTargets(['checkout'])).targets.get('checkout')!;
      expect(state.rollbackTimes.length).toBeLessThanOrEqual(2);
      // The rollback (if any) completes, and the alarms clear, before the next release.
      deps.clock.at = start + 4 * MIN;
      deps.deployer.live = rolledBackTo('checkout:41', `ecs-svc/r${i}`, start + 61 * SEC, start + 3 * MIN);
      await handleDeployment(
        deps,
        cfg.targets[0],
        deploymentEvent('completed', start + 3 * MIN, `ecs-svc/r${i}`, 'rolling back'),
        `done-${i}`,
      );
      for (const name of ['checkout-5xx', 'checkout-p99']) {
        const ok: AlarmTransition = transition('OK', start + 4 * MIN, {
          alarmName: name,
          alarmArn: name === 'checkout-5xx' ? fired.alarmArn : `${fired.alarmArn}-p99`,
        });
        await handleAlarm(deps, cfg, ok, `ok-${i}-${name}`);
      }
    }
    const acted = decisions.filter((d) => d.outcome === 'rollback');
    expect(acted.map((d) => d.from)).toEqual(['checkout:42', 'checkout:43']);
    expect(deps.deployer.actions()).toHaveLength(2);
    // One decision per distinct transition: the 5xx and the p99 transitions of the third incident.
    const limited = decisions.filter((d) => d.reason === 'rate-limited');
    expect(limited.map((d) => [d.from, d.trigger, d.escalate]).sort()).toEqual([
      ['checkout:44', 'checkout-5xx', true],
      ['checkout:44', 'checkout-p99', true],
    ]);
    expect(deps.notifier.sent.filter((n) => n.kind === 'escalation').length).toBeGreaterThanOrEqual(1);
    expect(decisions).toHaveLength(30);
    expect(decisions.filter((d) => d.reason === 'duplicate')).toHaveLength(30 - 2 - 2 - 2);
  });
});

describe('RELIABILITY: concurrency on the real store', () => {
  it('RELIABILITY #1 (D, 100 concurrent claims): exactly one winner among 100 deliveries for one target', async () => {
    const deps = await fresh();
    // The item exists, so every claim is the revision-conditioned PutItem (not the create-if-absent one).
    await deps.store.saveTarget(seededState({ revision: 0 }), 0);
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => handleAlarm(deps, config, alarm, `req-${i}`)),
    );
    const all = results.flat();
    expect(all.filter((d) => d.outcome === 'rollback')).toHaveLength(1);
    expect(all.filter((d) => d.reason === 'duplicate')).toHaveLength(99);
    expect(deps.deployer.actions()).toHaveLength(1);
    expect(deps.notifier.sent.filter((n) => n.kind === 'rollback-started')).toHaveLength(1);
    const state = (await deps.store.loadTargets(['checkout'])).targets.get('checkout')!;
    expect(state.rollbackTimes).toHaveLength(1);
  });

  const crashed = {
    decisionId: 'd-crashed',
    trigger: 'checkout-5xx',
    reason: 'alarm' as const,
    from: 'checkout:42',
    to: 'checkout:41',
    action: 'stop' as const,
    claimedAt: T0 + 61 * SEC,
    leaseUntil: T0 + 31 * MIN,
  };

  it('RELIABILITY #8/#11 (D, lease takeover): 10 concurrent sweeps settle an expired lease of a crashed invocation exactly once', async () => {
    const deps = await fresh(liveInProgress('checkout:42', T0), T0 + 40 * MIN);
    await deps.store.saveTarget(seededState({ rollback: crashed, revision: 0 }), 0);
    const alarms = new FakeAlarmReader();
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        sweep({ ...deps, alarms }, config, `sweep-${i}`).catch((e: unknown) => e),
      ),
    );
    const state = (await deps.store.loadTargets(['checkout'])).targets.get('checkout')!;
    expect(state.rollback).toBeUndefined();
    expect(state.paused).toMatchObject({ by: 'watchdog' });
    expect(deps.notifier.sent.filter((n) => n.kind === 'rollback-failed')).toHaveLength(1);
    const results = (await deps.store.listAudit('checkout')).filter((e) => e.type === 'rollback-result');
    expect(results).toHaveLength(1);
    expect(deps.deployer.actions()).toEqual([]);
  });

  it('RELIABILITY #8/#11 (D, lease takeover): 20 concurrent alarms after an expired lease take it over exactly once', async () => {
    const at = T0 + 40 * MIN;
    const deps = await fresh(liveInProgress('checkout:42', T0), at);
    await deps.store.saveTarget(seededState({ rollback: crashed, revision: 0 }), 0);
    const fired = transition('ALARM', at - 30 * SEC, { alarmName: 'checkout-p99' });
    const settled = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => handleAlarm(deps, config, fired, `late-${i}`)),
    );
    const decisions = settled.flatMap((s) => (s.status === 'fulfilled' ? s.value : []));
    expect(decisions.filter((d) => d.outcome === 'rollback')).toHaveLength(1);
    expect(deps.deployer.actions()).toHaveLength(1);
    const state = (await deps.store.loadTargets(['checkout'])).targets.get('checkout')!;
    expect(state.rollback?.leaseUntil).toBeGreaterThan(at);
    expect(state.rollback?.decisionId).not.toBe('d-crashed');
  });

  it('RELIABILITY #6 (D, window counter): concurrent incidents of distinct alarms never push the window past its limit', async () => {
    const cfg = policyConfig({ cooldownMinutes: 0, maxRollbacks: { count: 2, windowMinutes: 60 } });
    const deps = await fresh(liveInProgress('checkout:43', T0 + 10 * MIN), T0 + 11 * MIN + 1 * SEC);
    // One rollback already in the window, none holding the lease.
    await deps.store.saveTarget(
      seededState({ revision: 0, lastRollbackAt: T0 - 5 * MIN, rollbackTimes: [T0 - 5 * MIN] }),
      0,
    );
    const settled = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) =>
        handleAlarm(
          deps,
          cfg,
          transition('ALARM', T0 + 11 * MIN, {
            alarmName: i % 2 === 0 ? 'checkout-5xx' : 'checkout-p99',
            alarmArn: `arn:aws:cloudwatch:us-east-1:123456789012:alarm:a-${i}`,
          }),
          `burst-${i}`,
        ),
      ),
    );
    const decisions = settled.flatMap((s) => (s.status === 'fulfilled' ? s.value : []));
    expect(decisions.filter((d) => d.outcome === 'rollback').length).toBeLessThanOrEqual(1);
    expect(deps.deployer.actions().length).toBeLessThanOrEqual(1);
    const state = (await deps.store.loadTargets(['checkout'])).targets.get('checkout')!;
    expect(state.rollbackTimes.length).toBeLessThanOrEqual(2);
    expect(state.rollbackTimes.length).toBe(1 + deps.deployer.actions().length);
  });
});

describe('RELIABILITY #27: a release group under concurrent duplicate deliveries', () => {
  it('RELIABILITY #27 (D): three concurrent deliveries of one member alarm roll each member back once, in order', async () => {
    const members = ['web', 'checkout', 'worker'];
    const targets = members.map((id) => ({ ...ecsTarget({}, id), alarms: [`${id}-5xx`] }));
    const groupConfig: RuntimeConfig = {
      ...runtimeConfig(...targets),
      groups: [{ id: 'storefront', targets: members, releaseWindowMinutes: 30, onMemberFailure: 'stop' }],
    };
    const base = await fresh();
    const deployers = new Map(
      members.map((id, i) => [id, new FakeDeployer(liveInProgress(`${id}:2`, T0 + i * SEC, `${id}:1`))]),
    );
    const deps = { ...base, deployerFor: (t: RuntimeTarget) => deployers.get(t.id)! };
    const fired = transition('ALARM', T0 + 60 * SEC, { alarmName: 'checkout-5xx' });

    const results = await Promise.all(['a', 'b', 'c'].map((r) => handleAlarm(deps, groupConfig, fired, r)));

    for (const id of members) {
      expect(deployers.get(id)!.actions()).toHaveLength(1);
      const decisions = await auditedDecisions(deps.store, id);
      expect(decisions.filter((d) => d.outcome === 'rollback')).toHaveLength(1);
    }
    const rollbacks = results.flat().filter((d) => d.outcome === 'rollback');
    expect(new Set(rollbacks.map((d) => d.incident)).size).toBe(1);
    expect(rollbacks.map((d) => [d.target, d.reason]).sort()).toEqual([
      ['checkout', 'alarm'],
      ['web', 'group'],
      ['worker', 'group'],
    ]);
    // One message, from the delivery that decided the alarmed member, with every member as it stands.
    const messages = deps.notifier.sent.filter((n) => n.kind === 'group-rollback');
    expect(messages.map((n) => n.title)).toEqual([
      'Group storefront: rolling back the release on 3 of 3 members',
    ]);
    expect(messages[0].severity).toBe('warning');
  });
});
