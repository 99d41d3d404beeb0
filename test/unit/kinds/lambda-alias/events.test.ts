import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetAliasCommand, GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { DEFAULT_POLICY, type RuntimeLambdaAliasTarget } from '../../../../lambda/contract';
import type { KindEvent } from '../../../../lambda/kinds/kind';
import { LambdaAliasDeployer } from '../../../../lambda/kinds/lambda-alias/deployer';
import {
  isLambdaCloudTrailEvent,
  lambdaAliasCalls,
  parseAliasCallEvent,
} from '../../../../lambda/kinds/lambda-alias/events';

/** A fresh copy of a recorded-shape CloudTrail record from ./fixtures, for a test to bend. */
function fixture(name: string): any {
  return JSON.parse(readFileSync(join(__dirname, 'fixtures', `${name}.json`), 'utf8'));
}

const ALICE = 'arn:aws:sts::123456789012:assumed-role/release-pipeline/alice';
const SHIFT_EVENT_ID = 'c8a1e5d7-2b4f-4c6e-8a0d-9f1b3e5c7a2d';
const SHIFT_REVISION = '0f2b7c1e-9a4d-4e61-8b3a-5c7d9e1f2a3b';
const NOW = Date.parse('2026-03-01T10:15:00Z');

function parsed(raw: unknown): KindEvent {
  const result = parseAliasCallEvent(raw, { now: NOW });
  if (!result.ok) throw new Error(`expected the record to parse, got ${result.problems.join('; ')}`);
  return result.value;
}

function problems(raw: unknown): readonly string[] {
  const result = parseAliasCallEvent(raw, { now: NOW });
  if (result.ok) throw new Error('expected the record to be rejected');
  return result.problems;
}

