import { appConfigKind } from '../../../../lambda/kinds/appconfig';
import { parseAppConfigEvent } from '../../../../lambda/kinds/appconfig/events';
import { T0 } from '../../../support/domain-fixtures';

const NOW = T0 + 60_000;

/** The event the "deployment events to Amazon EventBridge" extension sends (user guide's sample, our ids). */
function appConfigEvent(
  detailType = 'On Deployment Complete',
  type = 'OnDeploymentComplete',
  detail: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    version: '0',
    id: 'c53dbd72-c1a0-2302-9ed6-c076e9128277',
    'detail-type': detailType,
    source: 'aws.appconfig',
    account: '123456789012',
    time: '2026-03-01T10:00:00Z',
    region: 'us-east-1',
    resources: ['arn:aws:appconfig:us-east-1:123456789012:extensionassociation/z763ff5'],
    detail: {
      InvocationId: '5tfjcig',
      Parameters: {},
      Type: type,
      Application: { Id: 'a1b2c3d', Name: 'checkout' },
      Environment: { Id: 'e4f5g6h', Name: 'production' },
      ConfigurationProfile: { Id: 'p7q8r9s', Name: 'feature-flags' },
      DeploymentNumber: 3,
      ConfigurationVersion: '3',
      ...detail,
    },
  };
}

describe('parseAppConfigEvent', () => {
  it('turns a completion into a deployment event of the ids the event names', () => {
    const parsed = parseAppConfigEvent(appConfigEvent(), { now: NOW });

    expect(parsed).toEqual({
      ok: true,
      envelope: { id: 'c53dbd72-c1a0-2302-9ed6-c076e9128277', account: '123456789012', region: 'us-east-1' },
      value: {
        kind: 'deployment',
        identity: { application: 'a1b2c3d', environment: 'e4f5g6h', configurationProfile: 'p7q8r9s' },
        event: {
          deploymentId: '3',
          phase: 'completed',
          at: T0,
          rollingBack: false,
          reason: 'AppConfig OnDeploymentComplete of deployment 3 (configuration version 3)',
          key: 'a1b2c3d/e4f5g6h#3|OnDeploymentComplete',
        },
      },
    });
  });

  it.each([
    ['On Deployment Start', 'OnDeploymentStart'],
    ['On Deployment Step', 'OnDeploymentStep'],
    ['On Deployment Baking', 'OnDeploymentBaking'],
  ])('reads %s as the deployment in progress', (detailType, type) => {
    const parsed = parseAppConfigEvent(appConfigEvent(detailType, type), { now: NOW });

    expect(parsed.ok && parsed.value.kind === 'deployment' && parsed.value.event).toMatchObject({
      deploymentId: '3',
      phase: 'in-progress',
      rollingBack: false,
      key: `a1b2c3d/e4f5g6h#3|${type}`,
    });
  });

  it.each(['On Deployment Rollback', 'On Deployment Rolled Back'])(
    'reads %s as the completion of the deployment’s rollback',
    (detailType) => {
      const parsed = parseAppConfigEvent(appConfigEvent(detailType, 'OnDeploymentRolledBack'), { now: NOW });

      expect(parsed.ok && parsed.value.kind === 'deployment' && parsed.value.event).toEqual({
        deploymentId: '3-rollback',
        phase: 'completed',
        at: T0,
        rollingBack: true,
        reason: 'AppConfig rolled deployment 3 (configuration version 3) back',
        key: 'a1b2c3d/e4f5g6h#3|OnDeploymentRolledBack',
      });
    },
  );

  it('gives a redelivery (new envelope id, later time) the same dedupe key', () => {
    const first = parseAppConfigEvent(appConfigEvent(), { now: NOW });
    const again = parseAppConfigEvent(
      { ...appConfigEvent(), id: 'another-id', time: '2026-03-01T10:00:30Z' },
      {
        now: NOW,
      },
    );

    const key = (p: typeof first) => (p.ok && p.value.kind === 'deployment' ? p.value.event.key : undefined);
    expect(key(again)).toBe(key(first));
    expect(key(first)).toBeDefined();
  });

  it('keeps deployments of different environments apart', () => {
    const here = parseAppConfigEvent(appConfigEvent(), { now: NOW });
    const there = parseAppConfigEvent(
      appConfigEvent(undefined, undefined, { Environment: { Id: 'e0e0e0e', Name: 'staging' } }),
      { now: NOW },
    );

    expect(here.ok && here.value.kind === 'deployment' && here.value.event.key).not.toBe(
      there.ok && there.value.kind === 'deployment' && there.value.event.key,
    );
  });

  it('accepts an event without names or configuration version: the ids are what identify', () => {
    const parsed = parseAppConfigEvent(
      appConfigEvent(undefined, undefined, {
        Application: { Id: 'a1b2c3d' },
        Environment: { Id: 'e4f5g6h' },
        ConfigurationProfile: { Id: 'p7q8r9s' },
        ConfigurationVersion: undefined,
      }),
      { now: NOW },
    );

    expect(parsed.ok && parsed.value.kind === 'deployment' && parsed.value.event.reason).toBe(
      'AppConfig OnDeploymentComplete of deployment 3',
    );
  });

  it('names every problem of a malformed event by its path', () => {
    const parsed = parseAppConfigEvent(
      appConfigEvent(undefined, undefined, {
        Application: { Id: 'Not An Id' },
        Environment: 'e4f5g6h',
        DeploymentNumber: 2.5,
        ConfigurationProfile: undefined,
      }),
      { now: NOW },
    );

    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.reason).toBe('malformed');
    expect(!parsed.ok && parsed.problems).toEqual([
      '$.detail.Application.Id: must be an AppConfig application id: 4-7 lower-case letters and digits',
      '$.detail.Environment: Invalid input: expected object, received string',
      '$.detail.ConfigurationProfile: Invalid input: expected object, received undefined',
      '$.detail.DeploymentNumber: must be the deployment number, a whole number >= 1',
    ]);
  });

  it('refuses a Type that contradicts the detail-type', () => {
    const parsed = parseAppConfigEvent(appConfigEvent('On Deployment Complete', 'OnDeploymentRolledBack'), {
      now: NOW,
    });

    expect(!parsed.ok && parsed.problems).toEqual([
      '$.detail.Type: must be "OnDeploymentComplete" in an "On Deployment Complete" event (got "OnDeploymentRolledBack")',
    ]);
  });

  it('refuses an envelope problem with the same checks as every event (account, region, time)', () => {
    const parsed = parseAppConfigEvent(
      { ...appConfigEvent(), account: '42', time: 'yesterday' },
      { now: NOW },
    );

    expect(!parsed.ok && parsed.problems).toEqual([
      '$.account: must be a 12-digit account id',
      '$.time: must be an ISO-8601 timestamp with a zone, such as 2026-03-01T10:01:00.000+0000',
    ]);
  });

  it('refuses a timestamp from the future of the handler’s clock', () => {
    const parsed = parseAppConfigEvent({ ...appConfigEvent(), time: '2026-03-01T11:00:00Z' }, { now: NOW });

    expect(!parsed.ok && parsed.problems[0]).toMatch(
      /^\$\.time: "2026-03-01T11:00:00Z" is more than 5 minutes ahead/,
    );
  });

  it('rejects another AppConfig event (a CloudTrail record) as an unsupported detail-type', () => {
    const parsed = parseAppConfigEvent(
      { ...appConfigEvent(), 'detail-type': 'AWS API Call via CloudTrail' },
      {
        now: NOW,
      },
    );

    expect(!parsed.ok && parsed.reason).toBe('unsupported-detail-type');
    expect(!parsed.ok && parsed.problems[0]).toMatch(
      /expected one of "On Deployment Start", .* from aws\.appconfig/,
    );
  });

  it('rejects what is not an object', () => {
    expect(parseAppConfigEvent('{"source":"aws.appconfig"}')).toEqual({
      ok: false,
      reason: 'malformed',
      problems: ['$: must be a JSON object (an EventBridge event)'],
    });
  });
});

