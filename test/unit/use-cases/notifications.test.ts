import { kindLinks } from '../../support/kind-links';
import {
  DEFAULT_POLICY,
  NOTIFICATION_KINDS,
  nextStepLine,
  type ChatbotNotification,
  type NotificationKind,
  type RuntimeCodeDeployTarget,
} from '../../../lambda/contract';
import { MINUTE, type ActiveRollback, type Decision, type Verification } from '../../../lambda/domain';
import { renderMessageAttributes } from '../../../lambda/adapters/sns-notifier';
import {
  describeNotification,
  LINKS_HEADING,
  renderChatbotCard as renderChatbotMessage,
} from '../../../lambda/channels/chatbot';
import { renderEmailText } from '../../../lambda/channels/email';
import { toSlackMessage } from '../../../lambda/channels/slack';
import {
  consoleLinks,
  decisionNotification,
  describeReasonData,
  groupNotification,
  pauseNotification,
  retentionWarning,
  rollbackResultNotification,
  verificationFailedNotification,
  type NotificationContext,
  type PauseChange,
} from '../../../lambda/use-cases/notifications';
import type { Notification } from '../../../lambda/use-cases/ports';
import { ecsTarget, SEC, T0, transition } from '../../support/domain-fixtures';

/** A notification's next steps as the card shows them. */
const stepLines = (n: Notification): string[] => n.nextSteps.map(nextStepLine);

const REGION = 'eu-west-1';
const checkout = ecsTarget();
const ctx: NotificationContext = {
  consoleLinks: kindLinks,
  region: REGION,
  stack: 'shop-watchdog',
  target: checkout,
};
const payments: RuntimeCodeDeployTarget = {
  id: 'payments',
  type: 'codedeploy',
  application: 'payments',
  deploymentGroup: 'payments-prod',
  alarms: ['payments-errors'],
  policy: { ...DEFAULT_POLICY, mode: 'approval' },
};

const METRIC_REASON_DATA = JSON.stringify({
  version: '1.0',
  queryDate: '2026-03-01T10:01:00.000+0000',
  startDate: '2026-03-01T09:58:00.000+0000',
  statistic: 'Average',
  period: 60,
  recentDatapoints: [31.25, 35.0, 40.123456],
  threshold: 30.0,
  evaluatedDatapoints: [{ timestamp: '2026-03-01T10:00:00.000+0000', sampleCount: 5.0, value: 40.123456 }],
});
const alarm = transition('ALARM', T0 + 60 * SEC, {
  reason:
    'Threshold Crossed: 3 out of the last 3 datapoints [40.123456 (01/03/26 10:00:00)] were greater than the threshold (30.0).',
  reasonData: METRIC_REASON_DATA,
});

function decision(overrides: Partial<Decision> = {}): Decision {
  return {
    id: 'dec-1',
    at: T0 + 61 * SEC,
    target: 'checkout',
    trigger: 'checkout-5xx',
    outcome: 'rollback',
    reason: 'alarm',
    from: 'checkout:42',
    to: 'checkout:41',
    action: {
      kind: 'stop',
      deploymentRef: 'arn:aws:ecs:eu-west-1:123456789012:service-deployment/prod/checkout/abc',
    },
    detail: 'checkout-5xx fired while checkout:42 was deploying; rolling back to checkout:41.',
    escalate: false,
    notify: 'rollback-started',
    ...overrides,
  };
}

const rollback: ActiveRollback = {
  decisionId: 'dec-1',
  trigger: 'checkout-5xx',
  reason: 'alarm',
  from: 'checkout:42',
  to: 'checkout:41',
  action: 'stop',
  claimedAt: T0 + 61 * SEC,
  leaseUntil: T0 + 31 * MINUTE,
};

const verification: Verification = {
  decisionId: 'dec-1',
  startedAt: T0 + 61 * SEC,
  trigger: 'checkout-5xx',
  from: 'checkout:42',
  to: 'checkout:41',
  completedAt: T0 + 4 * MINUTE,
  deadline: T0 + 19 * MINUTE,
};

const skipped = (reason: Decision['reason'], detail: string, notify: NotificationKind, extra = {}) =>
  decision({
    outcome: 'skip',
    reason,
    detail,
    notify,
    escalate: notify === 'escalation',
    action: undefined,
    ...extra,
  });

/** One message per kind and escalation variant, as the Reporter would publish them. */
const storefront = {
  id: 'storefront',
  targets: ['web', 'checkout', 'worker'],
  releaseWindowMinutes: 30,
  onMemberFailure: 'stop' as const,
};
const groupIncident = () =>
  groupNotification(
    {
      group: storefront,
      incident: 'inc-1',
      trigger: 'checkout',
      alarm: 'checkout-5xx',
      outcomes: [
        {
          member: 'web',
          outcome: 'failed',
          detail: 'web cannot be rolled back: UpdateService was refused: AccessDeniedException',
        },
        {
          member: 'checkout',
          outcome: 'decided',
          decision: decision({ group: 'storefront', incident: 'inc-1' }),
        },
        { member: 'worker', outcome: 'not-attempted' },
      ],
      stoppedAt: 'web',
    },
    ctx,
  );