describe('parseAliasCallEvent', () => {
  it('reads a weighted UpdateAlias as the deployment of the new version, in progress, with its caller', () => {
    // Act
    const result = parseAliasCallEvent(fixture('update-alias-shift'), { now: NOW });

    // Assess
    const at = Date.parse('2026-03-01T10:00:02Z');
    expect(result).toEqual({
      ok: true,
      value: {
        kind: 'deployment',
        identity: { functionName: 'checkout-api', alias: 'live' },
        event: {
          deploymentId: `8@${SHIFT_REVISION}`,
          phase: 'in-progress',
          at,
          rollingBack: false,
          reason: 'UpdateAlias20150331: alias live routes 10% to version 8, the rest to version 7',
          key: SHIFT_EVENT_ID,
        },
        principal: {
          key: `cloudtrail|${SHIFT_EVENT_ID}`,
          principal: { deploymentId: `8@${SHIFT_REVISION}`, version: '8', by: ALICE, at },
        },
      },
      envelope: { id: '6f1d8f4e-3c2b-4a5e-9b7d-2e1f0a9c8b71', account: '123456789012', region: 'us-east-1' },
    });
  });

  it('names the deployment exactly as the deployer names what GetAlias then reports', async () => {
    // Prepare: the alias as the shift's response describes it
    const lambda = mockClient(LambdaClient);
    lambda.on(GetAliasCommand).resolves({
      FunctionVersion: '7',
      RevisionId: SHIFT_REVISION,
      RoutingConfig: { AdditionalVersionWeights: { '8': 0.1 } },
    });
    lambda.on(GetFunctionConfigurationCommand).resolves({ LastModified: '2026-03-01T09:00:00.000+0000' });
    const target: RuntimeLambdaAliasTarget = {
      id: 'checkout-api',
      type: 'lambda-alias',
      functionName: 'checkout-api',
      alias: 'live',
      alarms: ['checkout-api-errors'],
      policy: DEFAULT_POLICY,
    };
    const deployer = new LambdaAliasDeployer({
      client: new LambdaClient({ region: 'us-east-1' }),
      clock: { now: () => NOW },
    });

    try {
      // Act
      const live = await deployer.inspect(target);
      const event = parsed(fixture('update-alias-shift'));

      // Assess
      expect(live.kind === 'ok' && live.latest?.id).toBe(
        event.kind === 'deployment' && event.event.deploymentId,
      );
    } finally {
      lambda.restore();
    }
  });

  it('reads an UpdateAlias that routes everything to one version as its deployment, completed', () => {
    // Act
    const event = parsed(fixture('update-alias-complete'));

    // Assess
    expect(event).toMatchObject({
      kind: 'deployment',
      identity: { functionName: 'checkout-api', alias: 'live' },
      event: {
        deploymentId: '8@7d3e9a1b-4c5f-4a2e-b6d8-1f0e2c4a6b8d',
        phase: 'completed',
        at: Date.parse('2026-03-01T10:10:02Z'),
        reason: 'UpdateAlias20150331: alias live routes everything to version 8',
        key: 'a9c7e5b3-1d0f-4b2e-8c6a-4e2d0b8f6a4c',
      },
      principal: { principal: { version: '8', by: ALICE } },
    });
  });

  it('reads CreateAlias with a partial ARN as the first deployment of that alias, by the IAM user', () => {
    // Act
    const event = parsed(fixture('create-alias'));

    // Assess
    expect(event).toMatchObject({
      kind: 'deployment',
      identity: { functionName: 'checkout-api', alias: 'canary' },
      event: { deploymentId: '3@3b5d7f9a-1c2e-4f6a-8b0c-2d4e6f8a0b1c', phase: 'completed' },
      principal: { principal: { by: 'arn:aws:iam::123456789012:user/bob' } },
    });
  });

  it('takes the routing from the response, which says what the alias does after the call', () => {
    // Prepare: a request naming only the version; the alias still routes weights to version 9
    const raw = fixture('update-alias-complete');
    delete raw.detail.requestParameters.routingConfig;
    raw.detail.responseElements.functionVersion = '8';
    raw.detail.responseElements.routingConfig = { additionalVersionWeights: { '9': 0.25 } };

    // Act
    const event = parsed(raw);

    // Assess
    expect(event).toMatchObject({
      event: {
        phase: 'in-progress',
        deploymentId: '9@7d3e9a1b-4c5f-4a2e-b6d8-1f0e2c4a6b8d',
        reason: 'UpdateAlias20150331: alias live routes 25% to version 9, the rest to version 8',
      },
    });
  });

  it('falls back on the request without a response, naming the deployment by the record and the caller by version', () => {
    // Prepare
    const raw = fixture('update-alias-shift');
    delete raw.detail.responseElements;

    // Act
    const event = parsed(raw);

    // Assess
    expect(event).toMatchObject({
      event: { phase: 'in-progress', deploymentId: `8@cloudtrail:${SHIFT_EVENT_ID}` },
      principal: { principal: { version: '8', by: ALICE } },
    });
    expect(event.kind === 'deployment' && event.principal?.principal.deploymentId).toBeUndefined();
  });

  it('names an AWS service that called by itself when there is no principal ARN', () => {
    // Prepare
    const raw = fixture('update-alias-complete');
    raw.detail.userIdentity = { type: 'AWSService', invokedBy: 'codedeploy.amazonaws.com' };

    // Act
    const event = parsed(raw);

    // Assess
    expect(event.kind === 'deployment' && event.principal?.principal.by).toBe('codedeploy.amazonaws.com');
  });

  it('keys the record by its eventID, so a redelivery under a new envelope is the same transition', () => {
    // Prepare
    const again = fixture('update-alias-shift');
    again.id = '00000000-0000-4000-8000-000000000001';
    again.time = '2026-03-01T10:09:00Z';

    // Act
    const first = parsed(fixture('update-alias-shift'));
    const second = parsed(again);

    // Assess
    expect(first.kind === 'deployment' && first.event.key).toBe(
      second.kind === 'deployment' && second.event.key,
    );
    expect(first.kind === 'deployment' && first.principal?.key).toBe(
      second.kind === 'deployment' && second.principal?.key,
    );
  });

  it('keeps the transition key and the call key apart, so applying one never hides the other', () => {
    // Act
    const event = parsed(fixture('update-alias-shift'));

    // Assess
    expect(event.kind === 'deployment' && event.event.key).not.toBe(
      event.kind === 'deployment' && event.principal?.key,
    );
  });

  describe('calls that deployed nothing', () => {
    it('ignores a failed call', () => {
      // Act
      const event = parsed(fixture('update-alias-failed'));

      // Assess
      expect(event).toEqual({
        kind: 'ignored',
        level: 'info',
        message: 'UpdateAlias20150331 failed (PreconditionFailedException): it moved no alias',
        fields: {
          eventName: 'UpdateAlias20150331',
          eventID: '7f6e5d4c-3b2a-4190-8f7e-6d5c4b3a2910',
          errorCode: 'PreconditionFailedException',
        },
      });
    });

    it('ignores a call that changed only the description', () => {
      // Prepare
      const raw = fixture('update-alias-complete');
      raw.detail.requestParameters = { functionName: 'checkout-api', name: 'live', description: 'new words' };

      // Act
      const event = parsed(raw);

      // Assess
      expect(event).toMatchObject({ kind: 'ignored', level: 'debug' });
    });

    it('ignores an alias pointed at $LATEST', () => {
      // Prepare
      const raw = fixture('update-alias-complete');
      raw.detail.requestParameters.functionVersion = '$LATEST';
      raw.detail.responseElements.functionVersion = '$LATEST';

      // Act
      const event = parsed(raw);

      // Assess
      expect(event).toMatchObject({ kind: 'ignored', message: expect.stringContaining('$LATEST') });
    });

    it('ignores weights cleared without a version when the record has no response', () => {
      // Prepare
      const raw = fixture('update-alias-complete');
      delete raw.detail.requestParameters.functionVersion;
      delete raw.detail.responseElements;

      // Act
      const event = parsed(raw);

      // Assess
      expect(event).toMatchObject({
        kind: 'ignored',
        message: expect.stringContaining('cleared the routing'),
      });
    });

    it('ignores a function ARN of another account', () => {
      // Prepare
      const raw = fixture('update-alias-shift');
      raw.detail.requestParameters.functionName =
        'arn:aws:lambda:us-east-1:999999999999:function:checkout-api';

      // Act
      const event = parsed(raw);

      // Assess
      expect(event).toMatchObject({ kind: 'ignored', message: expect.stringContaining('another account') });
    });
  });

  describe('malformed records', () => {
    it('names every problem by its path', () => {
      // Prepare
      const raw = fixture('update-alias-shift');
      raw.detail.requestParameters.functionName = 'arn:aws:s3:::not-a-function';
      delete raw.detail.requestParameters.name;
      raw.detail.requestParameters.routingConfig.additionalVersionWeights['8'] = 1.5;
      delete raw.detail.userIdentity.arn;
      delete raw.detail.userIdentity.principalId;

      // Act
      const found = problems(raw);

      // Assess
      expect(found).toEqual([
        '$.detail.userIdentity: must name the caller: "arn", "invokedBy" or "principalId"',
        '$.detail.requestParameters.functionName: must be a function name, ARN or partial ARN (my-function, arn:aws:lambda:<region>:<account>:function:my-function)',
        '$.detail.requestParameters.name: Invalid input: expected string, received undefined',
        '$.detail.requestParameters.routingConfig.additionalVersionWeights["8"]: must be a weight from 0.0 to 1.0',
      ]);
    });

    it('refuses an event name it does not read, listing the ones it does', () => {
      // Prepare
      const raw = fixture('update-alias-complete');
      raw.detail.eventName = 'PublishVersion20150331';

      // Act
      const found = problems(raw);

      // Assess
      expect(found).toEqual([
        '$.detail.eventName: Invalid option: expected one of "UpdateAlias20150331"|"CreateAlias20150331"',
      ]);
    });

    it('refuses a record from the future of the handler clock', () => {
      // Prepare
      const raw = fixture('update-alias-complete');
      raw.detail.eventTime = '2026-03-01T11:00:00Z';

      // Act
      const found = problems(raw);

      // Assess
      expect(found).toEqual([
        expect.stringMatching(/^\$\.detail\.eventTime: "2026-03-01T11:00:00Z" is more than/),
      ]);
    });

    it('refuses a record whose timestamps have no zone', () => {
      // Prepare
      const raw = fixture('update-alias-complete');
      raw.detail.eventTime = '2026-03-01 10:10:02';

      // Act
      const found = problems(raw);

      // Assess
      expect(found).toEqual([expect.stringMatching(/^\$\.detail\.eventTime: must be an ISO-8601 timestamp/)]);
    });

    it('refuses a failed call whose envelope is broken', () => {
      // Prepare
      const raw = fixture('update-alias-failed');
      raw.account = 'nope';

      // Act
      const found = problems(raw);

      // Assess
      expect(found).toEqual(['$.account: must be a 12-digit account id']);
    });

    it('says what it expected of an event of another source, and of something that is no event', () => {
      // Prepare
      const alarm = { source: 'aws.cloudwatch', 'detail-type': 'CloudWatch Alarm State Change', detail: {} };

      // Act
      const other = parseAliasCallEvent(alarm);
      const junk = parseAliasCallEvent('UpdateAlias');

      // Assess
      expect(other).toEqual({
        ok: false,
        reason: 'unsupported-detail-type',
        problems: [
          '$["detail-type"]: expected "AWS API Call via CloudTrail" from aws.lambda (got "CloudWatch Alarm State Change" from got "aws.cloudwatch")',
        ],
      });
      expect(junk).toEqual({
        ok: false,
        reason: 'malformed',
        problems: ['$: must be a JSON object (an EventBridge event)'],
      });
    });
  });
});