describe('appConfigKind.events', () => {
  it('has one source per detail-type, and exactly one matches each AppConfig deployment event', () => {
    const types = appConfigKind.events.map((s) => s.detailType);
    expect(new Set(types).size).toBe(types.length);
    expect(appConfigKind.events.every((s) => s.source === 'aws.appconfig')).toBe(true);

    for (const [detailType, type] of [
      ['On Deployment Start', 'OnDeploymentStart'],
      ['On Deployment Rollback', 'OnDeploymentRolledBack'],
      ['On Deployment Complete', 'OnDeploymentComplete'],
    ] as const) {
      const event = appConfigEvent(detailType, type);
      const matching = appConfigKind.events.filter((s) => s.matches(event));
      expect(matching.map((s) => s.detailType)).toEqual([detailType]);
      expect(matching[0]?.parse(event, { now: NOW }).ok).toBe(true);
    }
  });

  it('matches nothing from other sources or AppConfig’s CloudTrail records', () => {
    const cloudTrail = { ...appConfigEvent(), 'detail-type': 'AWS API Call via CloudTrail' };
    const ecs = { ...appConfigEvent(), source: 'aws.ecs' };

    expect(appConfigKind.events.some((s) => s.matches(cloudTrail) || s.matches(ecs) || s.matches(null))).toBe(
      false,
    );
  });
});
