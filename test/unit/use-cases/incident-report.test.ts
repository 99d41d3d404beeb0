import { MINUTE, type ActiveRollback, type Decision, type LedgerEntry } from '../../../lambda/domain';
import {
  buildIncidentReport,
  groupIncidents,
  INCIDENT_QUIET_MS,
} from '../../../lambda/use-cases/incident-report';
import { formatDuration, incidentSummary } from '../../../lambda/use-cases/incident-summary';
import {
  rollbackResultNotification,
  verificationFailedNotification,
} from '../../../lambda/use-cases/notifications';
import type { AuditedAlarm, AuditEntry } from '../../../lambda/use-cases/ports';
import { nextStepLine } from '../../../lambda/contract';
import { ecsTarget, SEC, T0 } from '../../support/domain-fixtures';

const target = ecsTarget();

function decision(at: number, overrides: Partial<Decision> & Pick<Decision, 'id'>): Decision {
  return {
    at,
    target: 'checkout',
    trigger: 'checkout-5xx',
    outcome: 'skip',
    reason: 'duplicate',
    detail: 'test',
    escalate: false,
    ...overrides,
  };
}

const alarm = (value: string, at: number, previous = value === 'OK' ? 'ALARM' : 'OK'): AuditedAlarm => ({
  name: 'checkout-5xx',
  value,
  previous,
  at,
  reason: `Threshold Crossed: went to ${value}`,
  threshold: 5,
  datapoints: [12, 14],
});

const decided = (d: Decision, a?: AuditedAlarm): AuditEntry => ({
  type: 'decision',
  at: d.at,
  decision: d,
  requestId: `req-${d.id}`,
  ...(a ? { alarm: a } : {}),
});

const result = (
  at: number,
  decisionId: string,
  kind: 'rollback-succeeded' | 'rollback-failed' | 'rollback-verified',
  detail = 'done',
): AuditEntry => ({
  type: 'rollback-result',
  at,
  target: 'checkout',
  result: kind,
  decisionId,
  from: 'checkout:42',
  to: 'checkout:41',
  detail,
});

const ledger: LedgerEntry[] = [
  {
    version: 'checkout:42',
    status: 'completed',
    startedAt: T0,
    completedAt: T0 + 2 * MINUTE,
    deployedBy: 'arn:aws:iam::1:user/dev',
  },
  { version: 'checkout:41', status: 'completed', startedAt: T0 - 86_400_000, proven: true },
];

/** A rollback incident: release at T0, ALARM at +5m (state time), decided 2 s later, completed +8m, verified +11m. */
function rollbackIncident(id = 'dec-1'): AuditEntry[] {
  const fired = T0 + 5 * MINUTE;
  return [
    decided(
      decision(fired + 2 * SEC, {
        id,
        outcome: 'rollback',
        reason: 'alarm',
        from: 'checkout:42',
        to: 'checkout:41',
        action: { kind: 'redeploy' } as Decision['action'],
      }),
      alarm('ALARM', fired),
    ),
    decided(decision(fired + 3 * SEC, { id: `${id}-dup` }), alarm('ALARM', fired)),
    decided(decision(fired + 4 * SEC, { id: `${id}-dup2` }), alarm('ALARM', fired)),
    decided(decision(fired + 60 * SEC, { id: `${id}-cool`, reason: 'cooldown', trigger: 'checkout-p99' })),
    result(T0 + 8 * MINUTE, id, 'rollback-succeeded'),
    decided(
      decision(T0 + 11 * MINUTE, { id: `${id}-ok`, reason: 'not-alarm-state' }),
      alarm('OK', T0 + 11 * MINUTE),
    ),
    result(T0 + 11 * MINUTE, id, 'rollback-verified'),
  ];
}

