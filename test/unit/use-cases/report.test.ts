import { describeNotification } from '../../../lambda/channels/chatbot';
import { METRIC, type RuntimeTarget } from '../../../lambda/contract';
import type { ActiveRollback, Decision, LiveTarget } from '../../../lambda/domain';
import type { ActionResult, Deployer } from '../../../lambda/use-cases/ports';
import { Reporter, type ReporterDeps } from '../../../lambda/use-cases/report';
import { ecsTarget, SEC, T0, transition } from '../../support/domain-fixtures';
import { InMemoryStateStore, RecordingNotifier, RecordingTelemetry } from '../../support/fakes';
import type { Notification } from '../../../lambda/use-cases/ports';

/** The card's description of a sent notification ('' when none was sent). */
const text = (n: Notification | undefined): string => (n ? describeNotification(n) : '');

const target = ecsTarget();
const context = { region: 'us-east-1', target };
const alarm = transition('ALARM', T0);

const started: Decision = {
  id: 'dec-1',
  at: T0 + SEC,
  target: 'checkout',
  trigger: 'checkout-5xx',
  outcome: 'rollback',
  reason: 'alarm',
  from: 'checkout:42',
  to: 'checkout:41',
  action: { kind: 'redeploy', version: 'checkout:41' },
  detail: 'Rolling back.',
  escalate: false,
  notify: 'rollback-started',
};

const rollback: ActiveRollback = {
  decisionId: 'dec-1',
  trigger: 'checkout-5xx',
  reason: 'alarm',
  from: 'checkout:42',
  to: 'checkout:41',
  action: 'redeploy',
  claimedAt: T0,
  leaseUntil: T0 + 1_800 * SEC,
};

/** A deployer whose describeChange is scripted per test; the Reporter calls nothing else. */
class DescribingDeployer implements Deployer {
  readonly changeCalls: [string, string, string][] = [];
  constructor(private readonly lines: () => Promise<string[]>) {}
  inspect(): Promise<LiveTarget> {
    return Promise.reject(new Error('not used'));
  }
  stop(): Promise<ActionResult> {
    return Promise.reject(new Error('not used'));
  }
  redeploy(): Promise<ActionResult> {
    return Promise.reject(new Error('not used'));
  }
  describeChange(t: RuntimeTarget, from: string, to: string): Promise<string[]> {
    this.changeCalls.push([t.id, from, to]);
    return this.lines();
  }
}

function setup(answer: () => Promise<string[]>, overrides: Partial<ReporterDeps> = {}) {
  const store = new InMemoryStateStore();
  const notifier = new RecordingNotifier();
  const telemetry = new RecordingTelemetry();
  const deployer = new DescribingDeployer(answer);
  const reporter = new Reporter({
    store,
    notifier,
    telemetry,
    deployerFor: () => deployer,
    describeChangeTimeoutMs: 50,
    ...overrides,
  });
  return { store, notifier, telemetry, deployer, reporter };
}

