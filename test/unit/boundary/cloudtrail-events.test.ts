import { toVersion } from '../../../lambda/adapters/ecs-deployer';
import { parseDeploymentCallEvent } from '../../../lambda/boundary/cloudtrail-events';
import { fixtureEvent } from '../../support/events';

const ecsCall = () => fixtureEvent('ecs-update-service-cloudtrail');
const codeDeployCall = () => fixtureEvent('codedeploy-create-deployment-cloudtrail');
const NOW = Date.parse('2020-05-23T12:40:00Z');

describe('parseDeploymentCallEvent: ECS', () => {
  it('names the caller (the assumed-role session), the deployment made PRIMARY and its task definition', () => {
    expect(parseDeploymentCallEvent(ecsCall(), { now: NOW })).toEqual({
      ok: true,
      value: {
        kind: 'deployment',
        platform: 'ecs',
        cluster: 'default',
        service: 'servicetest',
        key: 'cloudtrail|f6b2c3d4-5678-90ab-cdef-EXAMPLE22222',
        principal: {
          deploymentId: 'ecs-svc/123',
          version: 'servicetest:42',
          by: 'arn:aws:sts::111122223333:assumed-role/release-pipeline/alice',
          at: Date.parse('2020-05-23T12:31:13Z'),
        },
      },
      envelope: { id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718', account: '111122223333', region: 'us-west-2' },
    });
  });

  it('names the version exactly as the ECS deployer names the task definition, so the ledger entry matches', () => {
    const e = ecsCall();
    const arn = e.detail.responseElements.service.taskDefinition as string;
    const r = parseDeploymentCallEvent(e);
    expect(r.ok && r.value.kind === 'deployment' && r.value.principal.version).toBe(toVersion(arn));
  });

  it('reads CreateService the same way, and a response without deployments by its version alone', () => {
    const e = ecsCall();
    e.detail.eventName = 'CreateService';
    delete e.detail.responseElements.service.deployments;
    const r = parseDeploymentCallEvent(e);
    expect(r.ok && r.value.kind === 'deployment' && r.value.principal).toEqual({
      version: 'servicetest:42',
      by: 'arn:aws:sts::111122223333:assumed-role/release-pipeline/alice',
      at: Date.parse('2020-05-23T12:31:13Z'),
    });
  });

  it('names an AWS service that called on its own by invokedBy, else the principal id', () => {
    const service = ecsCall();
    service.detail.userIdentity = { type: 'AWSService', invokedBy: 'codepipeline.amazonaws.com' };
    const anonymous = ecsCall();
    anonymous.detail.userIdentity = { type: 'Unknown', principalId: 'AIDAEXAMPLE' };
    const by = (e: unknown) => {
      const r = parseDeploymentCallEvent(e);
      return r.ok && r.value.kind === 'deployment' ? r.value.principal.by : undefined;
    };
    expect([by(service), by(anonymous)]).toEqual(['codepipeline.amazonaws.com', 'AIDAEXAMPLE']);
  });

  it('tells an UpdateService that only scales (Application Auto Scaling) from one that deploys', () => {
    const scaling = ecsCall();
    scaling.detail.requestParameters = { cluster: 'default', service: 'servicetest', desiredCount: 4 };
    const forced = ecsCall();
    forced.detail.requestParameters = { service: 'servicetest', desiredCount: 4, forceNewDeployment: true };
    const notForced = ecsCall();
    notForced.detail.requestParameters = { service: 'servicetest', forceNewDeployment: false };
    expect(parseDeploymentCallEvent(scaling)).toMatchObject({
      ok: true,
      value: { kind: 'scaling', cluster: 'default', service: 'servicetest' },
    });
    expect(parseDeploymentCallEvent(forced)).toMatchObject({ ok: true, value: { kind: 'deployment' } });
    expect(parseDeploymentCallEvent(notForced)).toMatchObject({ ok: true, value: { kind: 'scaling' } });
  });

  it('reads nothing but the error of a failed call (no response, nothing deployed)', () => {
    const e = ecsCall();
    e.detail.errorCode = 'InvalidParameterException';
    e.detail.errorMessage = 'TaskDefinition not found.';
    e.detail.responseElements = null;
    delete e.detail.userIdentity;
    expect(parseDeploymentCallEvent(e)).toEqual({
      ok: true,
      value: { kind: 'failed', eventName: 'UpdateService', errorCode: 'InvalidParameterException' },
      envelope: { id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718', account: '111122223333', region: 'us-west-2' },
    });
  });

  it('keeps the envelope of another account, for admission to reject as foreign', () => {
    const e = ecsCall();
    e.account = '999999999999';
    expect(parseDeploymentCallEvent(e)).toMatchObject({ ok: true, envelope: { account: '999999999999' } });
  });

  it('rejects a malformed record, naming every problem by JSON path', () => {
    const e = ecsCall();
    e.detail.userIdentity = { type: 'AssumedRole' };
    e.detail.responseElements.service.serviceArn = 'arn:aws:ecs:us-west-2:111122223333:service/servicetest';
    e.detail.responseElements.service.taskDefinition = 'servicetest';
    e.detail.eventID = '';
    expect(parseDeploymentCallEvent(e)).toEqual({
      ok: false,
      reason: 'malformed',
      problems: [
        '$.detail.eventID: must be a non-empty CloudTrail event id',
        '$.detail.userIdentity: must name the caller: "arn", "invokedBy" or "principalId"',
        '$.detail.responseElements.service.serviceArn: must be a service ARN arn:aws:ecs:<region>:<account>:service/<cluster>/<service>',
        '$.detail.responseElements.service.taskDefinition: must be a task definition ARN arn:aws:ecs:<region>:<account>:task-definition/<family>:<revision>',
      ],
    });
  });

  it('rejects a call the watchdog does not read, a missing response and a record from the future', () => {
    const other = ecsCall();
    other.detail.eventName = 'DeleteService';
    const noResponse = ecsCall();
    noResponse.detail.responseElements = null;
    const future = ecsCall();
    future.detail.eventTime = '2020-05-23T13:00:00Z';
    expect(parseDeploymentCallEvent(other)).toMatchObject({
      ok: false,
      problems: ['$.detail.eventName: Invalid option: expected one of "CreateService"|"UpdateService"'],
    });
    expect(parseDeploymentCallEvent(noResponse)).toMatchObject({
      ok: false,
      problems: ['$.detail.responseElements: Invalid input: expected object, received null'],
    });
    expect(parseDeploymentCallEvent(future, { now: NOW })).toMatchObject({
      ok: false,
      reason: 'malformed',
      problems: [
        expect.stringMatching(/^\$\.detail\.eventTime: "2020-05-23T13:00:00Z" is more than 5 minutes ahead/),
      ],
    });
  });

  it('rejects another detail type as unsupported, and a non-object outright', () => {
    const e = ecsCall();
    e['detail-type'] = 'AWS Console Action via CloudTrail';
    expect(parseDeploymentCallEvent(e)).toMatchObject({ ok: false, reason: 'unsupported-detail-type' });
    expect(parseDeploymentCallEvent('nope')).toMatchObject({ ok: false, reason: 'malformed' });
  });
});

describe('parseDeploymentCallEvent: CodeDeploy', () => {
  it('names the caller, the group the request named and the deployment id CodeDeploy answered', () => {
    expect(parseDeploymentCallEvent(codeDeployCall(), { now: NOW })).toMatchObject({
      ok: true,
      value: {
        kind: 'deployment',
        platform: 'codedeploy',
        application: 'myApplication',
        deploymentGroup: 'myDeploymentGroup',
        key: 'cloudtrail|e6b2c3d4-5678-90ab-cdef-EXAMPLE44444',
        principal: {
          deploymentId: 'd-123456789',
          by: 'arn:aws:iam::111122223333:user/carol',
          at: Date.parse('2020-05-23T12:31:13Z'),
        },
      },
    });
  });

  it('reads a failed CreateDeployment as failed, and rejects one without a group or deployment id', () => {
    const failed = codeDeployCall();
    failed.detail.errorCode = 'DeploymentLimitExceededException';
    failed.detail.responseElements = null;
    expect(parseDeploymentCallEvent(failed)).toMatchObject({
      ok: true,
      value: { kind: 'failed', errorCode: 'DeploymentLimitExceededException' },
    });
    const broken = codeDeployCall();
    delete broken.detail.requestParameters.deploymentGroupName;
    broken.detail.responseElements = {};
    expect(parseDeploymentCallEvent(broken)).toEqual({
      ok: false,
      reason: 'malformed',
      problems: [
        '$.detail.requestParameters.deploymentGroupName: Invalid input: expected string, received undefined',
        '$.detail.responseElements.deploymentId: Invalid input: expected string, received undefined',
      ],
    });
  });
});