const CASES: [string, () => Notification | undefined][] = [
  [
    'rollback-started',
    () => decisionNotification(decision(), alarm, { ...ctx, changes: ['web: a/web:1.5.0 → a/web:1.4.2'] }),
  ],
  [
    'rollback-succeeded',
    () =>
      rollbackResultNotification('checkout', 'rollback-succeeded', rollback, T0 + 4 * MINUTE, undefined, ctx),
  ],
  [
    'rollback-failed',
    () =>
      rollbackResultNotification(
        'checkout',
        'rollback-failed',
        rollback,
        T0 + 4 * MINUTE,
        'ECS reported ROLLBACK_FAILED',
        ctx,
      ),
  ],
  [
    'rollback-skipped (cooldown)',
    () =>
      decisionNotification(
        skipped('cooldown', 'checkout was rolled back 5 minutes ago.', 'rollback-skipped'),
        alarm,
        ctx,
      ),
  ],
  [
    'rollback-skipped (dry run)',
    () =>
      decisionNotification(
        decision({
          outcome: 'dry-run',
          action: undefined,
          notify: 'rollback-skipped',
          detail: 'Dry run: would stop checkout:42.',
        }),
        alarm,
        ctx,
      ),
  ],
  [
    'approval-requested',
    () =>
      decisionNotification(
        decision({
          outcome: 'approval-requested',
          action: undefined,
          notify: 'approval-requested',
          detail: 'Approval needed.',
        }),
        alarm,
        ctx,
      ),
  ],
  [
    'escalation (no-known-good)',
    () =>
      decisionNotification(
        skipped('no-known-good', 'No known-good version of checkout other than checkout:42.', 'escalation', {
          to: undefined,
        }),
        alarm,
        ctx,
      ),
  ],
  [
    'escalation (rate-limited)',
    () =>
      decisionNotification(
        skipped('rate-limited', '2 rollbacks in the last 60 minutes.', 'escalation'),
        alarm,
        ctx,
      ),
  ],
  [
    'escalation (target-invalid)',
    () =>
      decisionNotification(
        skipped('target-invalid', 'service checkout in cluster prod does not exist.', 'escalation', {
          from: undefined,
          to: undefined,
        }),
        alarm,
        ctx,
      ),
  ],
  [
    'escalation (approval-expired)',
    () =>
      decisionNotification(
        skipped('approval-expired', 'Nobody approved in time.', 'escalation'),
        undefined,
        ctx,
      ),
  ],
  [
    'escalation (verification failed)',
    () =>
      verificationFailedNotification(
        'checkout',
        verification,
        'checkout-5xx still in ALARM 15 minutes after the rollback to checkout:41 completed',
        ctx,
        ['checkout-5xx'],
      ),
  ],
  [
    'drill',
    () =>
      decisionNotification(
        decision({
          outcome: 'dry-run',
          action: undefined,
          notify: 'drill',
          detail: 'Dry run: would stop checkout:42.',
          drill: { id: 'drill-7', live: false, alarmToDecisionMs: 850 },
        }),
        alarm,
        ctx,
      ),
  ],
];

const alice = 'arn:aws:sts::123456789012:assumed-role/oncall/alice';
const where = { stack: 'shop-watchdog', region: REGION, consoleLinks: kindLinks };
const PAUSE_CASES: PauseChange[] = [
  {
    change: 'paused',
    target: 'checkout',
    by: alice,
    at: T0,
    reason: 'db migration',
    until: T0 + 120 * MINUTE,
  },
  { change: 'resumed', target: 'checkout', by: alice, at: T0 + 30 * MINUTE, notes: [] },
];

const retentionFindings = () =>
  retentionWarning(
    [
      {
        version: 'checkout:41',
        risk: 'expiring',
        details: ['rule 1 keeps the 10 newest images tagged prod*; this image is the 11th'],
      },
      { version: 'checkout:40', risk: 'gone', details: ['image …/checkout@sha256:ab is not in ECR'] },
    ],
    ctx,
  );

describe('retention warning', () => {
  it('names every version at risk and why, says nothing changed, and starts the next steps with a command', () => {
    const n = retentionFindings();
    expect(n).toMatchObject({ kind: 'warning', severity: 'warning', target: 'checkout' });
    expect(n.title).toContain('checkout:41, checkout:40');
    expect(n.changed).toEqual([
      'checkout:41 (expires within a day): rule 1 keeps the 10 newest images tagged prod*; this image is the 11th',
      'checkout:40 (gone): image …/checkout@sha256:ab is not in ECR',
    ]);
    expect(n.did).toMatch(/^Nothing changed\./);
    expect(n.nextSteps[0].command).toMatch(/npx rollback-watchdog status checkout/);
    expect(n.context).toMatchObject({ kind: 'warning', versions: 'checkout:41,checkout:40' });
  });
});

describe('group rollback message', () => {
  it('lists every member in order with its outcome, says the order stopped and why, and is high severity', () => {
    const n = groupIncident();
    expect(n).toMatchObject({ kind: 'group-rollback', severity: 'high', target: 'storefront' });
    expect(n.title).toBe('Group storefront: rollback of the release stopped, web failed');
    expect(n.changed).toEqual([
      'web: FAILED: web cannot be rolled back: UpdateService was refused: AccessDeniedException',
      'checkout: rollback (alarm) checkout:42 → checkout:41',
      'worker: not attempted (the order stopped after web)',
    ]);
    expect(n.did).toContain('worker was not touched; checkout, whose own alarm fired, was decided');
    expect(n.nextSteps.map((s) => s.command)).toEqual([
      expect.stringMatching(/status web /),
      expect.stringMatching(/status worker /),
      expect.stringMatching(/status checkout /),
    ]);
    expect(n.context).toMatchObject({
      group: 'storefront',
      incident: 'inc-1',
      members: 'web,checkout,worker',
    });
  });

  it('shows the members a concurrent delivery of the same alarm decided as that delivery left them', () => {
    const n = groupNotification(
      {
        group: storefront,
        incident: 'inc-1',
        trigger: 'checkout',
        alarm: 'checkout-5xx',
        outcomes: [
          { member: 'web', outcome: 'concurrent', rolledBack: true, from: 'web:2', to: 'web:1' },
          {
            member: 'checkout',
            outcome: 'decided',
            decision: decision({ group: 'storefront', incident: 'inc-1' }),
          },
          { member: 'worker', outcome: 'concurrent', rolledBack: false },
        ],
      },
      ctx,
    );
    expect(n.changed).toEqual([
      'web: rollback (group) web:2 → web:1, by a concurrent delivery of the same alarm',
      'checkout: rollback (alarm) checkout:42 → checkout:41',
      'worker: decided by a concurrent delivery of the same alarm, not rolled back (see its own message)',
    ]);
    expect(n.title).toBe('Group storefront: rolling back the release on 2 of 3 members');
    expect(n.severity).toBe('high');
  });

  it('renders on every channel', () => {
    const n = groupIncident();
    expect(renderEmailText(n)).toContain('worker: not attempted (the order stopped after web)');
    expect(JSON.stringify(toSlackMessage(n))).toContain('Group storefront');
    expect(renderChatbotMessage(n).content.title).toBe(n.title);
  });

  it('names the group and the incident on every member decision it announces', () => {
    const n = decisionNotification(
      decision({ group: 'storefront', incident: 'inc-1', reason: 'group' }),
      alarm,
      ctx,
    );
    expect(n?.context).toMatchObject({ group: 'storefront', incident: 'inc-1', reason: 'group' });
  });
});

