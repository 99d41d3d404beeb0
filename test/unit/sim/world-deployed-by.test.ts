import { parseDeploymentCallEvent } from '../../../lambda/boundary/cloudtrail-events';
import { DETAIL_TYPE } from '../../../lambda/contract';
import { SimWorld } from '../../../lambda/sim/world/world';
import { START_MS, recordingContext, validScenario } from './support';

const ALICE = 'arn:aws:sts::123456789012:assumed-role/release-pipeline/alice';
const CAROL = 'arn:aws:iam::123456789012:user/carol';

function world(patch: Record<string, unknown> = {}) {
  const ctx = recordingContext();
  const sim = new SimWorld(validScenario(patch), ctx, () => undefined);
  return { ctx, sim };
}

const codeDeployScenario = {
  config: {
    targets: [
      {
        id: 'payments',
        type: 'codedeploy',
        application: 'payments',
        deploymentGroup: 'payments-prod',
        alarms: ['payments-errors'],
      },
    ],
  },
  world: {
    codeDeployGroups: [
      { application: 'payments', deploymentGroup: 'payments-prod', revision: 'payments@r7' },
    ],
    alarms: [{ name: 'payments-errors', watches: 'payments' }],
  },
  timeline: [],
};

describe('SimWorld deploy with `by` (who deployed)', () => {
  it('records the ECS release in CloudTrail after the deployment event, naming its deployment and caller', () => {
    const { ctx, sim } = world();
    sim.deploy('checkout', 'checkout:42', ALICE);

    expect(ctx.emitted.map((e) => [e.source, e.event['detail-type']])).toEqual([
      ['ecs:prod/checkout', DETAIL_TYPE.ecsDeploymentStateChange],
      ['ecs:prod/checkout', DETAIL_TYPE.cloudTrailApiCall],
    ]);
    const [started, call] = ctx.emitted;
    const parsed = parseDeploymentCallEvent(call?.event, { now: START_MS });
    expect(parsed).toEqual({
      ok: true,
      value: {
        kind: 'deployment',
        platform: 'ecs',
        cluster: 'prod',
        service: 'checkout',
        key: `cloudtrail|${String(call?.event.detail.eventID)}`,
        principal: {
          deploymentId: started?.event.detail.deploymentId,
          version: 'checkout:42',
          by: ALICE,
          at: START_MS,
        },
      },
      envelope: { id: call?.event.id, account: '123456789012', region: 'us-east-1' },
    });
    expect(call?.event.detail.userIdentity).toMatchObject({
      type: 'AssumedRole',
      sessionContext: { sessionIssuer: { arn: 'arn:aws:iam::123456789012:role/release-pipeline' } },
    });
  });

  it('emits no CloudTrail record for a deploy that names nobody: the account has no trail', () => {
    const { ctx, sim } = world();
    sim.deploy('checkout', 'checkout:42');
    expect(ctx.emitted.map((e) => e.event['detail-type'])).toEqual([DETAIL_TYPE.ecsDeploymentStateChange]);
  });

  it('records a CodeDeploy CreateDeployment after START with the deployment id it answered', () => {
    const { ctx, sim } = world(codeDeployScenario);
    sim.deploy('payments', 'payments@r8', CAROL);

    const [start, call] = ctx.emitted;
    expect(start?.event.detail.state).toBe('START');
    const parsed = parseDeploymentCallEvent(call?.event, { now: START_MS });
    expect(parsed.ok && parsed.value).toEqual({
      kind: 'deployment',
      platform: 'codedeploy',
      application: 'payments',
      deploymentGroup: 'payments-prod',
      key: expect.stringMatching(/^cloudtrail\|/),
      principal: { deploymentId: start?.event.detail.deploymentId, by: CAROL, at: START_MS },
    });
    expect(call?.event.detail.userIdentity).toMatchObject({ type: 'IAMUser', userName: 'carol' });
  });

  it('delivers no record of a release CodeDeploy refused (the rule leaves failed calls out)', () => {
    const { ctx, sim } = world(codeDeployScenario);
    sim.deploy('payments', 'payments@r8', CAROL);
    sim.deploy('payments', 'payments@r9', CAROL);
    expect(ctx.emitted.map((e) => e.event['detail-type'])).toEqual([
      DETAIL_TYPE.codeDeployStateChange,
      DETAIL_TYPE.cloudTrailApiCall,
    ]);
  });
});
