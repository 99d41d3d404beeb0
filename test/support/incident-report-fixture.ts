import type { IncidentReport } from '../../lambda/contract';

/**
 * Incident reports as `buildIncidentReport` (lambda/use-cases/incident-report.ts) makes them, for the renderers'
 * tests: a bad checkout release detected, rolled back and verified (the shape of
 * examples/checkout-bad-deploy.json), and the same alarm on a paused target, which the watchdog did not roll
 * back. Plain literals, so a test can spread one and change a field.
 */

const REGION = 'eu-west-1';
const SERVICE = `https://${REGION}.console.aws.amazon.com/ecs/v2/clusters/prod/services/checkout`;
const DEPLOYER = 'arn:aws:sts::123456789012:assumed-role/checkout-pipeline/codepipeline-deploy';
const ONCALL = 'arn:aws:sts::123456789012:assumed-role/oncall/jane.doe';
const ALARM_REASON =
  'Threshold Crossed: 3 out of the last 3 datapoints [12.0 (01/03/26 10:00:00), 9.0 (01/03/26 09:59:00), 7.0 (01/03/26 09:58:00)] were greater than the threshold (5.0) (minimum 3 datapoints for OK -> ALARM transition).';

const links: IncidentReport['links'] = [
  { label: 'Runbook for checkout', url: 'https://wiki.example.com/runbooks/checkout' },
  {
    label: 'Alarm checkout-5xx',
    url: `https://${REGION}.console.aws.amazon.com/cloudwatch/home?region=${REGION}#alarmsV2:alarm/checkout-5xx`,
  },
  { label: 'Service deployments', url: `${SERVICE}/deployments?region=${REGION}` },
  { label: 'Service logs', url: `${SERVICE}/logs?region=${REGION}` },
];