describe('notifications', () => {
  it('covers every notification kind', () => {
    // Act
    const kinds = new Set([
      ...CASES.map(([, build]) => build()?.kind),
      ...PAUSE_CASES.map((c) => pauseNotification(c, where).kind),
      retentionFindings().kind,
      groupIncident().kind,
    ]);

    // Assess
    expect([...kinds].sort()).toEqual([...NOTIFICATION_KINDS].sort());
  });

  describe.each(CASES)('%s', (_label, build) => {
    const notification = build()!;
    const chatbot = JSON.parse(JSON.stringify(renderChatbotMessage(notification))) as ChatbotNotification;

    it('renders a Chatbot custom notification with the contract fields', () => {
      // Assess
      expect(chatbot).toEqual({
        version: '1.0',
        source: 'custom',
        content: {
          title: expect.any(String),
          description: expect.any(String),
          nextSteps: expect.any(Array),
          keywords: expect.arrayContaining(['checkout', notification.kind]),
        },
        metadata: {
          threadId: 'checkout',
          additionalContext: expect.objectContaining({
            kind: notification.kind,
            target: 'checkout',
            trigger: 'checkout-5xx',
            reason: expect.any(String),
            decisionId: 'dec-1',
          }),
        },
      });
      expect(chatbot.content.title.length).toBeGreaterThan(0);
      expect(Object.values(chatbot.metadata.additionalContext).every((v) => typeof v === 'string')).toBe(
        true,
      );
    });

    it('carries the filter attributes kind, target and severity, and itself as the typed notification', () => {
      // Act
      const attributes = renderMessageAttributes(notification);

      // Assess
      expect(attributes).toEqual({
        kind: { DataType: 'String', StringValue: notification.kind },
        target: { DataType: 'String', StringValue: 'checkout' },
        severity: { DataType: 'String', StringValue: expect.stringMatching(/^(info|warning|high)$/) },
        notification: { DataType: 'String', StringValue: expect.any(String) },
      });
      expect(JSON.parse(attributes['notification']?.StringValue ?? '')).toEqual({
        formatVersion: 1,
        ...notification,
      });
    });

    it('says what fired, what changed, what the watchdog did and what to do next, with the exact command', () => {
      // Assess
      const description: string = chatbot.content.description;
      expect(description).toMatch(/^What fired: .*checkout-5xx/);
      expect(description).toMatch(/\nWhat the watchdog did: \S/);
      expect(description).toMatch(/\nWhat to do next: .*npx rollback-watchdog [a-z]+ checkout/);
      expect(chatbot.content.nextSteps[0]).toMatch(/npx rollback-watchdog [a-z]+ checkout/);
      expect(chatbot.content.nextSteps.every((s: string) => s.trim().length > 0)).toBe(true);
    });

    it('links the alarm, the service deployments and the logs in the console', () => {
      // Assess
      const description: string = chatbot.content.description;
      expect(description).toContain(`\n\n${LINKS_HEADING}\n`);
      expect(description).toContain(
        `Alarm checkout-5xx: https://${REGION}.console.aws.amazon.com/cloudwatch/home?region=${REGION}#alarmsV2:alarm/checkout-5xx`,
      );
      expect(description).toContain(
        `Service deployments: https://${REGION}.console.aws.amazon.com/ecs/v2/clusters/prod/services/checkout/deployments?region=${REGION}`,
      );
      expect(description).toContain(
        `Service logs: https://${REGION}.console.aws.amazon.com/ecs/v2/clusters/prod/services/checkout/logs?region=${REGION}`,
      );
    });
  });

  describe('rollback-started', () => {
    it('names the versions and the images that differ, and how the rollback was made', () => {
      // Act
      const n = decisionNotification(decision(), alarm, {
        ...ctx,
        changes: ['web: a/web:1.5.0 → a/web:1.4.2'],
      })!;

      // Assess
      expect(n).toMatchObject({
        kind: 'rollback-started',
        severity: 'warning',
        title: 'Rolling back checkout: checkout:42 → checkout:41',
        context: {
          kind: 'rollback-started',
          target: 'checkout',
          from: 'checkout:42',
          to: 'checkout:41',
          trigger: 'checkout-5xx',
          reason: 'alarm',
          outcome: 'rollback',
          decisionId: 'dec-1',
        },
      });
      expect(describeNotification(n)).toContain(
        'What changed: checkout:42 → checkout:41\n• web: a/web:1.5.0 → a/web:1.4.2\nWhat the watchdog did:',
      );
      expect(describeNotification(n)).toContain(
        'Stopped the in-progress deployment of checkout:42 with rollback',
      );
      expect(stepLines(n)).toEqual([
        'Watch the rollback: npx rollback-watchdog status checkout --stack shop-watchdog --region eu-west-1',
        'Stop any further automatic action: npx rollback-watchdog pause checkout --reason "<why>" --stack shop-watchdog --region eu-west-1',
        'See every decision on checkout: npx rollback-watchdog history checkout --stack shop-watchdog --region eu-west-1',
      ]);
    });

    it('puts the alarm reason and the reasonData sentence in "what fired"', () => {
      // Act
      const n = decisionNotification(decision(), alarm, ctx)!;

      // Assess
      expect(describeNotification(n).split('\n')[0]).toBe(
        'What fired: checkout-5xx went to ALARM: Threshold Crossed: 3 out of the last 3 datapoints [40.123456 (01/03/26 10:00:00)] were greater than the threshold (30.0). ' +
          'Recent data points (Average per minute): 31.25, 35, 40.12; threshold 30.',
      );
    });

    it('names the operator behind a manual rollback', () => {
      // Act
      const n = decisionNotification(
        decision({
          reason: 'manual',
          trigger: 'operator',
          by: 'arn:aws:sts::123456789012:assumed-role/oncall/alice',
          action: { kind: 'redeploy', version: 'checkout:40' },
          to: 'checkout:40',
          detail: 'Manual rollback.',
        }),
        undefined,
        ctx,
      )!;

      // Assess
      expect(describeNotification(n)).toMatch(
        /^What fired: arn:aws:sts::123456789012:assumed-role\/oncall\/alice asked for a rollback/,
      );
      expect(describeNotification(n)).toContain('Started a deployment of checkout:40.');
      expect(n.context['by']).toBe('arn:aws:sts::123456789012:assumed-role/oncall/alice');
      // "operator" is not one of the target's alarms, so there is no alarm link.
      expect(describeNotification(n)).not.toContain('#alarmsV2');
    });

    it('marks a live drill in the title', () => {
      // Act
      const n = decisionNotification(
        decision({ drill: { id: 'drill-1', live: true, alarmToDecisionMs: 120 } }),
        alarm,
        ctx,
      )!;

      // Assess
      expect(n.title).toBe('Live drill: Rolling back checkout: checkout:42 → checkout:41');
      expect(describeNotification(n)).toMatch(
        /^What fired: checkout-5xx was forced to ALARM by drill drill-1\./,
      );
    });
  });

  describe('approval-requested', () => {
    it('pages with the approve command and the expiry time', () => {
      // Act
      const n = decisionNotification(
        decision({
          outcome: 'approval-requested',
          action: undefined,
          notify: 'approval-requested',
          detail: 'Approval needed.',
        }),
        alarm,
        ctx,
      )!;

      // Assess
      expect(n.severity).toBe('high');
      expect(n.title).toBe('Approve rollback of checkout: checkout:42 → checkout:41?');
      expect(stepLines(n)[0]).toBe(
        'Approve the rollback to checkout:41: npx rollback-watchdog approve checkout --stack shop-watchdog --region eu-west-1',
      );
      expect(describeNotification(n)).toContain(
        'If nobody approves by 2026-03-01 10:16:01 UTC (15 minutes), the request expires and nothing is rolled back.',
      );
      expect(describeNotification(n)).toContain(
        'What to do next: Approve the rollback to checkout:41: npx rollback-watchdog approve checkout --stack shop-watchdog --region eu-west-1',
      );
    });

    it('without a region: keeps the expiry time, leaves out the console links', () => {
      // Act
      const n = decisionNotification(
        decision({ outcome: 'approval-requested', action: undefined, notify: 'approval-requested' }),
        alarm,
        { target: checkout },
      )!;

      // Assess
      expect(describeNotification(n)).toContain('If nobody approves by 2026-03-01 10:16:01 UTC');
      expect(describeNotification(n)).not.toContain(LINKS_HEADING);
    });

    it('says the watchdog rolls back by itself when the policy says so', () => {
      // Prepare
      const target = ecsTarget({ approvalTimeoutMinutes: 5, approvalTimeoutAction: 'rollback' });

      // Act
      const n = decisionNotification(
        decision({ outcome: 'approval-requested', action: undefined, notify: 'approval-requested' }),
        alarm,
        { consoleLinks: kindLinks, region: REGION, target },
      )!;

      // Assess
      expect(describeNotification(n)).toContain(
        'If nobody approves by 2026-03-01 10:06:01 UTC (5 minutes), the watchdog rolls back to checkout:41 by itself.',
      );
    });
  });

  describe('escalation', () => {
    it.each([
      [
        'no-known-good',
        'npx rollback-watchdog rollback checkout --to <version> --reason "<why>" --stack shop-watchdog --region eu-west-1',
      ],
      ['rate-limited', 'npx rollback-watchdog history checkout --stack shop-watchdog --region eu-west-1'],
      ['target-invalid', 'npx rollback-watchdog status checkout --stack shop-watchdog --region eu-west-1'],
      [
        'approval-expired',
        'npx rollback-watchdog rollback checkout --to checkout:41 --reason "<why>" --stack shop-watchdog --region eu-west-1',
      ],
    ] as const)('%s: high severity, the watchdog holds, and the first step is %s', (reason, command) => {
      // Act
      const n = decisionNotification(skipped(reason, 'Why.', 'escalation'), alarm, ctx)!;

      // Assess
      expect(n.severity).toBe('high');
      expect(n.title).toBe(`Action needed on checkout: ${reason}`);
      expect(stepLines(n)[0]).toContain(command);
      expect(describeNotification(n)).toContain(
        'The watchdog will not act on this on its own: a human must decide.',
      );
      expect(n.keywords).toEqual(['checkout', 'escalation', reason]);
    });

    it('verification failed: says what the check found, the deadline, and that the target is held', () => {
      // Act
      const n = verificationFailedNotification(
        'checkout',
        verification,
        'checkout-5xx, checkout-p99 still in ALARM 15 minutes after the rollback to checkout:41 completed',
        ctx,
        ['checkout-p99', 'checkout-5xx'],
      );

      // Assess
      expect(n).toMatchObject({
        kind: 'escalation',
        severity: 'high',
        title:
          'Action needed on checkout: the rollback to checkout:41 is unverified (a trigger alarm is not OK)',
        context: {
          reason: 'rollback-unverified',
          alarmsNotOk: 'checkout-p99, checkout-5xx',
          decisionId: 'dec-1',
        },
      });
      expect(describeNotification(n)).toContain(
        'What fired: checkout-5xx, checkout-p99 still in ALARM 15 minutes after the rollback to checkout:41 completed; the deadline was 2026-03-01 10:19:00 UTC (15-minute verification).',
      );
      expect(describeNotification(n)).toContain(
        'What changed: checkout:42 → checkout:41, completed at 2026-03-01 10:04:00 UTC',
      );
      expect(describeNotification(n)).toContain('Alarm checkout-p99: https://');
      expect(describeNotification(n)).toContain('Automatic action on checkout is held: a human must decide.');
      expect(stepLines(n)).toContain(
        'Once the cause is fixed, re-enable automatic action: npx rollback-watchdog resume checkout --stack shop-watchdog --region eu-west-1',
      );
    });
  });

  describe('rollback results', () => {
    it('rollback-failed: the first step looks, the next rolls back to another version, with links', () => {
      // Act
      const n = rollbackResultNotification(
        'checkout',
        'rollback-failed',
        rollback,
        T0 + 4 * MINUTE,
        'ECS reported ROLLBACK_FAILED.',
        ctx,
      );

      // Assess
      expect(n.severity).toBe('high');
      expect(stepLines(n)).toEqual([
        'Inspect the target and its deployments (the links below): npx rollback-watchdog status checkout --stack shop-watchdog --region eu-west-1',
        // Never the version that just failed as the obvious answer.
        'Roll back by hand to a version that deploys; checkout:41 did not, so pick another from status: npx rollback-watchdog rollback checkout --to <version> --reason "<why>" --stack shop-watchdog --region eu-west-1',
        'If checkout:41 was not the problem (the failure was elsewhere), retry it: npx rollback-watchdog rollback checkout --to checkout:41 --reason "<why>" --stack shop-watchdog --region eu-west-1',
        'Then re-enable automatic action: npx rollback-watchdog resume checkout --stack shop-watchdog --region eu-west-1',
      ]);
      expect(describeNotification(n)).toContain(`${LINKS_HEADING}\nAlarm checkout-5xx: https://`);
      expect(describeNotification(n)).toContain('Service deployments: https://');
      expect(n.context).toMatchObject({ region: 'eu-west-1', stack: 'shop-watchdog' });
      expect(describeNotification(n)).toContain(
        'failed: ECS reported ROLLBACK_FAILED. Automatic action on checkout is held',
      );
      expect(n.context['why']).toBe('ECS reported ROLLBACK_FAILED.');
    });

    it('rollback-succeeded says the deploy freeze holds and how to lift it', () => {
      const n = rollbackResultNotification(
        'checkout',
        'rollback-succeeded',
        rollback,
        T0 + 4 * MINUTE,
        undefined,
        {
          ...ctx,
          freeze: { pipeline: 'checkout-delivery', stage: 'Prod', disabled: true },
        },
      );
      expect(n.severity).toBe('info');
      expect(describeNotification(n)).toContain(
        'Disabled the transition into stage Prod of pipeline checkout-delivery: the pipeline delivers nothing to checkout until an operator resumes it.',
      );
      expect(stepLines(n)).toContain(
        'Once the release is fixed, lift the freeze and re-enable automatic action: npx rollback-watchdog resume checkout --stack shop-watchdog --region eu-west-1',
      );
    });

    it('a freeze that failed pages (severity high) and gives the manual command', () => {
      const n = rollbackResultNotification(
        'checkout',
        'rollback-succeeded',
        rollback,
        T0 + 4 * MINUTE,
        undefined,
        {
          ...ctx,
          freeze: { pipeline: 'checkout-delivery', stage: 'Prod', disabled: false, error: 'AccessDenied.' },
        },
      );
      expect(n.severity).toBe('high');
      expect(describeNotification(n)).toContain(
        'Could not disable the transition into stage Prod of pipeline checkout-delivery (AccessDenied): the pipeline can deliver the bad release to checkout again.',
      );
      expect(stepLines(n)).toContain(
        `Stop the pipeline by hand: aws codepipeline disable-stage-transition --pipeline-name checkout-delivery --stage-name Prod --transition-type Inbound --reason "rollback of checkout" --region ${REGION}`,
      );
    });

    it('a manual rollback names who asked, links the alarms and does not ask to confirm a person returns to OK', () => {
      const manual = {
        ...rollback,
        reason: 'manual' as const,
        trigger: 'manual by arn:aws:iam::123456789012:user/alice',
      };
      const n = rollbackResultNotification(
        'checkout',
        'rollback-succeeded',
        manual,
        T0 + 4 * MINUTE,
        undefined,
        ctx,
      );
      expect(describeNotification(n)).toContain(
        'What fired: This rollback (manual: manual by arn:aws:iam::123456789012:user/alice) started at',
      );
      expect(stepLines(n)[0]).toBe(
        'Confirm the alarms of checkout stay OK: npx rollback-watchdog status checkout --stack shop-watchdog --region eu-west-1',
      );
      expect(describeNotification(n)).toContain('Alarm checkout-5xx: https://');
    });

    it('a skip says nothing changed and what a rollback would have done', () => {
      const n = decisionNotification(
        decision({
          outcome: 'skip',
          reason: 'cooldown',
          action: undefined,
          notify: 'rollback-skipped',
          detail: 'In cooldown.',
        }),
        alarm,
        ctx,
      )!;
      expect(describeNotification(n)).toContain(
        'What changed: nothing; checkout still runs checkout:42 (a rollback would go to checkout:41)',
      );
    });

    it('a target without a freeze says nothing about one', () => {
      const n = rollbackResultNotification(
        'checkout',
        'rollback-succeeded',
        rollback,
        T0 + 4 * MINUTE,
        undefined,
        ctx,
      );
      expect(describeNotification(n)).not.toContain('transition into stage');
    });

    it('rollback-succeeded says how long it took and that the alarms are now verified', () => {
      // Act
      const n = rollbackResultNotification(
        'checkout',
        'rollback-succeeded',
        rollback,
        T0 + 4 * MINUTE,
        undefined,
        {
          ...ctx,
          changes: ['web: a → b'],
        },
      );

      // Assess
      expect(n.context['durationSeconds']).toBe('179');
      expect(describeNotification(n)).toContain('• web: a → b');
      expect(describeNotification(n)).toContain('must now return to OK within 15 minutes');
    });

    it('keeps working without a context: no links, no change lines', () => {
      // Act
      const n = rollbackResultNotification(
        'checkout',
        'rollback-succeeded',
        rollback,
        T0 + 4 * MINUTE,
        undefined,
      );

      // Assess
      expect(describeNotification(n)).not.toContain(LINKS_HEADING);
      expect(describeNotification(n)).not.toContain('https://');
    });
  });

  describe('rollback-skipped', () => {
    it('a dry run says what it would have done and how to act by hand', () => {
      // Act
      const n = decisionNotification(
        decision({
          outcome: 'dry-run',
          action: undefined,
          notify: 'rollback-skipped',
          detail: 'Dry run: would stop checkout:42.',
        }),
        alarm,
        ctx,
      )!;

      // Assess
      expect(n.severity).toBe('info');
      expect(n.title).toBe('Dry run on checkout: would roll back checkout:42 → checkout:41');
      expect(stepLines(n)[0]).toBe(
        'Roll back by hand: npx rollback-watchdog rollback checkout --to checkout:41 --reason "<why>" --stack shop-watchdog --region eu-west-1',
      );
    });

    it('a platform rollback already under way is information, not a warning', () => {
      // Act
      const n = decisionNotification(
        skipped('native-rollback-in-progress', 'ECS is rolling back.', 'rollback-skipped'),
        alarm,
        ctx,
      )!;

      // Assess
      expect(n.severity).toBe('info');
      expect(n.title).toBe('Not rolling back checkout: native-rollback-in-progress');
    });

    it('is not announced when the decision says so', () => {
      // Act & Assess
      expect(
        decisionNotification(
          skipped('duplicate', 'Seen.', 'rollback-skipped', { notify: undefined }),
          alarm,
          ctx,
        ),
      ).toBeUndefined();
    });
  });

  describe('drill', () => {
    it('says what the watchdog would have done and how fast it decided', () => {
      // Act
      const n = decisionNotification(
        decision({
          outcome: 'dry-run',
          action: undefined,
          notify: 'drill',
          detail: 'Dry run: would stop checkout:42.',
          drill: { id: 'drill-7', live: false, alarmToDecisionMs: 850 },
        }),
        alarm,
        ctx,
      )!;

      // Assess
      expect(n).toMatchObject({
        kind: 'drill',
        severity: 'info',
        title: 'Drill on checkout: would roll back checkout:42 → checkout:41',
        context: { drillId: 'drill-7', drillLive: 'false', alarmToDecisionMs: '850' },
      });
      expect(describeNotification(n)).toContain(
        'Decided dry-run (alarm) 850 ms after the alarm changed state; a rehearsal, nothing was changed.',
      );
      expect(stepLines(n)[0]).toBe(
        "Review the drill's decision: npx rollback-watchdog history checkout --stack shop-watchdog --region eu-west-1",
      );
    });

    it('a drill that would be skipped names the reason', () => {
      // Act
      const n = decisionNotification(
        skipped('cooldown', 'Rolled back recently.', 'drill', {
          drill: { id: 'd', live: false, alarmToDecisionMs: 5 },
        }),
        alarm,
        ctx,
      )!;

      // Assess
      expect(n.title).toBe('Drill on checkout: would not roll back (cooldown)');
    });
  });

  it('quotes a version a shell would split', () => {
    // Act
    const n = decisionNotification(
      skipped('cooldown', 'Recently.', 'rollback-skipped', { to: "s3://bucket/app v2's.zip" }),
      alarm,
      ctx,
    )!;

    // Assess
    expect(stepLines(n)).toContain(
      `Roll back by hand if the release is to blame: npx rollback-watchdog rollback checkout --to 's3://bucket/app v2'\\''s.zip' --reason "<why>" --stack shop-watchdog --region eu-west-1`,
    );
  });
});

