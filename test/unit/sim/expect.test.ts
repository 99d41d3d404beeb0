import { checkExpectations } from '../../../lambda/sim/expect';
import type { Observed } from '../../../lambda/sim/output';

const observed: Observed = {
  name: 'run',
  decisions: [
    {
      at: '2026-03-01T10:01:00.000Z',
      target: 'checkout',
      trigger: 'checkout-5xx',
      outcome: 'rollback',
      reason: 'alarm',
      from: 'checkout:42',
      to: 'checkout:41',
    },
    {
      at: '2026-03-01T10:01:00.000Z',
      target: 'checkout',
      trigger: 'checkout-5xx',
      outcome: 'skip',
      reason: 'duplicate',
    },
    {
      at: '2026-03-01T10:04:00.000Z',
      target: 'checkout',
      trigger: 'checkout-5xx',
      outcome: 'skip',
      reason: 'not-alarm-state',
    },
  ],
  calls: [
    { at: '2026-03-01T10:01:00.000Z', api: 'ecs:StopServiceDeployment', target: 'checkout', params: {} },
    { at: '2026-03-01T10:01:00.000Z', api: 'sns:Publish', target: 'checkout', params: {} },
  ],
  notifications: [
    {
      at: '2026-03-01T10:01:00.000Z',
      kind: 'rollback-started',
      target: 'checkout',
      title: 'Rolling back checkout',
    },
  ],
  final: { checkout: 'checkout:41' },
  alarms: { 'checkout-5xx': 'OK' },
  stats: { awsReads: 10, awsWrites: 5, events: 4 },
  failureDestination: [],
  errors: [],
  commands: [],
  ledger: [
    {
      target: 'checkout',
      version: 'checkout:42',
      status: 'failed',
      deployedBy: 'arn:aws:sts::123456789012:assumed-role/deployer/alice',
    },
    { target: 'checkout', version: 'checkout:41', status: 'completed' },
  ],
};

describe('checkExpectations', () => {
  it('passes when there is no expect block', () => {
    expect(checkExpectations(undefined, observed)).toEqual([]);
  });

  it('passes when every expectation holds', () => {
    expect(
      checkExpectations(
        {
          calls: { 'ecs:StopServiceDeployment': 1, 'ecs:UpdateService': 0, 'sns:Publish': 1 },
          final: { checkout: 'checkout:41' },
          decisions: [
            { outcome: 'rollback', target: 'checkout', from: 'checkout:42', to: 'checkout:41', count: 1 },
            { outcome: 'skip', count: 2 },
            { reason: 'duplicate', at: '2026-03-01T10:01:00.000Z', count: 1 },
            { outcome: 'dry-run', count: 0 },
          ],
          notifications: [{ kind: 'rollback-started', title: 'Rolling back checkout', count: 1 }],
          alarms: { 'checkout-5xx': 'OK' },
        },
        observed,
      ),
    ).toEqual([]);
  });

  it('names expected and actual in one sentence per failure', () => {
    expect(
      checkExpectations(
        {
          calls: { 'ecs:StopServiceDeployment': 0, 'ecs:UpdateService': 2 },
          final: { checkout: 'checkout:42' },
          decisions: [{ outcome: 'rollback', reason: 'manual', count: 1 }],
          notifications: [{ kind: 'escalation', count: 1 }],
          alarms: { 'checkout-5xx': 'ALARM' },
        },
        observed,
      ),
    ).toEqual([
      'expected 0 ecs:StopServiceDeployment calls, got 1',
      'expected 2 ecs:UpdateService calls, got 0',
      'expected checkout to run checkout:42 at the end, it runs checkout:41',
      'expected 1 decision matching {"outcome":"rollback","reason":"manual"}, got 0; decisions were: checkout rollback (alarm) at 2026-03-01T10:01:00.000Z, checkout skip (duplicate) at 2026-03-01T10:01:00.000Z, checkout skip (not-alarm-state) at 2026-03-01T10:04:00.000Z',
      'expected 1 notification matching {"kind":"escalation"}, got 0; notifications were: rollback-started for checkout at 2026-03-01T10:01:00.000Z',
      'expected alarm checkout-5xx to end ALARM, it ends OK',
    ]);
  });

  it('matches final ledger entries on the fields given, who deployed included', () => {
    const alice = 'arn:aws:sts::123456789012:assumed-role/deployer/alice';
    expect(
      checkExpectations(
        {
          ledger: [
            { target: 'checkout', version: 'checkout:42', deployedBy: alice, count: 1 },
            { target: 'checkout', count: 2 },
            { deployedBy: 'arn:aws:iam::123456789012:user/bob', count: 0 },
          ],
        },
        observed,
      ),
    ).toEqual([]);
    expect(
      checkExpectations({ ledger: [{ version: 'checkout:41', deployedBy: alice, count: 1 }] }, observed),
    ).toEqual([
      `expected 1 ledger entry matching {"version":"checkout:41","deployedBy":"${alice}"}, got 0; the ledgers were: checkout checkout:42 failed (deployed by ${alice}), checkout checkout:41 completed`,
    ]);
  });

  it('fails on too many matches as well as too few (count is exact)', () => {
    expect(checkExpectations({ decisions: [{ outcome: 'skip', count: 1 }] }, observed)).toEqual([
      expect.stringMatching(/^expected 1 decision matching \{"outcome":"skip"\}, got 2; /),
    ]);
  });

  it('fails a run the simulator could not carry out as written, even without an expect block', () => {
    const withError: Observed = {
      ...observed,
      errors: [
        {
          at: '2026-03-01T10:05:00.000Z',
          source: 'ecs:ListTasks',
          message: 'ecs:ListTasks is not modelled by the simulator',
        },
      ],
    };
    expect(checkExpectations(undefined, withError)).toEqual([
      'the scenario did not run as written: ecs:ListTasks: ecs:ListTasks is not modelled by the simulator',
    ]);
  });
});