describe('groupIncidents', () => {
  it('puts a rollback, its duplicates, its cooldown skips, its result and its verification in one incident', () => {
    const incidents = groupIncidents(rollbackIncident());
    expect(incidents).toHaveLength(1);
    expect(incidents[0]?.id).toBe('dec-1');
    expect(incidents[0]?.entries).toHaveLength(7);
    expect([...(incidents[0]?.decisionIds ?? [])]).toEqual([
      'dec-1',
      'dec-1-dup',
      'dec-1-dup2',
      'dec-1-cool',
      'dec-1-ok',
    ]);
  });

  it('leaves routine skips before any incident out, and opens a new incident after a verified one', () => {
    const before = decided(decision(T0 - MINUTE, { id: 'routine', reason: 'current-is-known-good' }));
    const second = rollbackIncident('dec-2').map((e) => ({ ...e, at: e.at + 60 * MINUTE }));
    const incidents = groupIncidents([before, ...rollbackIncident(), ...second]);
    expect(incidents.map((i) => i.id)).toEqual(['dec-1', 'dec-2']);
    expect(incidents[0]?.decisionIds.has('routine')).toBe(false);
  });

  it('keeps an unverified rollback open until a quiet stretch, then starts afresh', () => {
    const [first, ...rest] = rollbackIncident();
    const unfinished = [first, rest[3]]; // decided and completed, never verified
    const later = decided(
      decision(T0 + 31 * MINUTE + INCIDENT_QUIET_MS, { id: 'later', reason: 'paused' }),
      alarm('ALARM', T0 + 31 * MINUTE + INCIDENT_QUIET_MS),
    );
    const joined = decided(decision(T0 + 30 * MINUTE, { id: 'joined', reason: 'rate-limited' }));
    expect(groupIncidents([...unfinished, joined, later]).map((i) => [...i.decisionIds])).toEqual([
      ['dec-1', 'joined'],
      ['later'],
    ]);
  });

  it('starts a new incident when a rollback acts on another version, even if the first is unsettled', () => {
    const [first] = rollbackIncident();
    const other = decided(
      decision(T0 + 20 * MINUTE, {
        id: 'dec-43',
        outcome: 'rollback',
        reason: 'alarm',
        from: 'checkout:43',
        to: 'checkout:41',
      }),
    );
    expect(groupIncidents([first, other]).map((i) => i.id)).toEqual(['dec-1', 'dec-43']);
  });

  it('keeps an approval request and the approval that answers it together, and uses the group incident id', () => {
    const asked = decided(
      decision(T0 + MINUTE, {
        id: 'ask',
        outcome: 'approval-requested',
        reason: 'alarm',
        from: 'checkout:42',
        to: 'checkout:41',
        incident: 'grp-7',
      }),
      alarm('ALARM', T0 + MINUTE),
    );
    const ok = decided(
      decision(T0 + 2 * MINUTE, { id: 'ok', reason: 'not-alarm-state' }),
      alarm('OK', T0 + 2 * MINUTE),
    );
    const approved = decided(
      decision(T0 + 3 * MINUTE, {
        id: 'yes',
        outcome: 'rollback',
        reason: 'approved',
        from: 'checkout:42',
        to: 'checkout:41',
        by: 'slack:T1/U1',
      }),
    );
    const incidents = groupIncidents([asked, ok, approved]);
    expect(incidents.map((i) => i.id)).toEqual(['grp-7']);
    expect(incidents[0]?.decisionIds.has('yes')).toBe(true);
  });

  it('closes a skip-only incident once its alarm is OK again, so the next alarm is a new incident', () => {
    const paused = decided(decision(T0, { id: 'p1', reason: 'paused' }), alarm('ALARM', T0));
    const ok = decided(
      decision(T0 + MINUTE, { id: 'ok1', reason: 'not-alarm-state' }),
      alarm('OK', T0 + MINUTE),
    );
    const again = decided(
      decision(T0 + 5 * MINUTE, { id: 'p2', reason: 'paused' }),
      alarm('ALARM', T0 + 5 * MINUTE),
    );
    expect(groupIncidents([paused, ok, again]).map((i) => i.id)).toEqual(['p1', 'p2']);
  });
});