describe('Reporter', () => {
  describe('the audit of a decision keeps the alarm transition behind it', () => {
    it('with its state time, reason, threshold and data points; a quarantine is no alarm', async () => {
      const { reporter, store } = setup(async () => []);
      const fired = transition('ALARM', T0, {
        reason: 'Threshold Crossed: 2 datapoints were greater than the threshold (5.0).',
        reasonData: JSON.stringify({ threshold: 5, recentDatapoints: [7, 9.5, 'x'] }),
      });
      await reporter.decision(started, 'req-1', fired, context);
      await reporter.decision(
        { ...started, id: 'q-1' },
        'req-2',
        { ...fired, alarmArn: 'quarantine:dec-9' },
        context,
      );
      const [first, second] = store.audit;
      expect(first?.type === 'decision' && first.alarm).toEqual({
        name: 'checkout-5xx',
        value: 'ALARM',
        previous: fired.previousValue,
        at: T0,
        reason: 'Threshold Crossed: 2 datapoints were greater than the threshold (5.0).',
        threshold: 5,
        datapoints: [7, 9.5],
      });
      expect(second?.type === 'decision' && second.alarm).toBeUndefined();
    });
  });

  describe('decision', () => {
    it('adds what a started rollback changes to its message', async () => {
      // Prepare
      const { reporter, notifier, deployer, store } = setup(async () => ['web: a:2 → a:1']);

      // Act
      await reporter.decision(started, 'req-1', alarm, context);

      // Assess
      expect(deployer.changeCalls).toEqual([['checkout', 'checkout:42', 'checkout:41']]);
      expect(notifier.sent).toHaveLength(1);
      expect(text(notifier.sent[0])).toContain('What changed: checkout:42 → checkout:41\n• web: a:2 → a:1');
      expect(text(notifier.sent[0])).toContain('https://us-east-1.console.aws.amazon.com/');
      expect(store.decisions()).toEqual([started]);
    });

    it('does not hold the audit write for the change description', async () => {
      // Prepare
      let answer!: (lines: string[]) => void;
      const { reporter, notifier, store } = setup(
        () => new Promise<string[]>((resolve) => (answer = resolve)),
        { describeChangeTimeoutMs: 10_000 },
      );

      // Act
      const reporting = reporter.decision(started, 'req-1', alarm, context);
      await new Promise((resolve) => setTimeout(resolve, 20));

      // Assess
      expect(store.decisions()).toHaveLength(1);
      expect(notifier.sent).toHaveLength(0);
      answer(['web: a:2 → a:1']);
      await reporting;
      expect(notifier.sent).toHaveLength(1);
    });

    it('sends the message without the lines when describing takes too long', async () => {
      // Prepare
      const { reporter, notifier, telemetry } = setup(() => new Promise<string[]>(() => undefined));
      const startedAt = Date.now();

      // Act
      await reporter.decision(started, 'req-1', alarm, context);

      // Assess
      expect(Date.now() - startedAt).toBeLessThan(1_000);
      expect(text(notifier.sent[0])).not.toContain('•');
      expect(telemetry.logs.map((l) => l.message)).toContain(
        'change description timed out; notifying without it',
      );
    });

    it('sends the message without the lines when describing fails', async () => {
      // Prepare
      const { reporter, notifier } = setup(() => Promise.reject(new Error('boom')));

      // Act
      await reporter.decision(started, 'req-1', alarm, context);

      // Assess
      expect(notifier.sent).toHaveLength(1);
      expect(text(notifier.sent[0])).not.toContain('•');
    });

    it('survives a deployer lookup that throws', async () => {
      // Prepare
      const { reporter, notifier } = setup(async () => [], {
        deployerFor: (): Deployer => {
          throw new TypeError('no deployer for this target type');
        },
      });

      // Act
      await reporter.decision(started, 'req-1', alarm, context);

      // Assess
      expect(notifier.sent).toHaveLength(1);
    });

    it.each([
      ['a skip', { ...started, outcome: 'skip', reason: 'cooldown', notify: 'rollback-skipped' }],
      ['an approval request', { ...started, outcome: 'approval-requested', notify: 'approval-requested' }],
    ] as const)('does not describe the change for %s', async (_label, decision) => {
      // Prepare
      const { reporter, notifier, deployer } = setup(async () => ['x']);

      // Act
      await reporter.decision(decision, 'req-1', alarm, context);

      // Assess
      expect(deployer.changeCalls).toEqual([]);
      expect(notifier.sent).toHaveLength(1);
    });

    it('keeps its old contract without a context: no links, no change lines', async () => {
      // Prepare
      const { reporter, notifier, deployer } = setup(async () => ['x']);

      // Act
      await reporter.decision(started, 'req-1', alarm);

      // Assess
      expect(deployer.changeCalls).toEqual([]);
      expect(text(notifier.sent[0])).not.toContain('https://');
    });

    it('never throws when publishing fails: logs and counts it (RELIABILITY #9)', async () => {
      // Prepare
      const { reporter, notifier, telemetry, store } = setup(async () => []);
      notifier.failWith = new Error('SNS unavailable');

      // Act
      await reporter.decision(started, 'req-1', alarm, context);

      // Assess
      expect(store.decisions()).toHaveLength(1);
      expect(telemetry.total(METRIC.notificationFailures)).toBe(1);
    });
  });

  describe('rollbackResult', () => {
    it('audits a one-sentence summary and announces the success with what changed back', async () => {
      // Prepare
      const { reporter, notifier, store, deployer } = setup(async () => ['web: a:2 → a:1']);

      // Act
      await reporter.rollbackResult(
        { kind: 'rollback-succeeded', rollback, at: T0 + 120 * SEC },
        T0 + 121 * SEC,
        context,
      );

      // Assess
      expect(store.audit).toEqual([
        {
          type: 'rollback-result',
          at: T0 + 121 * SEC,
          target: 'checkout',
          result: 'rollback-succeeded',
          decisionId: 'dec-1',
          from: 'checkout:42',
          to: 'checkout:41',
          detail:
            'The rollback of checkout from checkout:42 to checkout:41, triggered by checkout-5xx, completed after 120 s.',
        },
      ]);
      expect(deployer.changeCalls).toHaveLength(1);
      expect(notifier.sent.map((n) => n.kind)).toEqual(['rollback-succeeded']);
      expect(text(notifier.sent[0])).toContain('• web: a:2 → a:1');
    });

    it('announces a failure at once, without reading the platform again', async () => {
      // Prepare
      const { reporter, notifier, deployer, store } = setup(async () => ['x']);

      // Act
      await reporter.rollbackResult(
        { kind: 'rollback-failed', rollback, at: T0 + 60 * SEC, why: 'ECS reported FAILED' },
        T0 + 61 * SEC,
        context,
      );

      // Assess
      expect(deployer.changeCalls).toEqual([]);
      expect(notifier.sent.map((n) => [n.kind, n.severity])).toEqual([['rollback-failed', 'high']]);
      expect(store.audit[0]).toMatchObject({
        result: 'rollback-failed',
        detail: expect.stringContaining('failed: ECS reported FAILED.'),
      });
    });

    it('never throws when the audit write and the publish both fail', async () => {
      // Prepare
      const { reporter, notifier, telemetry, store } = setup(async () => []);
      notifier.failWith = new Error('SNS unavailable');
      store.appendAudit = () => Promise.reject(new Error('DynamoDB unavailable'));

      // Act & Assess
      await expect(
        reporter.rollbackResult({ kind: 'rollback-succeeded', rollback, at: T0 }, T0, context),
      ).resolves.toBeUndefined();
      expect(telemetry.total(METRIC.notificationFailures)).toBe(1);
      expect(telemetry.total(METRIC.auditFailures)).toBe(1);
    });
  });

  describe('verificationFailed', () => {
    it('audits the failure and escalates with the alarm still firing linked', async () => {
      // Prepare
      const { reporter, notifier, store, deployer } = setup(async () => ['x']);
      const verification = {
        decisionId: 'dec-1',
        startedAt: T0,
        trigger: 'checkout-5xx',
        from: 'checkout:42',
        to: 'checkout:41',
        completedAt: T0 + 120 * SEC,
        deadline: T0 + 1_020 * SEC,
      };
      const why = 'checkout-p99 still in ALARM 15 minutes after the rollback to checkout:41 completed';

      // Act
      await reporter.verificationFailed({ verification, why }, T0 + 1_021 * SEC, context, ['checkout-p99']);

      // Assess
      expect(store.audit).toEqual([
        expect.objectContaining({
          type: 'rollback-result',
          result: 'rollback-failed',
          decisionId: 'dec-1',
          detail: `The rollback of checkout from checkout:42 to checkout:41 completed, but ${why}.`,
        }),
      ]);
      expect(notifier.sent.map((n) => [n.kind, n.severity, n.context['reason']])).toEqual([
        ['escalation', 'high', 'rollback-unverified'],
      ]);
      expect(text(notifier.sent[0])).toContain('#alarmsV2:alarm/checkout-p99');
      expect(deployer.changeCalls).toEqual([]);
    });
  });
});

it('logs every decision with its id as the correlation id', async () => {
  const { RecordingTelemetry, InMemoryStateStore, RecordingNotifier } = await import('../../support/fakes');
  const { Reporter } = await import('../../../lambda/use-cases/report');
  const telemetry = new RecordingTelemetry();
  const reporter = new Reporter({
    store: new InMemoryStateStore(),
    notifier: new RecordingNotifier(),
    telemetry,
  });
  await reporter.decision(
    {
      id: 'dec-42',
      at: 0,
      target: 'checkout',
      trigger: 'checkout-5xx',
      outcome: 'skip',
      reason: 'duplicate',
      detail: 'x',
      escalate: false,
    },
    'req-1',
  );
  expect(telemetry.logs.find((l) => l.message.startsWith('decision'))?.fields).toMatchObject({
    correlation_id: 'dec-42',
  });
});
