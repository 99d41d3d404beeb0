import { DEFAULT_MAX_EVENT_AGE_MINUTES, type RuntimeConfig } from '../../../lambda/contract';
import { MINUTE, type LiveDeployment } from '../../../lambda/domain';
import { handleOperator } from '../../../lambda/use-cases/operator';
import type { AlarmWriter, PipelineFreezer } from '../../../lambda/use-cases/ports';
import { ecsTarget, liveCompleted, provenEntry, seededState, T0 } from '../../support/domain-fixtures';
import { fakeDeps } from '../../support/fakes';

const alice = 'arn:aws:iam::123456789012:user/alice';
const target = { ...ecsTarget(), freeze: { pipeline: 'checkout-pipeline', stage: 'Prod' } };
const config: RuntimeConfig = {
  schemaVersion: 1,
  account: '123456789012',
  region: 'us-east-1',
  maxEventAgeMinutes: DEFAULT_MAX_EVENT_AGE_MINUTES,
  sweepIntervalMinutes: 5,
  targets: [target],
};
const bad42 = liveCompleted('checkout:42', T0, T0 + MINUTE);

function setup() {
  const deps = fakeDeps(bad42, T0 + 5 * MINUTE);
  const forced: [string, string, string][] = [];
  const alarmWriter: AlarmWriter = { setState: async (n, v, r) => void forced.push([n, v, r]) };
  const pipeline: string[] = [];
  const freezer: PipelineFreezer = {
    disable: async (p, s) => void pipeline.push(`disable ${p}/${s}`),
    enable: async (p, s) => void pipeline.push(`enable ${p}/${s}`),
  };
  deps.store.items.set(
    'checkout',
    seededState({
      ledger: [
        { version: 'checkout:42', status: 'completed', startedAt: T0, completedAt: T0 + MINUTE },
        provenEntry('checkout:41'),
      ],
    }),
  );
  const all = { ...deps, alarmWriter, freezer };
  return {
    ...all,
    forced,
    pipeline,
    run: (request: Parameters<typeof handleOperator>[2], id = 'req-1') =>
      handleOperator(all, config, request, alice, id),
  };
}

describe('handleOperator', () => {
  it('answers an unknown target with the configured ones', async () => {
    const s = setup();
    expect(await s.run({ command: 'pause', target: 'nope', reason: 'x' })).toEqual({
      ok: false,
      error: { code: 'unknown-target', message: 'no target "nope"; configured: checkout' },
    });
  });

  it('pauses and resumes a target, auditing the authenticated principal', async () => {
    const s = setup();
    await s.run({ command: 'pause', target: 'checkout', reason: 'db migration' });
    expect(s.store.items.get('checkout')?.paused).toMatchObject({ by: alice, reason: 'db migration' });
    await s.run({ command: 'resume', target: 'checkout' });
    expect(s.store.items.get('checkout')?.paused).toBeUndefined();
    expect(
      s.store.audit
        .filter((e) => e.type === 'operator')
        .map((e) => e.type === 'operator' && [e.command, e.by]),
    ).toEqual([
      ['pause', alice],
      ['resume', alice],
    ]);
  });

  it('pauses and resumes the whole watchdog without a target', async () => {
    const s = setup();
    await s.run({ command: 'pause', reason: 'game day' });
    expect(s.store.globalPause).toMatchObject({ by: alice, reason: 'game day' });
    await s.run({ command: 'resume' });
    expect(s.store.globalPause).toBeUndefined();
  });

  it('rolls back by hand through the claim, freezes the pipeline, and resume unfreezes it', async () => {
    const s = setup();
    const r = await s.run({ command: 'rollback', target: 'checkout', reason: 'customers report errors' });
    expect(r).toMatchObject({
      ok: true,
      result: {
        done: true,
        decision: { outcome: 'rollback', reason: 'manual', from: 'checkout:42', to: 'checkout:41' },
      },
    });
    expect(s.deployer.actions()).toEqual([{ op: 'redeploy', target: 'checkout', arg: 'checkout:41' }]);
    expect(s.store.items.get('checkout')).toMatchObject({
      rollback: { reason: 'manual' },
      frozen: { pipeline: 'checkout-pipeline', stage: 'Prod' },
    });
    expect(s.store.decisions()).toEqual([
      expect.objectContaining({ outcome: 'rollback', reason: 'manual', by: alice }),
    ]);
    expect(s.notifier.sent.map((n) => n.kind)).toEqual(['rollback-started']);

    await s.run({ command: 'resume', target: 'checkout' }, 'req-2');
    expect(s.pipeline).toEqual(['disable checkout-pipeline/Prod', 'enable checkout-pipeline/Prod']);
    expect(s.store.items.get('checkout')?.frozen).toBeUndefined();
  });

  it('refuses a rollback to a version outside the ledger unless forced, and acts on nothing', async () => {
    const s = setup();
    expect(
      await s.run({ command: 'rollback', target: 'checkout', to: 'checkout:7', reason: 'x' }),
    ).toMatchObject({ ok: false, error: { code: 'refused' } });
    expect(s.deployer.actions()).toEqual([]);
  });

  it('approves a pending rollback', async () => {
    const s = setup();
    s.store.items.set('checkout', {
      ...s.store.items.get('checkout')!,
      pendingApproval: {
        decisionId: 'd-1',
        trigger: 'checkout-5xx',
        from: 'checkout:42',
        to: 'checkout:41',
        requestedAt: T0 + 2 * MINUTE,
        expiresAt: T0 + 17 * MINUTE,
      },
    });
    const r = await s.run({ command: 'approve', target: 'checkout' });
    expect(r).toMatchObject({ ok: true, result: { decision: { reason: 'approved' } } });
    expect(s.deployer.actions()).toHaveLength(1);
    expect(s.store.items.get('checkout')?.pendingApproval).toBeUndefined();
  });

  it('starts a drill: records the intent, then forces the alarm', async () => {
    const s = setup();
    const r = await s.run({ command: 'drill', target: 'checkout' });
    expect(r).toMatchObject({ ok: true, result: { drill: { alarm: 'checkout-5xx', live: false } } });
    expect(s.store.items.get('checkout')?.drill).toMatchObject({
      alarm: 'checkout-5xx',
      by: alice,
      live: false,
    });
    expect(s.forced).toEqual([['checkout-5xx', 'ALARM', expect.stringContaining('drill')]]);
    expect(await s.run({ command: 'drill', target: 'checkout', alarm: 'other' })).toMatchObject({
      ok: false,
      error: { code: 'invalid-request' },
    });
  });

  it('shows status and history', async () => {
    const s = setup();
    await s.run({ command: 'rollback', target: 'checkout', reason: 'r' });
    const st = await s.run({ command: 'status' });
    expect(st).toMatchObject({
      ok: true,
      result: {
        targets: [
          {
            target: 'checkout',
            currentVersion: 'checkout:42',
            knownGoodVersion: 'checkout:41',
            mode: 'auto',
            rollback: { from: 'checkout:42', to: 'checkout:41' },
            lastDecision: { outcome: 'rollback', reason: 'manual' },
            frozen: { pipeline: 'checkout-pipeline' },
          },
        ],
      },
    });
    const h = await s.run({ command: 'history', target: 'checkout' });
    expect(h.ok && (h.result as { kind: string }[]).map((i) => i.kind)).toEqual(
      expect.arrayContaining(['decision', 'operator']),
    );
  });
});