describe('buildIncidentReport', () => {
  const [incident] = groupIncidents(rollbackIncident());
  const report = buildIncidentReport(incident, {
    target,
    ledger,
    region: 'eu-west-1',
    stack: 'shop-watchdog',
    newest: true,
  });

  it('measures detect from the release, act and recover from the alarm state change', () => {
    expect(report.times).toEqual({ detectMs: 5 * MINUTE, actMs: 2 * SEC, recoverMs: 6 * MINUTE });
    expect(report.status).toBe('recovered');
    expect(report.summary).toBe(
      'checkout: checkout:42 → checkout:41 after checkout-5xx fired, recovered; detected in 5m, acted in 2s, recovered in 6m.',
    );
  });

  it('names the release, the first alarm with its data points and threshold, and the rollback', () => {
    expect(report.release).toEqual({
      version: 'checkout:42',
      startedAt: '2026-03-01T10:00:00.000Z',
      completedAt: '2026-03-01T10:02:00.000Z',
      deployedBy: 'arn:aws:iam::1:user/dev',
    });
    expect(report.firstAlarm).toMatchObject({
      alarm: 'checkout-5xx',
      at: '2026-03-01T10:05:00.000Z',
      threshold: 5,
      datapoints: [12, 14],
    });
    expect(report.rollback).toMatchObject({
      decisionId: 'dec-1',
      reason: 'alarm',
      action: 'redeploy',
      completedAt: '2026-03-01T10:08:00.000Z',
      verifiedAt: '2026-03-01T10:11:00.000Z',
    });
  });

  it('lists moments in order, shows notable skips and counts routine ones', () => {
    expect(report.timeline.map((e) => e.kind)).toEqual([
      'release',
      'release',
      'alarm',
      'decision',
      'call',
      'decision',
      'rollback-completed',
      'alarm-ok',
      'verified',
    ]);
    expect(report.timeline[5]).toMatchObject({ reason: 'cooldown' });
    expect(report.skipped).toEqual([
      { reason: 'duplicate', count: 2, first: '2026-03-01T10:05:03.000Z', last: '2026-03-01T10:05:04.000Z' },
    ]);
  });

  it('draws the versions serving and the alarm bands over the window', () => {
    expect(report.serving).toEqual([
      {
        version: 'checkout:42',
        from: '2026-03-01T10:00:00.000Z',
        until: '2026-03-01T10:08:00.000Z',
        role: 'released',
      },
      { version: 'checkout:41', from: '2026-03-01T10:08:00.000Z', role: 'rolled-back-to' },
    ]);
    expect(report.alarms).toEqual([
      {
        alarm: 'checkout-5xx',
        state: 'OK',
        from: '2026-03-01T10:00:00.000Z',
        until: '2026-03-01T10:05:00.000Z',
      },
      {
        alarm: 'checkout-5xx',
        state: 'ALARM',
        from: '2026-03-01T10:05:00.000Z',
        until: '2026-03-01T10:11:00.000Z',
      },
      { alarm: 'checkout-5xx', state: 'OK', from: '2026-03-01T10:11:00.000Z' },
    ]);
    expect(report.window).toEqual({ start: '2026-03-01T10:00:00.000Z', end: '2026-03-01T10:11:00.000Z' });
  });

  it('gives the exact command that prints it again, and console links', () => {
    expect(report.command).toBe(
      'npx rollback-watchdog report checkout --incident dec-1 --stack shop-watchdog --region eu-west-1',
    );
    expect(report.links[0]?.label).toBe('Alarm checkout-5xx');
  });

  it('says a rollback that completed but never verified is unverified, and one that failed failed', () => {
    const entries = rollbackIncident();
    const unverified = [
      ...entries.slice(0, 5),
      result(T0 + 30 * MINUTE, 'dec-1', 'rollback-failed', 'completed, but checkout-5xx still in ALARM'),
    ];
    const failed = [
      ...entries.slice(0, 4),
      result(T0 + 9 * MINUTE, 'dec-1', 'rollback-failed', 'ECS reported ROLLBACK_FAILED'),
    ];
    const build = (e: AuditEntry[]) =>
      buildIncidentReport(groupIncidents(e)[0], { target, ledger, newest: true });
    expect(build(unverified).status).toBe('unverified');
    expect(build(unverified).times.recoverMs).toBeUndefined();
    expect(build(unverified).timeline.at(-1)?.kind).toBe('unverified');
    expect(build(failed).status).toBe('failed');
    expect(build(entries.slice(0, 1)).status).toBe('rolling-back');
    expect(build(entries.slice(0, 5)).status).toBe('verifying');
  });
});

