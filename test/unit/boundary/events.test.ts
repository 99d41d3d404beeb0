import {
  parseAlarmEvent,
  parseCodeDeployEvent,
  parseEcsDeploymentEvent,
  parseServiceArn,
} from '../../../lambda/boundary/events';
import { fixtureEvent } from '../../support/events';

describe('parseAlarmEvent', () => {
  it('parses a metric alarm transition, keyed on the state timestamp', () => {
    const r = parseAlarmEvent(fixtureEvent('cloudwatch-alarm-state-change'));
    expect(r).toMatchObject({
      ok: true,
      envelope: { id: 'c4c1c1c9-6542-e61b-6ef0-8c4d36933a92', account: '123456789012', region: 'us-east-1' },
      value: {
        alarmName: 'ServerCpuTooHigh',
        alarmArn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:ServerCpuTooHigh',
        value: 'ALARM',
        previousValue: 'OK',
        timestamp: Date.parse('2019-10-02T17:04:40.989Z'),
      },
    });
  });

  it('parses a composite alarm whose state equals its previous state (suppression ended)', () => {
    const r = parseAlarmEvent(fixtureEvent('cloudwatch-composite-alarm-state-change'));
    expect(r).toMatchObject({
      ok: true,
      value: {
        alarmName: 'checkout-health',
        value: 'ALARM',
        previousValue: 'ALARM',
        previousTimestamp: Date.parse('2023-08-04T12:54:46.138Z'),
      },
    });
  });

  it('tolerates extra fields', () => {
    const e = fixtureEvent('cloudwatch-alarm-state-change');
    e.detail.somethingNew = { x: 1 };
    e.extra = true;
    expect(parseAlarmEvent(e).ok).toBe(true);
  });

  it('rejects a missing detail.state, naming the path', () => {
    const e = fixtureEvent('cloudwatch-alarm-state-change');
    delete e.detail.state;
    expect(parseAlarmEvent(e)).toEqual({
      ok: false,
      reason: 'malformed',
      problems: [expect.stringMatching(/^\$\.detail\.state: /)],
    });
  });

  it('lists every problem at once', () => {
    const e = fixtureEvent('cloudwatch-alarm-state-change');
    e.account = 'nope';
    e.detail.state.value = 'ON_FIRE';
    e.detail.state.timestamp = 'yesterday';
    const r = parseAlarmEvent(e);
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.problems.map((p) => p.split(':')[0])).toEqual([
        '$.account',
        '$.detail.state.value',
        '$.detail.state.timestamp',
      ]);
  });

  it('rejects another detail-type as unsupported', () => {
    expect(parseAlarmEvent(fixtureEvent('ecs-deployment-completed'))).toMatchObject({
      ok: false,
      reason: 'unsupported-detail-type',
    });
  });

  it.each([null, 42, 'text', [], {}])('rejects %p as malformed', (raw) => {
    expect(parseAlarmEvent(raw)).toMatchObject({ ok: false, reason: 'malformed' });
  });
});

describe('parseEcsDeploymentEvent', () => {
  it('parses the service from resources[0] and the deployment id (ecs-svc/...) from detail', () => {
    expect(parseEcsDeploymentEvent(fixtureEvent('ecs-deployment-completed'))).toMatchObject({
      ok: true,
      value: {
        cluster: 'default',
        service: 'servicetest',
        event: {
          deploymentId: 'ecs-svc/123',
          phase: 'completed',
          rollingBack: false,
          at: Date.parse('2020-05-23T12:36:11Z'),
        },
      },
    });
  });

  it.each([
    ['ecs-deployment-in-progress', 'in-progress', false],
    ['ecs-deployment-rollback-in-progress', 'in-progress', true],
    ['ecs-deployment-failed', 'failed', false],
  ])('%s → %s (rolling back: %s)', (name, phase, rollingBack) => {
    expect(parseEcsDeploymentEvent(fixtureEvent(name))).toMatchObject({
      ok: true,
      value: { event: { phase, rollingBack } },
    });
  });

  it('rejects an event without a service ARN', () => {
    const e = fixtureEvent('ecs-deployment-completed');
    e.resources = ['arn:aws:ecs:us-west-2:111122223333:cluster/default'];
    expect(parseEcsDeploymentEvent(e)).toMatchObject({
      ok: false,
      reason: 'malformed',
      problems: [expect.stringContaining('$.resources')],
    });
  });

  it('rejects an unknown eventName', () => {
    const e = fixtureEvent('ecs-deployment-completed');
    e.detail.eventName = 'SERVICE_TASK_PLACEMENT_FAILURE';
    expect(parseEcsDeploymentEvent(e)).toMatchObject({
      ok: false,
      reason: 'malformed',
      problems: [expect.stringContaining('$.detail.eventName')],
    });
  });
});

describe('parseServiceArn', () => {
  it('accepts only the long service ARN format', () => {
    expect(parseServiceArn('arn:aws:ecs:us-east-1:123456789012:service/prod/checkout')).toEqual({
      cluster: 'prod',
      service: 'checkout',
    });
    expect(parseServiceArn('arn:aws:ecs:us-east-1:123456789012:service/checkout')).toBeUndefined();
  });
});

describe('parseCodeDeployEvent', () => {
  it('parses the group and the deployment, timed by the envelope', () => {
    expect(parseCodeDeployEvent(fixtureEvent('codedeploy-deployment-state-change'))).toMatchObject({
      ok: true,
      value: {
        application: 'myApplication',
        deploymentGroup: 'myDeploymentGroup',
        event: {
          deploymentId: 'd-123456789',
          phase: 'completed',
          at: Date.parse('2016-06-30T22:06:31Z'),
          rollingBack: false,
        },
      },
    });
  });

  it.each([
    ['START', 'in-progress'],
    ['READY', 'in-progress'],
    ['SUCCESS', 'completed'],
    ['FAILURE', 'failed'],
    ['STOP', 'failed'],
  ])('%s → %s', (state, phase) => {
    const e = fixtureEvent('codedeploy-deployment-state-change');
    e.detail.state = state;
    expect(parseCodeDeployEvent(e)).toMatchObject({ ok: true, value: { event: { phase } } });
  });

  it('rejects an unknown state and a missing deployment id together', () => {
    const e = fixtureEvent('codedeploy-deployment-state-change');
    e.detail.state = 'EXPLODED';
    delete e.detail.deploymentId;
    const r = parseCodeDeployEvent(e);
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.problems.map((p) => p.split(':')[0]).sort()).toEqual([
        '$.detail.deploymentId',
        '$.detail.state',
      ]);
  });

  it('rejects an ECS event as another detail-type', () => {
    expect(parseCodeDeployEvent(fixtureEvent('ecs-deployment-completed'))).toMatchObject({
      ok: false,
      reason: 'unsupported-detail-type',
    });
  });
});