it('announces a pause (who, why, until when) and its resume, and stores when a pause given a duration ends', async () => {
  const s = setup();
  const now = T0 + 5 * MINUTE;
  await s.run({ command: 'pause', target: 'checkout', reason: 'db migration', forMinutes: 120 });
  expect(s.store.items.get('checkout')?.paused).toEqual({
    at: now,
    by: alice,
    reason: 'db migration',
    until: now + 120 * MINUTE,
  });
  await s.run({ command: 'pause', reason: 'game day' });
  await s.run({ command: 'resume' }, 'req-2');
  expect(s.notifier.sent.map((n) => [n.kind, n.target, n.context['by'], n.context['until']])).toEqual([
    ['paused', 'checkout', alice, new Date(now + 120 * MINUTE).toISOString()],
    ['paused', '_watchdog', alice, undefined],
    ['resumed', '_watchdog', alice, undefined],
  ]);
  const st = await s.run({ command: 'status', target: 'checkout' });
  expect(st).toMatchObject({
    ok: true,
    result: {
      targets: [{ paused: { reason: 'db migration', until: new Date(now + 120 * MINUTE).toISOString() } }],
    },
  });
});

it('history returns what happened since --since (inclusive), and the last 24 hours without it', async () => {
  const s = setup();
  const now = T0 + 5 * MINUTE;
  const at = [now - 30 * 60 * MINUTE, now - 2 * 60 * MINUTE, now - 60 * MINUTE, now - MINUTE];
  for (const [i, t] of at.entries()) {
    await s.store.appendAudit({
      type: 'operator',
      at: t,
      target: 'checkout',
      command: 'pause',
      by: alice,
      detail: `entry ${i}`,
      requestId: `req-h${i}`,
    });
  }
  const details = async (sinceMs?: number) => {
    const h = await s.run({
      command: 'history',
      target: 'checkout',
      ...(sinceMs !== undefined ? { sinceMs } : {}),
    });
    return h.ok ? (h.result as { detail: string }[]).map((i) => i.detail) : h;
  };
  expect(await details(now - 60 * MINUTE)).toEqual(['entry 2', 'entry 3']);
  expect(await details(now - 2 * 60 * MINUTE)).toEqual(['entry 1', 'entry 2', 'entry 3']);
  expect(await details()).toEqual(['entry 1', 'entry 2', 'entry 3']);
  expect(await details(now - 40 * 60 * MINUTE)).toEqual(['entry 0', 'entry 1', 'entry 2', 'entry 3']);
});