describe('the rollback notifications end with the incident summary and the report command', () => {
  const rollback: ActiveRollback = {
    decisionId: 'dec-1',
    trigger: 'checkout-5xx',
    reason: 'alarm',
    from: 'checkout:42',
    to: 'checkout:41',
    action: 'redeploy',
    claimedAt: T0 + 5 * MINUTE + 2 * SEC,
    leaseUntil: T0 + 30 * MINUTE,
    transition: {
      alarmName: 'checkout-5xx',
      alarmArn: 'arn:aws:cloudwatch:eu-west-1:1:alarm:checkout-5xx',
      value: 'ALARM',
      timestamp: T0 + 5 * MINUTE,
      previousValue: 'OK',
      previousTimestamp: undefined,
      reason: 'Threshold Crossed',
      reasonData: undefined,
    },
  };
  const ctx = { target, region: 'eu-west-1', stack: 'shop-watchdog', ledger };

  it('rollback-succeeded: the summary so far, and `report --incident <decision>` as the last step', () => {
    const n = rollbackResultNotification(
      'checkout',
      'rollback-succeeded',
      rollback,
      T0 + 8 * MINUTE,
      undefined,
      ctx,
    );
    expect(n.did).toMatch(
      /Incident so far: checkout: checkout:42 → checkout:41 after checkout-5xx fired, rolled back, verifying; detected in 5m, acted in 2s, recovered in n\/a \(rolled back, verifying\)\.$/,
    );
    expect(nextStepLine(n.nextSteps.at(-1)!)).toBe(
      'Read the incident report: npx rollback-watchdog report checkout --incident dec-1 --stack shop-watchdog --region eu-west-1',
    );
  });

  it('verification failed: the summary says unverified, and names the report', () => {
    const n = verificationFailedNotification(
      'checkout',
      {
        decisionId: 'dec-1',
        startedAt: rollback.claimedAt,
        trigger: 'checkout-5xx',
        from: 'checkout:42',
        to: 'checkout:41',
        completedAt: T0 + 8 * MINUTE,
        deadline: T0 + 23 * MINUTE,
      },
      'checkout-5xx still in ALARM',
      ctx,
    );
    expect(n.did).toContain(
      'Incident: checkout: checkout:42 → checkout:41 after checkout-5xx fired, rolled back but unverified',
    );
    expect(nextStepLine(n.nextSteps.at(-1)!)).toContain('report checkout --incident dec-1');
  });

  it('names what started an incident no alarm started: a person, another region', () => {
    expect(
      incidentSummary({
        target: 'checkout',
        from: 'checkout:42',
        to: 'checkout:41',
        cause: 'quarantine from us-east-1',
        status: 'recovered',
        detectedAt: T0,
        actedAt: T0,
        recoveredAt: T0 + 4 * MINUTE,
      }),
    ).toBe(
      'checkout: checkout:42 → checkout:41 (quarantine from us-east-1), recovered; detected in n/a, acted in 0ms, recovered in 4m.',
    );
    const manual = decided(
      decision(T0 + MINUTE, {
        id: 'm-1',
        outcome: 'rollback',
        reason: 'manual',
        trigger: 'manual by alice',
        from: 'checkout:42',
        to: 'checkout:41',
      }),
    );
    const report = buildIncidentReport(groupIncidents([manual])[0], { target, ledger, newest: true });
    expect(report.summary).toContain('checkout:42 → checkout:41 (manual by alice), rolling back');
    expect(report.times).toEqual({ detectMs: MINUTE, actMs: 0 });
  });

  it('formats durations as on-call reads them', () => {
    expect([850, 2_000, 65_000, 3_600_000, 3_900_000].map(formatDuration)).toEqual([
      '850ms',
      '2s',
      '1m 5s',
      '1h',
      '1h 5m',
    ]);
    expect(
      incidentSummary({
        target: 'checkout',
        from: 'checkout:42',
        alarm: 'checkout-5xx',
        status: 'not-rolled-back',
        instead: 'skip: paused',
        detectedAt: T0,
      }),
    ).toBe('checkout: checkout-5xx fired on checkout:42; not rolled back (skip: paused); detected in n/a.');
  });
});