/** checkout:42 raised 5xx errors; the watchdog stopped its deployment, ECS rolled back to checkout:41, verified. */
export const recoveredIncidentReport: IncidentReport = {
  incident: '5f0c2a7e-91d4-4b6a-8c3e-2d7f1a9b0c41',
  target: 'checkout',
  region: REGION,
  summary:
    'checkout: checkout:42 → checkout:41 after checkout-5xx fired, recovered; detected in 1m, acted in 2s, recovered in 6m 1s.',
  status: 'recovered',
  release: {
    version: 'checkout:42',
    startedAt: '2026-03-01T10:00:00.000Z',
    completedAt: '2026-03-01T10:03:00.000Z',
    deployedBy: DEPLOYER,
    deploymentId: 'ecs-svc/4417281934551208815',
  },
  firstAlarm: {
    alarm: 'checkout-5xx',
    at: '2026-03-01T10:01:00.000Z',
    reason: ALARM_REASON,
    threshold: 5,
    datapoints: [12, 9, 7],
  },
  rollback: {
    decisionId: '5f0c2a7e-91d4-4b6a-8c3e-2d7f1a9b0c41',
    from: 'checkout:42',
    to: 'checkout:41',
    reason: 'alarm',
    decidedAt: '2026-03-01T10:01:02.000Z',
    action: 'stop',
    completedAt: '2026-03-01T10:04:10.000Z',
    verifiedAt: '2026-03-01T10:07:01.000Z',
  },
  times: { detectMs: 60_000, actMs: 2_000, recoverMs: 361_000 },
  timeline: [
    {
      at: '2026-03-01T10:00:00.000Z',
      kind: 'release',
      title: `checkout:42 started deploying (${DEPLOYER})`,
      by: DEPLOYER,
    },
    {
      at: '2026-03-01T10:01:00.000Z',
      kind: 'alarm',
      title: 'checkout-5xx → ALARM',
      detail: ALARM_REASON,
      alarm: 'checkout-5xx',
    },
    {
      at: '2026-03-01T10:01:02.000Z',
      kind: 'decision',
      title: 'rollback (alarm) checkout:42 → checkout:41',
      detail:
        'checkout-5xx is in ALARM 60s after checkout:42 started deploying; checkout:41 is the last known-good version.',
      outcome: 'rollback',
      reason: 'alarm',
      decisionId: '5f0c2a7e-91d4-4b6a-8c3e-2d7f1a9b0c41',
      alarm: 'checkout-5xx',
    },
    {
      at: '2026-03-01T10:01:02.000Z',
      kind: 'call',
      title: 'stop the in-progress deployment of checkout:42 (the platform rolls back to checkout:41)',
      decisionId: '5f0c2a7e-91d4-4b6a-8c3e-2d7f1a9b0c41',
    },
    {
      at: '2026-03-01T10:01:05.000Z',
      kind: 'alarm',
      title: 'checkout-p99 → ALARM',
      detail:
        'Threshold Crossed: 2 out of the last 2 datapoints [1840.0, 1712.0] were greater than the threshold (800.0).',
      alarm: 'checkout-p99',
    },
    {
      at: '2026-03-01T10:04:10.000Z',
      kind: 'rollback-completed',
      title: 'rollback to checkout:41 completed',
      detail: 'ECS rolled the service back to checkout:41: the deployment of checkout:42 was stopped.',
      decisionId: '5f0c2a7e-91d4-4b6a-8c3e-2d7f1a9b0c41',
    },
    {
      at: '2026-03-01T10:06:30.000Z',
      kind: 'alarm-ok',
      title: 'checkout-5xx → OK',
      detail: 'checkout-5xx changed to OK, not ALARM.',
      alarm: 'checkout-5xx',
      decisionId: 'a3e19d02-7c55-4f0b-9e21-6b8d4c2f7a10',
    },
    {
      at: '2026-03-01T10:07:00.000Z',
      kind: 'alarm-ok',
      title: 'checkout-p99 → OK',
      detail: 'checkout-p99 changed to OK, not ALARM.',
      alarm: 'checkout-p99',
      decisionId: 'c81f4b6e-0d2a-4e97-b5c3-19a7e6d04f22',
    },
    {
      at: '2026-03-01T10:07:01.000Z',
      kind: 'verified',
      title: 'verified: every trigger alarm OK on checkout:41',
      detail: 'checkout-5xx and checkout-p99 are OK on checkout:41.',
      decisionId: '5f0c2a7e-91d4-4b6a-8c3e-2d7f1a9b0c41',
    },
    {
      at: '2026-03-01T10:20:00.000Z',
      kind: 'operator',
      title: `resume by ${ONCALL}`,
      detail: 'resumed checkout: re-enabled the Prod stage transition of checkout-pipeline.',
      by: ONCALL,
    },
  ],
  skipped: [
    { reason: 'duplicate', count: 4, first: '2026-03-01T10:01:03.000Z', last: '2026-03-01T10:05:00.000Z' },
    {
      reason: 'rollback-in-progress',
      count: 1,
      first: '2026-03-01T10:01:06.000Z',
      last: '2026-03-01T10:01:06.000Z',
    },
    { reason: 'stale', count: 2, first: '2026-03-01T10:02:00.000Z', last: '2026-03-01T10:03:30.000Z' },
  ],
  serving: [
    {
      version: 'checkout:42',
      from: '2026-03-01T10:00:00.000Z',
      until: '2026-03-01T10:04:10.000Z',
      role: 'released',
    },
    { version: 'checkout:41', from: '2026-03-01T10:04:10.000Z', role: 'rolled-back-to' },
  ],
  alarms: [
    {
      alarm: 'checkout-5xx',
      state: 'OK',
      from: '2026-03-01T10:00:00.000Z',
      until: '2026-03-01T10:01:00.000Z',
    },
    {
      alarm: 'checkout-5xx',
      state: 'ALARM',
      from: '2026-03-01T10:01:00.000Z',
      until: '2026-03-01T10:06:30.000Z',
    },
    { alarm: 'checkout-5xx', state: 'OK', from: '2026-03-01T10:06:30.000Z' },
    {
      alarm: 'checkout-p99',
      state: 'INSUFFICIENT_DATA',
      from: '2026-03-01T10:00:00.000Z',
      until: '2026-03-01T10:01:05.000Z',
    },
    {
      alarm: 'checkout-p99',
      state: 'ALARM',
      from: '2026-03-01T10:01:05.000Z',
      until: '2026-03-01T10:07:00.000Z',
    },
    { alarm: 'checkout-p99', state: 'OK', from: '2026-03-01T10:07:00.000Z' },
  ],
  freeze: { pipeline: 'checkout-pipeline', stage: 'Prod', resumedAt: '2026-03-01T10:20:00.000Z' },
  links,
  window: { start: '2026-03-01T10:00:00.000Z', end: '2026-03-01T10:20:00.000Z' },
  command: `npx rollback-watchdog report checkout --incident 5f0c2a7e-91d4-4b6a-8c3e-2d7f1a9b0c41 --region ${REGION}`,
};

