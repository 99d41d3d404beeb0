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
      'deployment event for a service the watchdog does not protect',
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