describe('describeReasonData', () => {
  it.each([
    [
      'a metric alarm',
      METRIC_REASON_DATA,
      'Recent data points (Average per minute): 31.25, 35, 40.12; threshold 30.',
    ],
    [
      'a percentile over 5 minutes',
      JSON.stringify({
        extendedStatistic: 'p99',
        period: 300,
        recentDatapoints: [1234.56, 2100.4],
        threshold: 1000,
      }),
      'Recent data points (p99 per 5 minutes): 1235, 2100; threshold 1000.',
    ],
    [
      'a metric-math alarm without statistic or period',
      JSON.stringify({ recentDatapoints: [0.000123], threshold: 0.0001 }),
      'Recent data points: 0.000123; threshold 0.0001.',
    ],
    [
      'missing data',
      JSON.stringify({ statistic: 'Sum', period: 60, recentDatapoints: [], threshold: 1 }),
      'No recent data points; threshold 1.',
    ],
    [
      'more than ten data points',
      JSON.stringify({
        statistic: 'Maximum',
        period: 10,
        recentDatapoints: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
        threshold: 5,
      }),
      'Recent data points (Maximum per 10 seconds) (last 10 of 12): 3, 4, 5, 6, 7, 8, 9, 10, 11, 12; threshold 5.',
    ],
    [
      'a composite alarm',
      JSON.stringify({
        triggeringAlarms: [
          {
            arn: 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:checkout-5xx',
            state: { value: 'ALARM', timestamp: '2026-03-01T10:00:00.000+0000' },
          },
          { arn: 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:checkout-p99', state: { value: 'ALARM' } },
        ],
      }),
      'Composite alarm triggered by checkout-5xx (ALARM), checkout-p99 (ALARM).',
    ],
  ])('%s', (_label, reasonData, sentence) => {
    // Act & Assess
    expect(describeReasonData(reasonData)).toBe(sentence);
  });

  it.each([
    ['absent', undefined],
    ['not JSON', 'Threshold Crossed'],
    ['a JSON array', '[1,2]'],
    ['an unknown shape', JSON.stringify({ version: '1.0', queryDate: 'x' })],
    ['a composite alarm without usable entries', JSON.stringify({ triggeringAlarms: [{ state: {} }] })],
  ])('gives nothing for %s', (_label, reasonData) => {
    // Act & Assess
    expect(describeReasonData(reasonData)).toBeUndefined();
  });
});

describe('consoleLinks', () => {
  it('URL-encodes alarm, cluster and service names', () => {
    // Act
    const links = consoleLinks({
      kindLinks,
      region: 'us-east-1',
      target: { ...checkout, cluster: 'prod blue', service: 'check/out' },
      alarm: 'checkout 5xx/rate #1',
    });

    // Assess
    expect(links.map((l) => l.url)).toEqual([
      'https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#alarmsV2:alarm/checkout%205xx%2Frate%20%231',
      'https://us-east-1.console.aws.amazon.com/ecs/v2/clusters/prod%20blue/services/check%2Fout/deployments?region=us-east-1',
      'https://us-east-1.console.aws.amazon.com/ecs/v2/clusters/prod%20blue/services/check%2Fout/logs?region=us-east-1',
    ]);
  });

  it('links the CodeDeploy deployment when its id is known, else the deployment group', () => {
    // Act
    const deployment = consoleLinks({
      kindLinks,
      region: 'us-east-1',
      target: payments,
      deploymentRef: 'd-ABC123XYZ',
    });
    const group = consoleLinks({ kindLinks, region: 'us-east-1', target: payments });

    // Assess
    expect(deployment).toEqual([
      {
        label: 'CodeDeploy deployment d-ABC123XYZ',
        url: 'https://us-east-1.console.aws.amazon.com/codesuite/codedeploy/deployments/d-ABC123XYZ?region=us-east-1',
      },
    ]);
    expect(group).toEqual([
      {
        label: 'CodeDeploy deployment group',
        url: 'https://us-east-1.console.aws.amazon.com/codesuite/codedeploy/applications/payments/deployment-groups/payments-prod?region=us-east-1',
      },
    ]);
  });

  it('links the stopped CodeDeploy deployment from a rollback-started message', () => {
    // Act
    const n = decisionNotification(
      decision({
        target: 'payments',
        trigger: 'payments-errors',
        action: { kind: 'stop', deploymentRef: 'd-XYZ789' },
      }),
      transition('ALARM', T0, { alarmName: 'payments-errors' }),
      { consoleLinks: kindLinks, region: 'us-east-1', target: payments },
    )!;

    // Assess
    expect(describeNotification(n)).toContain(
      'CodeDeploy deployment d-XYZ789: https://us-east-1.console.aws.amazon.com/codesuite/codedeploy/deployments/d-XYZ789?region=us-east-1',
    );
    expect(describeNotification(n)).not.toContain('logs');
  });
});

describe('pause and resume notifications', () => {
  it('paused: who, why, the scope, when it ends, and how to resume, to paste', () => {
    const n = pauseNotification(PAUSE_CASES[0], where);
    expect(n).toMatchObject({
      kind: 'paused',
      severity: 'warning',
      target: 'checkout',
      title: 'Paused checkout: no automatic rollback until 2026-03-01 12:00:00 UTC',
      context: {
        kind: 'paused',
        target: 'checkout',
        by: alice,
        reason: 'db migration',
        until: '2026-03-01T12:00:00.000Z',
      },
    });
    expect(describeNotification(n)).toBe(
      [
        `What fired: ${alice} paused checkout: db migration.`,
        'What changed: automatic action on checkout is held until 2026-03-01 12:00:00 UTC (the sweep resumes it then and says so), or until someone resumes it',
        'What the watchdog did: Holds every automatic action on checkout: alarm rollbacks and approval timeouts. Alarms are still decided and audited (skip: paused), and each new incident is announced once. Operators can still approve and roll back by hand.',
        'What to do next: Resume automatic action: npx rollback-watchdog resume checkout --stack shop-watchdog --region eu-west-1',
      ].join('\n'),
    );
    expect(stepLines(n)[1]).toBe(
      'See what the watchdog holds back: npx rollback-watchdog status checkout --stack shop-watchdog --region eu-west-1',
    );
    const email = renderEmailText(n);
    expect(email).toContain(
      '1. Resume automatic action: npx rollback-watchdog resume checkout --stack shop-watchdog',
    );
    expect(email).toContain(`by: ${alice}`);
  });

  it('paused for the whole watchdog, without a duration', () => {
    const n = pauseNotification(
      { change: 'paused', target: undefined, by: alice, at: T0, reason: 'game day' },
      where,
    );
    expect(n.target).toBe('_watchdog');
    expect(n.title).toBe('Paused the whole watchdog: no automatic rollback until resumed');
    expect(describeNotification(n)).toContain('held until someone resumes it');
    expect(stepLines(n)[0]).toBe(
      'Resume automatic action: npx rollback-watchdog resume --stack shop-watchdog --region eu-west-1',
    );
  });

  it('resumed by an operator, with what else resume did', () => {
    const n = pauseNotification(
      { ...PAUSE_CASES[1], notes: ['re-enabled the Prod transition of pipeline checkout-delivery'] },
      where,
    );
    expect(n).toMatchObject({
      kind: 'resumed',
      severity: 'info',
      title: 'Resumed checkout: automatic rollback is on again',
    });
    expect(describeNotification(n)).toContain(`What fired: ${alice} resumed checkout.`);
    expect(describeNotification(n)).toContain(
      'Re-enabled the Prod transition of pipeline checkout-delivery.',
    );
  });

  it('resumed because a pause given a duration ended', () => {
    const n = pauseNotification(
      {
        change: 'resumed',
        target: 'checkout',
        by: 'watchdog',
        expired: true,
        at: T0 + 121 * MINUTE,
        reason: 'db migration',
        until: T0 + 120 * MINUTE,
      },
      where,
    );
    expect(describeNotification(n)).toContain(
      'What fired: The pause of checkout: db migration ended at 2026-03-01 12:00:00 UTC, as it was set to.',
    );
  });
});

describe('on-call facts in every message, on every channel', () => {
  const RUNBOOK = 'https://wiki.example.com/runbooks/checkout';
  const PRINCIPAL = 'arn:aws:sts::123456789012:assumed-role/deployer/jane';
  const rich: NotificationContext = {
    ...ctx,
    account: '123456789012',
    target: { ...checkout, runbookUrl: RUNBOOK },
    ledger: [
      { version: 'checkout:42', status: 'in-progress', startedAt: T0 - 10 * MINUTE, deployedBy: PRINCIPAL },
      { version: 'checkout:41', status: 'completed', startedAt: T0 - 24 * 60 * MINUTE, proven: true },
    ],
  };
  const DEPLOYED_LINE = `• checkout:42 was deployed at 2026-03-01 09:50:00 UTC by ${PRINCIPAL}`;
  const kinds: [string, () => Notification, boolean][] = [
    ['rollback-started', () => decisionNotification(decision(), alarm, rich)!, true],
    [
      'rollback-skipped',
      () =>
        decisionNotification(skipped('cooldown', 'recently rolled back.', 'rollback-skipped'), alarm, rich)!,
      true,
    ],
    [
      'approval-requested',
      () =>
        decisionNotification(
          decision({ outcome: 'approval-requested', notify: 'approval-requested', action: undefined }),
          alarm,
          rich,
        )!,
      true,
    ],
    [
      'escalation',
      () => decisionNotification(skipped('rate-limited', 'too many.', 'escalation'), alarm, rich)!,
      true,
    ],
    [
      'drill',
      () =>
        decisionNotification(
          decision({
            outcome: 'dry-run',
            notify: 'drill',
            drill: { id: 'drill-1', live: false, alarmToDecisionMs: 40 },
          }),
          alarm,
          rich,
        )!,
      true,
    ],
    [
      'rollback-succeeded',
      () =>
        rollbackResultNotification(
          'checkout',
          'rollback-succeeded',
          rollback,
          T0 + 4 * MINUTE,
          undefined,
          rich,
        ),
      true,
    ],
    [
      'rollback-failed',
      () =>
        rollbackResultNotification(
          'checkout',
          'rollback-failed',
          rollback,
          T0 + 4 * MINUTE,
          'ECS said no',
          rich,
        ),
      true,
    ],
    [
      'escalation (unverified)',
      () => verificationFailedNotification('checkout', verification, 'checkout-5xx still in ALARM', rich),
      false,
    ],
  ];

  it.each(kinds)(
    '%s names the runbook first, the account and region, and who deployed',
    (_kind, build, deployed) => {
      const n = build();
      expect(n.links[0]).toEqual({ label: 'Runbook for checkout', url: RUNBOOK });
      expect(n.context).toMatchObject({ account: '123456789012', region: REGION, runbook: RUNBOOK });
      if (deployed) expect(n.changed).toContain(DEPLOYED_LINE);

      // Card
      const card = renderChatbotMessage(n);
      expect(card.content.description).toContain(`\n\n${LINKS_HEADING}\nRunbook for checkout: ${RUNBOOK}\n`);
      expect(card.metadata.additionalContext).toMatchObject({ account: '123456789012', region: REGION });
      if (deployed) expect(card.content.description).toContain(`\n${DEPLOYED_LINE}\n`);
      // E-mail
      const email = renderEmailText(n);
      expect(email).toContain(`Runbook for checkout: ${RUNBOOK}`);
      expect(email).toContain('\naccount: 123456789012\n');
      if (deployed) expect(email).toContain(DEPLOYED_LINE);
      // Slack
      const slack = toSlackMessage(n, { mention: '<!subteam^S0123ABCD>' });
      const json = JSON.stringify(slack.blocks);
      expect(json).toContain(`"url":"${RUNBOOK}"`);
      expect(json).toContain('*Account:* 123456789012');
      if (deployed) expect(json).toContain(DEPLOYED_LINE);
      expect(slack.text.startsWith('<!subteam^S0123ABCD>')).toBe(n.severity === 'high');
    },
  );

  it("says a CodeDeploy creator is the platform's category, not a principal", () => {
    const n = decisionNotification(decision(), alarm, {
      ...rich,
      ledger: [
        { version: 'checkout:42', status: 'in-progress', deployedBy: 'CodeDeploy creator: CloudFormation' },
      ],
    })!;
    expect(n.changed).toContain(
      "• checkout:42 was deployed (CloudFormation, as CodeDeploy's creator; no CloudTrail principal seen)",
    );
  });

  it('says nothing of the release when the ledger knows neither time nor principal', () => {
    const n = decisionNotification(decision(), alarm, {
      ...rich,
      ledger: [{ version: 'checkout:42', status: 'in-progress' }],
    })!;
    expect(n.changed.some((line) => line.includes('was deployed'))).toBe(false);
  });
});
