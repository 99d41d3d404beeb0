import {
  BatchGetDeploymentsCommand,
  CodeDeployClient,
  CreateApplicationCommand,
  CreateDeploymentCommand,
  CreateDeploymentGroupCommand,
  ListDeploymentsCommand,
  type RevisionLocation,
} from '@aws-sdk/client-codedeploy';
import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { CodeDeployDeployer, revisionLabel } from '../../lambda/adapters/codedeploy-deployer';
import type { RuntimeCodeDeployTarget } from '../../lambda/contract';
import { alarmEventFromMoto } from './support/events';
import { motoJson } from './support/raw';
import { NAMES } from './support/configs';
import { deployToMoto, emulatorTemplate, type MotoStack } from './support/stack';
import { CallLog, emulatorWatchdog, type EmulatorWatchdog } from './support/world';

/**
 * CodeDeploy against moto: an application, a deployment group and its deployments in moto.
 *
 * What moto 5.2.1 cannot do, and where that is covered instead:
 * - BatchGetDeployments and GetDeployment answer `createTime` as an ISO-8601 string. CodeDeploy's JSON
 *   protocol sends timestamps as epoch seconds (the API reference types createTime as Timestamp), and the
 *   SDK refuses the string ("Expected real number"). Every CodeDeployDeployer.inspect therefore fails on
 *   moto, and with it the alarm path; the test below proves it fails before any claim or AWS write. The
 *   decisions on a live group are covered by test/unit/adapters/codedeploy-deployer.test.ts and the
 *   CodeDeploy scenarios in examples/. Reads of moto's deployments here go around the SDK (raw.ts).
 * - moto never moves a deployment past `Created` and keeps no lastSuccessfulDeployment, so no deployment
 *   ever succeeds or fails there; and it accepts CreateDeployment while another deployment of the group is
 *   active, which CodeDeploy refuses (DeploymentLimitExceededException).
 * - StopDeployment does not exist in moto (moto-gaps.test.ts).
 * So the redeploy of a known-good revision is run through the adapter itself, with the revision exactly as
 * moto reported it for the original deployment, and verified in moto.
 */
const { application: APPLICATION, group: GROUP, alarm: ALARM } = NAMES.codedeploy;
const REVISIONS = {
  github: {
    revisionType: 'GitHub',
    gitHubLocation: { repository: 'acme/payments', commitId: '3f1c2b9a7d4e5f60718293a4b5c6d7e8f9a0b1c2' },
  },
  s3: {
    revisionType: 'S3',
    s3Location: {
      bucket: 'acme-releases',
      key: 'payments/payments-2.3.0.zip',
      bundleType: 'zip',
      version: 'Wq1pKc3tE0mZ8x9QdR7sYb2LvN4uH6jA',
      eTag: '"9b2cf535f27731c974343645a3985328"',
    },
  },
  bad: {
    revisionType: 'GitHub',
    gitHubLocation: { repository: 'acme/payments', commitId: 'badbadbadbadbadbadbadbadbadbadbadbadbad0' },
  },
} satisfies Record<string, RevisionLocation>;

const codedeploy = new CodeDeployClient({});
const cloudwatch = new CloudWatchClient({});
let stack: MotoStack;
let watchdog: EmulatorWatchdog;
const calls = new CallLog();

/** Deployments of the group as moto holds them, read from its wire answer (the SDK cannot parse it). */
async function deploymentsInMoto(): Promise<any[]> {
  const { deployments = [] } = await codedeploy.send(
    new ListDeploymentsCommand({ applicationName: APPLICATION, deploymentGroupName: GROUP }),
  );
  const { status, json } = await motoJson('codedeploy', 'CodeDeploy_20141006.BatchGetDeployments', {
    deploymentIds: deployments,
  });
  expect(status).toBe(200);
  return json.deploymentsInfo as any[];
}