/** The same alarm while checkout was paused: no rollback, checkout:42 still serving, the alarm cleared on its own. */
export const notRolledBackIncidentReport: IncidentReport = {
  incident: '9b27e4d1-3f6c-4a08-b1d5-7e2c9f0a6b33',
  target: 'checkout',
  region: REGION,
  summary: 'checkout: checkout-5xx fired on checkout:42; not rolled back (skip: paused); detected in 1m.',
  status: 'not-rolled-back',
  release: {
    version: 'checkout:42',
    startedAt: '2026-03-01T10:00:00.000Z',
    completedAt: '2026-03-01T10:03:00.000Z',
    deployedBy: DEPLOYER,
  },
  firstAlarm: {
    alarm: 'checkout-5xx',
    at: '2026-03-01T10:01:00.000Z',
    reason: ALARM_REASON,
    threshold: 5,
    datapoints: [12, 9, 7],
  },
  times: { detectMs: 60_000 },
  timeline: [
    {
      at: '2026-03-01T10:00:00.000Z',
      kind: 'release',
      title: `checkout:42 started deploying (${DEPLOYER})`,
      by: DEPLOYER,
    },
    {
      at: '2026-03-01T10:01:00.000Z',
      kind: 'alarm',
      title: 'checkout-5xx → ALARM',
      detail: ALARM_REASON,
      alarm: 'checkout-5xx',
    },
    {
      at: '2026-03-01T10:01:01.000Z',
      kind: 'decision',
      title: 'skip: paused',
      detail: `checkout is paused until 2026-03-01 12:00:00 UTC by ${ONCALL}: no rollback.`,
      outcome: 'skip',
      reason: 'paused',
      decisionId: '9b27e4d1-3f6c-4a08-b1d5-7e2c9f0a6b33',
      alarm: 'checkout-5xx',
    },
    {
      at: '2026-03-01T10:03:00.000Z',
      kind: 'release',
      title: 'checkout:42 completed',
    },
    {
      at: '2026-03-01T10:09:00.000Z',
      kind: 'alarm-ok',
      title: 'checkout-5xx → OK',
      detail: 'checkout-5xx changed to OK, not ALARM.',
      alarm: 'checkout-5xx',
      decisionId: 'e4c0a9b7-52d1-4f3e-8a6c-0b9d7e1f2a58',
    },
  ],
  skipped: [
    { reason: 'duplicate', count: 2, first: '2026-03-01T10:01:02.000Z', last: '2026-03-01T10:02:00.000Z' },
  ],
  serving: [{ version: 'checkout:42', from: '2026-03-01T10:00:00.000Z', role: 'released' }],
  alarms: [
    {
      alarm: 'checkout-5xx',
      state: 'OK',
      from: '2026-03-01T10:00:00.000Z',
      until: '2026-03-01T10:01:00.000Z',
    },
    {
      alarm: 'checkout-5xx',
      state: 'ALARM',
      from: '2026-03-01T10:01:00.000Z',
      until: '2026-03-01T10:09:00.000Z',
    },
    { alarm: 'checkout-5xx', state: 'OK', from: '2026-03-01T10:09:00.000Z' },
  ],
  links,
  window: { start: '2026-03-01T10:00:00.000Z', end: '2026-03-01T10:09:00.000Z' },
  command: `npx rollback-watchdog report checkout --incident 9b27e4d1-3f6c-4a08-b1d5-7e2c9f0a6b33 --region ${REGION}`,
};
