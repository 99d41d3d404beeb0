import { DEFAULT_POLICY, REJECTED_SCOPE, type RuntimeConfig } from '../../../lambda/contract';
import { admitDeploymentEvent, type AdmissionDeps } from '../../../lambda/handlers/runtime';
import { fixtureEvent } from '../../support/events';
import { InMemoryStateStore, ManualClock, RecordingTelemetry } from '../../support/fakes';

/** The ECS fixture is from account 111122223333 in us-west-2, service servicetest in cluster default. */
const config: RuntimeConfig = {
  schemaVersion: 1,
  account: '111122223333',
  region: 'us-west-2',
  maxEventAgeMinutes: 60,
  sweepIntervalMinutes: 5,
  targets: [
    {
      id: 'web',
      type: 'ecs-service',
      cluster: 'default',
      service: 'servicetest',
      alarms: ['web-5xx'],
      policy: { ...DEFAULT_POLICY },
    },
    {
      id: 'payments',
      type: 'codedeploy',
      application: 'myApplication',
      deploymentGroup: 'myDeploymentGroup',
      alarms: ['payments-errors'],
      policy: { ...DEFAULT_POLICY },
    },
  ],
};

function deps() {
  const store = new InMemoryStateStore();
  const telemetry = new RecordingTelemetry();
  const admission: AdmissionDeps = {
    store,
    telemetry,
    clock: new ManualClock(Date.parse('2020-05-23T12:40:00Z')),
    configSource: { load: () => Promise.resolve(config) },
  };
  return { store, telemetry, admission };
}

/** The CodeDeploy fixture, moved into the ECS fixture's account, region and time. */
function codeDeployEvent(): Record<string, any> {
  const event = fixtureEvent('codedeploy-deployment-state-change');
  event.account = config.account;
  event.region = config.region;
  event.detail.region = config.region;
  event.time = '2020-05-23T12:36:14Z';
  return event;
}

describe('admitDeploymentEvent', () => {
  it('admits an ECS deployment event with the target it is about', async () => {
    const { admission, store } = deps();
    const admitted = await admitDeploymentEvent(admission, fixtureEvent('ecs-deployment-completed'), 'req-1');
    expect(admitted?.target.id).toBe('web');
    expect(store.audit).toEqual([]);
  });

  it('admits a CodeDeploy deployment event, told apart by its source', async () => {
    const { admission } = deps();
    const admitted = await admitDeploymentEvent(admission, codeDeployEvent(), 'req-1');
    expect(admitted?.target.id).toBe('payments');
  });

  it('logs and drops a deployment of a service the watchdog does not protect, without a rejection', async () => {
    const { admission, store, telemetry } = deps();
    const event = fixtureEvent('ecs-deployment-completed');
    event.resources = ['arn:aws:ecs:us-west-2:111122223333:service/default/other'];
    expect(await admitDeploymentEvent(admission, event, 'req-1')).toBeUndefined();
    expect(telemetry.logs.map((l) => l.message)).toContain(
      'deployment event for a target the watchdog does not protect',
    );
    expect(store.audit).toEqual([]);
  });

  it('rejects and audits an event from another region, and one that does not parse', async () => {
    const { admission, store } = deps();
    const foreign = fixtureEvent('ecs-deployment-completed');
    foreign.region = 'eu-west-1';
    const malformed = fixtureEvent('ecs-deployment-completed');
    delete malformed.detail;
    expect(await admitDeploymentEvent(admission, foreign, 'req-1')).toBeUndefined();
    expect(await admitDeploymentEvent(admission, malformed, 'req-2')).toBeUndefined();
    expect(store.audit.map((e) => e.type === 'rejected' && e.reason)).toEqual([
      'foreign-region',
      'malformed',
    ]);
    expect(await store.listAudit(REJECTED_SCOPE)).toHaveLength(2);
  });
});