it('resume forgets the transitions decided while paused, so an alarm still firing is decided again', async () => {
  const s = setup();
  s.store.items.set('checkout', {
    ...s.store.items.get('checkout')!,
    paused: { at: T0, by: alice, reason: 'x' },
    handled: [{ key: 'k', at: T0, decisionId: 'd' }],
  });
  await s.run({ command: 'resume', target: 'checkout' });
  expect(s.store.items.get('checkout')).toMatchObject({ handled: [] });
  expect(s.store.items.get('checkout')?.paused).toBeUndefined();
});

describe('handleOperator: rollback --force to a revision only CodeDeploy remembers', () => {
  const payments = {
    id: 'payments',
    type: 'codedeploy' as const,
    application: 'payments',
    deploymentGroup: 'payments-prod',
    alarms: ['payments-errors'],
    policy: target.policy,
  };
  const cdConfig: RuntimeConfig = { ...config, targets: [payments] };
  const r5 = JSON.stringify({
    revisionType: 'GitHub',
    gitHubLocation: { repository: 'payments', commitId: 'r5' },
  });

  function cdSetup(history: LiveDeployment[]) {
    const live = liveCompleted('payments@r8', T0, T0 + MINUTE);
    const deps = fakeDeps(live, T0 + 5 * MINUTE);
    const asked: number[] = [];
    Object.assign(deps.deployer, {
      history: async (_t: unknown, since: number) => {
        asked.push(since);
        return history;
      },
    });
    deps.store.items.set(
      'payments',
      seededState({ targetId: 'payments', ledger: [provenEntry('payments@r7')] }),
    );
    const all = { ...deps, alarmWriter: { setState: async () => undefined } };
    return {
      ...deps,
      asked,
      run: (r: Parameters<typeof handleOperator>[2]) => handleOperator(all, cdConfig, r, alice, 'req'),
    };
  }

  it('resolves the revision from the group history and redeploys it exactly as it was deployed', async () => {
    const s = cdSetup([
      {
        id: 'd-5',
        version: 'payments@r5',
        state: 'completed',
        startedAt: T0 - 40 * 24 * 60 * MINUTE,
        artifact: r5,
      },
    ]);
    const redeploy = jest.spyOn(s.deployer, 'redeploy');
    const res = await s.run({
      command: 'rollback',
      target: 'payments',
      to: 'payments@r5',
      force: true,
      reason: 'r5 was the last stable build',
    });
    expect(res).toMatchObject({ ok: true, result: { done: true } });
    expect(redeploy).toHaveBeenCalledWith(
      expect.objectContaining({ id: 'payments' }),
      'payments@r5',
      r5,
      expect.any(String),
    );
    // A year back, from the command's own clock.
    expect(s.asked).toEqual([T0 + 5 * MINUTE - 365 * 24 * 60 * MINUTE]);
  });

  it('refuses a revision neither the ledger nor the history knows, as version-unknown, audited', async () => {
    const s = cdSetup([]);
    const res = await s.run({
      command: 'rollback',
      target: 'payments',
      to: 'payments@r1',
      force: true,
      reason: 'x',
    });
    expect(res).toMatchObject({ ok: false, error: { code: 'refused' } });
    expect(s.store.decisions()).toEqual([
      expect.objectContaining({ outcome: 'skip', reason: 'version-unknown', to: 'payments@r1', by: alice }),
    ]);
    expect(s.deployer.actions()).toEqual([]);
  });
});

describe('handleOperator: report', () => {
  it('reports the newest incident, finds one by any decision id in it, and history names it', async () => {
    const s = setup();
    const rolled = await s.run({ command: 'rollback', target: 'checkout', reason: 'leaks connections' });
    expect(rolled).toMatchObject({ ok: true, result: { done: true } });
    const decision = s.store.audit.find((e) => e.type === 'decision');
    const id = decision?.type === 'decision' ? decision.decision.id : '';
    const newest = await s.run({ command: 'report', target: 'checkout' });
    expect(newest).toMatchObject({
      ok: true,
      result: {
        report: {
          incident: id,
          target: 'checkout',
          status: 'rolling-back',
          rollback: { decisionId: id, reason: 'manual', by: alice, from: 'checkout:42', to: 'checkout:41' },
          release: { version: 'checkout:42' },
        },
        incidents: [{ incident: id }],
      },
    });
    expect(await s.run({ command: 'report', target: 'checkout', incident: id })).toMatchObject({
      ok: true,
      result: { report: { incident: id } },
    });
    const history = await s.run({ command: 'history', target: 'checkout' });
    expect(history.ok && (history.result as { kind: string; incident?: string }[])).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'decision', incident: id })]),
    );
  });

  it('answers an incident it does not know with not-found, naming the ones it has', async () => {
    const s = setup();
    expect(await s.run({ command: 'report', target: 'checkout', incident: 'nope' })).toEqual({
      ok: false,
      error: {
        code: 'not-found',
        message: 'no incident nope in the audit of checkout; it has had no incident the audit still holds',
      },
    });
    expect(await s.run({ command: 'report', target: 'checkout' })).toEqual({
      ok: true,
      result: { incidents: [] },
    });
  });
});