describe('lambdaAliasCalls', () => {
  it('claims the envelope of Lambda CloudTrail records only', () => {
    // Prepare
    const ecsCall = { ...fixture('update-alias-shift'), source: 'aws.ecs' };
    const otherService = fixture('update-alias-shift');
    otherService.detail.eventSource = 'ecs.amazonaws.com';

    // Act, Assess
    expect(lambdaAliasCalls.matches(fixture('update-alias-shift'))).toBe(true);
    expect(lambdaAliasCalls.matches(fixture('update-alias-failed'))).toBe(true);
    expect(isLambdaCloudTrailEvent(ecsCall)).toBe(false);
    expect(isLambdaCloudTrailEvent(otherService)).toBe(false);
    expect(isLambdaCloudTrailEvent({ source: 'aws.lambda', 'detail-type': 'Scheduled Event' })).toBe(false);
    expect(isLambdaCloudTrailEvent(null)).toBe(false);
  });

  it('parses with the handler clock and describes itself for the rule', () => {
    // Prepare
    const raw = fixture('update-alias-complete');

    // Act
    const early = lambdaAliasCalls.parse(raw, { now: Date.parse('2026-03-01T09:00:00Z') });

    // Assess: an hour before the call, the record is from the future
    expect(early.ok).toBe(false);
    expect(lambdaAliasCalls).toMatchObject({
      source: 'aws.lambda',
      detailType: 'AWS API Call via CloudTrail',
      cloudTrail: {
        eventSource: 'lambda.amazonaws.com',
        eventNames: ['UpdateAlias20150331', 'CreateAlias20150331'],
      },
    });
  });
});