describe('admitDeploymentEvent: CloudTrail records of deployment calls (who deployed)', () => {
  it('admits an ECS UpdateService with the target its service ARN names', async () => {
    const { admission, store } = deps();
    const admitted = await admitDeploymentEvent(
      admission,
      fixtureEvent('ecs-update-service-cloudtrail'),
      'req-1',
    );
    expect(admitted).toEqual({
      target: expect.objectContaining({ id: 'web' }),
      call: {
        key: 'cloudtrail|f6b2c3d4-5678-90ab-cdef-EXAMPLE22222',
        principal: expect.objectContaining({
          deploymentId: 'ecs-svc/123',
          by: 'arn:aws:sts::111122223333:assumed-role/release-pipeline/alice',
        }),
      },
    });
    expect(store.audit).toEqual([]);
  });

  it('admits a CodeDeploy CreateDeployment with the target its application and group name', async () => {
    const { admission } = deps();
    const admitted = await admitDeploymentEvent(
      admission,
      fixtureEvent('codedeploy-create-deployment-cloudtrail'),
      'req-1',
    );
    expect(
      admitted && 'call' in admitted && [admitted.target.id, admitted.call?.principal.deploymentId],
    ).toEqual(['payments', 'd-123456789']);
  });

  it('ignores a failed call and a scaling-only UpdateService, logged and not audited', async () => {
    const { admission, store, telemetry } = deps();
    const failed = fixtureEvent('ecs-update-service-cloudtrail');
    failed.detail.errorCode = 'AccessDeniedException';
    failed.detail.responseElements = null;
    const scaling = fixtureEvent('ecs-update-service-cloudtrail');
    scaling.detail.requestParameters = { service: 'servicetest', desiredCount: 3 };
    expect(await admitDeploymentEvent(admission, failed, 'req-1')).toBeUndefined();
    expect(await admitDeploymentEvent(admission, scaling, 'req-2')).toBeUndefined();
    expect(telemetry.logs.map((l) => l.message)).toEqual([
      'a deployment call that failed deployed nothing',
      'an UpdateService that only scales started no deployment',
    ]);
    expect(store.audit).toEqual([]);
  });

  it('logs and drops a call for a group the watchdog does not protect', async () => {
    const { admission, store, telemetry } = deps();
    const event = fixtureEvent('codedeploy-create-deployment-cloudtrail');
    event.detail.requestParameters.deploymentGroupName = 'other-group';
    expect(await admitDeploymentEvent(admission, event, 'req-1')).toBeUndefined();
    expect(telemetry.logs.map((l) => l.message)).toContain(
      'deployment call for a target the watchdog does not protect',
    );
    expect(store.audit).toEqual([]);
  });

  it('rejects and audits a call from another account, a failed one included, and one that does not parse', async () => {
    const { admission, store } = deps();
    const foreign = fixtureEvent('ecs-update-service-cloudtrail');
    foreign.account = '999999999999';
    const foreignFailed = fixtureEvent('codedeploy-create-deployment-cloudtrail');
    foreignFailed.region = 'eu-west-1';
    foreignFailed.detail.errorCode = 'ThrottlingException';
    const malformed = fixtureEvent('ecs-update-service-cloudtrail');
    malformed.detail.userIdentity = {};
    for (const [i, event] of [foreign, foreignFailed, malformed].entries())
      expect(await admitDeploymentEvent(admission, event, `req-${i}`)).toBeUndefined();
    expect(store.audit.map((e) => e.type === 'rejected' && [e.reason, e.detailType, e.problems[0]])).toEqual([
      [
        'foreign-account',
        'AWS API Call via CloudTrail',
        "$.account: 999999999999 is not this watchdog's account 111122223333",
      ],
      [
        'foreign-region',
        'AWS API Call via CloudTrail',
        "$.region: eu-west-1 is not this watchdog's region us-west-2",
      ],
      [
        'malformed',
        'AWS API Call via CloudTrail',
        '$.detail.userIdentity.type: Invalid input: expected string, received undefined',
      ],
    ]);
  });
});