beforeAll(async () => {
  stack = await deployToMoto(emulatorTemplate('codedeploy'), 'emu-cd');
  await codedeploy.send(
    new CreateApplicationCommand({ applicationName: APPLICATION, computePlatform: 'Server' }),
  );
  await codedeploy.send(
    new CreateDeploymentGroupCommand({
      applicationName: APPLICATION,
      deploymentGroupName: GROUP,
      serviceRoleArn: 'arn:aws:iam::123456789012:role/codedeploy',
    }),
  );
  for (const revision of [REVISIONS.github, REVISIONS.bad]) {
    await codedeploy.send(
      new CreateDeploymentCommand({ applicationName: APPLICATION, deploymentGroupName: GROUP, revision }),
    );
  }
  await cloudwatch.send(
    new PutMetricAlarmCommand({
      AlarmName: ALARM,
      Namespace: 'Payments',
      MetricName: 'Errors',
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    }),
  );
  watchdog = emulatorWatchdog(stack, { configure: calls.configure });
});

afterAll(() => {
  watchdog.close();
  codedeploy.destroy();
  cloudwatch.destroy();
});

describe('CodeDeploy on moto', () => {
  it('reads the group and its active deployments from moto, then stops at BatchGetDeployments before any claim', async () => {
    await cloudwatch.send(
      new SetAlarmStateCommand({ AlarmName: ALARM, StateValue: 'ALARM', StateReason: 'errors' }),
    );
    const event = await alarmEventFromMoto(cloudwatch, ALARM);
    const before = await deploymentsInMoto();

    // The SDK's own error: moto's createTime is a string where the protocol has a number.
    await expect(watchdog.runtime.onAlarm(event, { awsRequestId: 'alarm-1' })).rejects.toThrow(
      /Expected real number/,
    );

    expect(calls.calls).toEqual(
      expect.arrayContaining([
        'codedeploy:GetDeploymentGroup',
        'codedeploy:ListDeployments',
        'codedeploy:BatchGetDeployments',
      ]),
    );
    expect(calls.count('codedeploy:CreateDeployment')).toBe(0);
    expect(await deploymentsInMoto()).toHaveLength(before.length);
    const state = (await watchdog.store.loadTargets(['payments'])).targets.get('payments');
    expect(state?.rollback).toBeUndefined();
    expect(await watchdog.store.listAudit('payments')).toEqual([]);
  });

  it('is the SDK refusing moto, not the adapter: a bare BatchGetDeployments fails the same way', async () => {
    const [first] = await deploymentsInMoto();
    expect(typeof first.createTime).toBe('string');
    await expect(
      codedeploy.send(new BatchGetDeploymentsCommand({ deploymentIds: [first.deploymentId] })),
    ).rejects.toThrow(/Expected real number/);
  });

  it.each([
    ['a GitHub revision', 'github'],
    ['an S3 revision with version and ETag', 's3'],
  ] as const)(
    'redeploys %s with CreateDeployment exactly as moto reported it for the original deployment',
    async (_name, which) => {
      const original = await codedeploy.send(
        new CreateDeploymentCommand({
          applicationName: APPLICATION,
          deploymentGroupName: GROUP,
          revision: REVISIONS[which],
        }),
      );
      const recorded = (await deploymentsInMoto()).find((d) => d.deploymentId === original.deploymentId);
      // What the ledger keeps as the version's artifact: the location as CodeDeploy returned it.
      const artifact = JSON.stringify(recorded.revision);
      const version = revisionLabel(recorded.revision as RevisionLocation);
      const target = stack.config.targets[0] as RuntimeCodeDeployTarget;

      const result = await new CodeDeployDeployer({ client: watchdog.clients.codedeploy }).redeploy(
        target,
        version,
        artifact,
      );

      if (result.status !== 'issued') throw new Error(`redeploy was not issued: ${JSON.stringify(result)}`);
      expect(result.deploymentRef).toEqual(expect.any(String));
      const redeployed = (await deploymentsInMoto()).find((d) => d.deploymentId === result.deploymentRef);
      expect(redeployed).toMatchObject({
        applicationName: APPLICATION,
        deploymentGroupName: GROUP,
        revision: REVISIONS[which],
        creator: 'user',
      });
      // The adapter keeps descriptions to 100 characters (CodeDeploy's limit is undocumented).
      const description = `Rollback Watchdog: roll back to ${version}`;
      expect(redeployed.description).toBe(
        description.length <= 100 ? description : `${description.slice(0, 99)}…`,
      );
      expect(redeployed.revision).toEqual(recorded.revision);
    },
  );
});
