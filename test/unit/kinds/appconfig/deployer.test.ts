import {
  AppConfigClient,
  BadRequestException,
  ConflictException,
  GetDeploymentCommand,
  GetHostedConfigurationVersionCommand,
  InternalServerException,
  ListApplicationsCommand,
  ListConfigurationProfilesCommand,
  ListDeploymentsCommand,
  ListEnvironmentsCommand,
  ResourceNotFoundException,
  StartDeploymentCommand,
  StopDeploymentCommand,
  type DeploymentState,
  type DeploymentSummary,
  type GetDeploymentCommandInput,
} from '@aws-sdk/client-appconfig';
import { mockClient } from 'aws-sdk-client-mock';
import { DEFAULT_POLICY, type RuntimeAppConfigTarget } from '../../../../lambda/contract';
import { AppConfigDeployer } from '../../../../lambda/kinds/appconfig/deployer';
import { AppConfigResolver } from '../../../../lambda/kinds/appconfig/resolver';
import { RetryableError, TargetInvalidError } from '../../../../lambda/use-cases/errors';
import { awsError } from '../../../support/aws-errors';
import { ecsTarget, SEC, T0 } from '../../../support/domain-fixtures';

const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

const APP = 'a1b2c3d';
const ENV = 'e4f5g6h';
const PROFILE = 'p7q8r9s';
const OTHER_PROFILE = 'p0o0o0o';
const STRATEGY = 'zb0bake';
const DECISION = '0f8fad5b-d9cb-469f-a165-70867728950e';

/** Named by name, as most configs do: the deployer resolves the ids. */
const target: RuntimeAppConfigTarget = {
  id: 'checkout-flags',
  type: 'appconfig',
  application: 'checkout',
  environment: 'production',
  configurationProfile: 'feature-flags',
  alarms: ['checkout-errors'],
  policy: DEFAULT_POLICY,
};
const byIds: RuntimeAppConfigTarget = {
  ...target,
  application: APP,
  environment: ENV,
  configurationProfile: PROFILE,
};

const badRequest = (message: string, attempts = 1) =>
  new BadRequestException({ message, Message: message, $metadata: { httpStatusCode: 400, attempts } });
const conflict = (attempts = 1) =>
  new ConflictException({
    message: 'A deployment is already in progress',
    Message: 'A deployment is already in progress',
    $metadata: { httpStatusCode: 409, attempts },
  });
const notFound = () =>
  new ResourceNotFoundException({ message: 'Environment not found', $metadata: { httpStatusCode: 404 } });

function summary(
  n: number,
  version: string,
  state: DeploymentState,
  startedAt: number,
  extra: Partial<DeploymentSummary> = {},
): DeploymentSummary {
  return {
    DeploymentNumber: n,
    ConfigurationProfileId: PROFILE,
    ConfigurationName: 'feature-flags',
    ConfigurationVersion: version,
    DeploymentDurationInMinutes: 10,
    FinalBakeTimeInMinutes: 10,
    GrowthFactor: 20,
    GrowthType: 'LINEAR',
    State: state,
    StartedAt: new Date(startedAt),
    ...(state === 'DEPLOYING' || state === 'BAKING' || state === 'VALIDATING' || state === 'ROLLING_BACK'
      ? {}
      : { CompletedAt: new Date(startedAt + 20 * MIN) }),
    ...extra,
  };
}

/** Version 2 completed a day ago; version 3 is the newest. */
const baseline = summary(2, '2', 'COMPLETE', T0 - DAY);
/** Another profile of the same environment: never this target's. */
const otherProfile = summary(5, '9', 'COMPLETE', T0 - 2 * MIN, {
  ConfigurationProfileId: OTHER_PROFILE,
  ConfigurationName: 'limits',
});

describe('AppConfigDeployer', () => {
  const appconfig = mockClient(AppConfigClient);
  let deployer: AppConfigDeployer;
  let log: jest.Mock;

  function make(options: { strategyId?: string | undefined; now?: () => number } = {}): AppConfigDeployer {
    const client = new AppConfigClient({ region: 'us-east-1' });
    return new AppConfigDeployer({
      client,
      resolver: new AppConfigResolver(client, { log }),
      strategyId: 'strategyId' in options ? options.strategyId : STRATEGY,
      telemetry: { log },
      sleep: async () => undefined,
      ...(options.now ? { now: options.now } : {}),
    });
  }

  beforeEach(() => {
    appconfig.reset();
    log = jest.fn();
    deployer = make();
    appconfig.on(ListApplicationsCommand).resolves({
      Items: [
        { Id: 'z9y8x7w', Name: 'payments' },
        { Id: APP, Name: 'checkout' },
      ],
    });
    appconfig.on(ListEnvironmentsCommand).resolves({
      Items: [
        { ApplicationId: APP, Id: 'e0e0e0e', Name: 'staging' },
        { ApplicationId: APP, Id: ENV, Name: 'production' },
      ],
    });
    appconfig.on(ListConfigurationProfilesCommand).resolves({
      Items: [
        { ApplicationId: APP, Id: PROFILE, Name: 'feature-flags' },
        { ApplicationId: APP, Id: OTHER_PROFILE, Name: 'limits' },
      ],
    });
  });

  const deployments = (...items: DeploymentSummary[]) =>
    appconfig.on(ListDeploymentsCommand).resolves({ Items: items });

  describe('inspect', () => {
    it('maps a deployment under way: it serves its version, can be stopped, and a stop restores the previous one', async () => {
      // Prepare
      deployments(otherProfile, summary(3, '3', 'DEPLOYING', T0), baseline);

      // Act
      const live = await deployer.inspect(target);

      // Assess
      expect(live).toEqual({
        kind: 'ok',
        currentVersion: '3',
        latest: {
          id: '3',
          version: '3',
          state: 'in-progress',
          startedAt: T0,
          stopRef: '3',
          stopRestores: '2',
          blocksNewDeployments: true,
        },
        previous: [
          {
            id: '2',
            version: '2',
            state: 'completed',
            startedAt: T0 - DAY,
            completedAt: T0 - DAY + 20 * MIN,
          },
        ],
        nativeRollback: false,
      });
      expect(appconfig).toHaveReceivedCommandWith(ListDeploymentsCommand, {
        ApplicationId: APP,
        EnvironmentId: ENV,
        MaxResults: 50,
      });
      // The user's own strategy (10 minutes, a bake): not the watchdog's, so no GetDeployment.
      expect(appconfig).toHaveReceivedCommandTimes(GetDeploymentCommand, 0);
    });

    it('treats a baking deployment as under way and stoppable', async () => {
      deployments(summary(3, '3', 'BAKING', T0), baseline);

      const live = await deployer.inspect(target);

      expect(live).toMatchObject({
        kind: 'ok',
        currentVersion: '3',
        latest: {
          id: '3',
          state: 'in-progress',
          stopRef: '3',
          stopRestores: '2',
          blocksNewDeployments: true,
        },
      });
    });

    it('maps a completed deployment without a stop handle', async () => {
      deployments(summary(3, '3', 'COMPLETE', T0), baseline);

      const live = await deployer.inspect(target);

      expect(live).toEqual({
        kind: 'ok',
        currentVersion: '3',
        latest: { id: '3', version: '3', state: 'completed', startedAt: T0, completedAt: T0 + 20 * MIN },
        previous: [expect.objectContaining({ id: '2', state: 'completed' })],
        nativeRollback: false,
      });
    });

    it.each(['ROLLED_BACK', 'REVERTED'] as const)(
      'shows a %s deployment as failed and its rollback, restoring the previous version, as the latest',
      async (state) => {
        deployments(summary(3, '3', state, T0), baseline);

        const live = await deployer.inspect(target);

        expect(live).toEqual({
          kind: 'ok',
          currentVersion: '2',
          latest: {
            id: '3-rollback',
            version: '2',
            state: 'completed',
            startedAt: T0 + 20 * MIN,
            completedAt: T0 + 20 * MIN,
            isRollback: true,
          },
          previous: [
            { id: '3', version: '3', state: 'failed', startedAt: T0 },
            expect.objectContaining({ id: '2', state: 'completed' }),
          ],
          nativeRollback: false,
        });
      },
    );

    it('reports AppConfig rolling back by itself as a native rollback in progress', async () => {
      deployments(summary(3, '3', 'ROLLING_BACK', T0), baseline);

      const live = await deployer.inspect(target);

      expect(live).toMatchObject({
        kind: 'ok',
        currentVersion: '2',
        latest: { id: '3-rollback', version: '2', state: 'in-progress', isRollback: true },
        nativeRollback: true,
      });
      expect(live.kind === 'ok' && live.latest?.stopRef).toBeFalsy();
    });

    it('skips a rolled-back deployment when looking for the version a stop restores', async () => {
      // 2 was rolled back; 1 is what the environment served before 3.
      deployments(
        summary(3, '3', 'DEPLOYING', T0),
        summary(2, '2', 'ROLLED_BACK', T0 - HOUR),
        summary(1, '1', 'COMPLETE', T0 - DAY),
      );

      const live = await deployer.inspect(target);

      expect(live).toMatchObject({ kind: 'ok', latest: { stopRestores: '1' } });
      expect(live.kind === 'ok' && live.previous.map((d) => [d.id, d.state])).toEqual([
        ['2', 'failed'],
        ['1', 'completed'],
      ]);
    });

    it('picks the profile by name where the summary has no profile id, asking GetDeployment only when names are shared', async () => {
      // Prepare: older summaries carry ConfigurationName only; two profiles are named feature-flags.
      const { ConfigurationProfileId: _a, ...mine } = summary(3, '3', 'DEPLOYING', T0);
      const { ConfigurationProfileId: _b, ...twin } = summary(2, '7', 'COMPLETE', T0 - HOUR);
      const { ConfigurationProfileId: _c, ...older } = summary(1, '2', 'COMPLETE', T0 - DAY);
      deployments(mine, twin, older);
      appconfig.on(ListConfigurationProfilesCommand).resolves({
        Items: [
          { Id: PROFILE, Name: 'feature-flags' },
          { Id: OTHER_PROFILE, Name: 'feature-flags' },
        ],
      });
      const owner: Record<number, string> = { 3: PROFILE, 2: OTHER_PROFILE, 1: PROFILE };
      appconfig.on(GetDeploymentCommand).callsFake((input: GetDeploymentCommandInput) => ({
        DeploymentNumber: input.DeploymentNumber,
        ConfigurationProfileId: owner[input.DeploymentNumber ?? 0],
      }));

      // Act: a name two profiles share cannot name the target; its id can.
      const live = await deployer.inspect({ ...target, configurationProfile: PROFILE });

      // Assess: deployment 2 belongs to the other feature-flags profile.
      expect(live).toMatchObject({ kind: 'ok', currentVersion: '3', latest: { stopRestores: '2' } });
      expect(live.kind === 'ok' && live.previous.map((d) => d.id)).toEqual(['1']);
      expect(appconfig).toHaveReceivedCommandTimes(GetDeploymentCommand, 3);
    });

    it('matches by name without GetDeployment when the name is the profile’s alone', async () => {
      const { ConfigurationProfileId: _a, ...mine } = summary(3, '3', 'COMPLETE', T0);
      deployments(mine, otherProfile);

      const live = await deployer.inspect(target);

      expect(live).toMatchObject({ kind: 'ok', currentVersion: '3' });
      expect(appconfig).toHaveReceivedCommandTimes(GetDeploymentCommand, 0);
    });

    it('reads the decision back from the description of a deployment made with a zero-bake strategy', async () => {
      // Prepare
      const ours = summary(4, '2', 'COMPLETE', T0, {
        DeploymentDurationInMinutes: 0,
        FinalBakeTimeInMinutes: 0,
        GrowthFactor: 100,
      });
      deployments(ours, summary(3, '3', 'COMPLETE', T0 - HOUR), baseline);
      appconfig.on(GetDeploymentCommand).resolves({
        DeploymentNumber: 4,
        ConfigurationProfileId: PROFILE,
        Description: `Rollback Watchdog decision ${DECISION}: roll back to configuration version 2`,
      });

      // Act
      const first = await deployer.inspect(target);
      const second = await deployer.inspect(target);

      // Assess: the description is read once (it never changes).
      expect(first).toMatchObject({ kind: 'ok', latest: { id: '4', initiatedBy: DECISION } });
      expect(second).toEqual(first);
      expect(appconfig).toHaveReceivedCommandTimes(GetDeploymentCommand, 1);
    });

    it('resolves names once per container', async () => {
      deployments(summary(3, '3', 'COMPLETE', T0));

      await deployer.inspect(target);
      await deployer.inspect(target);

      expect(appconfig).toHaveReceivedCommandTimes(ListApplicationsCommand, 1);
      expect(appconfig).toHaveReceivedCommandTimes(ListEnvironmentsCommand, 1);
      expect(appconfig).toHaveReceivedCommandTimes(ListConfigurationProfilesCommand, 1);
      expect(appconfig).toHaveReceivedCommandTimes(ListDeploymentsCommand, 2);
      expect(appconfig).toHaveReceivedCommandWith(ListEnvironmentsCommand, { ApplicationId: APP });
    });

    it('needs no ListApplications when the application is given by id', async () => {
      deployments(summary(3, '3', 'COMPLETE', T0));

      const live = await deployer.inspect(byIds);

      expect(live).toMatchObject({ kind: 'ok', currentVersion: '3' });
      expect(appconfig).toHaveReceivedCommandTimes(ListApplicationsCommand, 0);
    });

    it('follows the list pages until a name is found', async () => {
      appconfig
        .on(ListApplicationsCommand)
        .resolvesOnce({ Items: [{ Id: 'z9y8x7w', Name: 'payments' }], NextToken: 'page-2' })
        .resolvesOnce({ Items: [{ Id: APP, Name: 'checkout' }] });
      deployments(summary(3, '3', 'COMPLETE', T0));

      const live = await deployer.inspect(target);

      expect(live).toMatchObject({ kind: 'ok' });
      const pages = appconfig.commandCalls(ListApplicationsCommand).map((c) => c.args[0].input.NextToken);
      expect(pages).toEqual([undefined, 'page-2']);
    });

    it('says how to fix a name that matches nothing, listing the names there are', async () => {
      const live = await deployer.inspect({ ...target, environment: 'prodution' });

      expect(live.kind).toBe('invalid');
      expect(live.kind === 'invalid' && live.why).toMatch(
        /no AppConfig environment is named or has the id "prodution" in application checkout.*"staging", "production": check the name, or give the environment's id/,
      );
      expect(appconfig).toHaveReceivedCommandTimes(ListDeploymentsCommand, 0);
    });

    it('refuses a name that reads as an id, since the stack scoped IAM to it as one, and names the id to give', async () => {
      appconfig.on(ListEnvironmentsCommand).resolves({ Items: [{ Id: ENV, Name: 'stage02' }] });

      const live = await deployer.inspect({ ...target, environment: 'stage02' });

      expect(live.kind === 'invalid' && live.why).toBe(
        `"stage02" is the name of AppConfig environment ${ENV}, but 7 lower-case letters and digits read as an id, so the stack's IAM grants name a environment with id "stage02": give the id "${ENV}" in the config`,
      );
    });

    it('reads a 7-letter name without a digit (staging) as a name, not an id', async () => {
      appconfig
        .on(ListEnvironmentsCommand)
        .resolves({ Items: [{ ApplicationId: APP, Id: ENV, Name: 'staging' }] });
      deployments(summary(3, '3', 'COMPLETE', T0), baseline);

      const live = await deployer.inspect({ ...target, environment: 'staging' });

      expect(live).toMatchObject({ kind: 'ok', currentVersion: '3' });
      expect(appconfig).toHaveReceivedCommandWith(ListDeploymentsCommand, { EnvironmentId: ENV });
    });

    it('refuses a name two profiles share, asking for the id', async () => {
      appconfig.on(ListConfigurationProfilesCommand).resolves({
        Items: [
          { Id: PROFILE, Name: 'feature-flags' },
          { Id: OTHER_PROFILE, Name: 'feature-flags' },
        ],
      });

      const live = await deployer.inspect(target);

      expect(live.kind === 'invalid' && live.why).toMatch(
        /2 AppConfig configuration profiles are named "feature-flags".*ids p7q8r9s, p0o0o0o\): give the id/,
      );
    });

    it('says an application id that does not exist may be a name', async () => {
      appconfig.on(ListEnvironmentsCommand).rejects(notFound());

      const live = await deployer.inspect({ ...target, application: 'paymnt1' });

      expect(live.kind === 'invalid' && live.why).toMatch(
        /AppConfig has no application with id "paymnt1" \(7 lower-case letters and digits read as an id: if "paymnt1" is the application's name, give its id\)/,
      );
    });

    it('reports a target that was never deployed', async () => {
      deployments(otherProfile);

      const live = await deployer.inspect(target);

      expect(live.kind === 'invalid' && live.why).toMatch(/has never been deployed/);
    });

    it('reads up to three pages while no deployment of the profile is listed', async () => {
      appconfig
        .on(ListDeploymentsCommand)
        .resolvesOnce({ Items: [otherProfile], NextToken: 't2' })
        .resolvesOnce({ Items: [summary(3, '3', 'COMPLETE', T0)], NextToken: 't3' });

      const live = await deployer.inspect(target);

      expect(live).toMatchObject({ kind: 'ok', currentVersion: '3' });
      expect(appconfig).toHaveReceivedCommandTimes(ListDeploymentsCommand, 2);
    });

    it('makes a missing environment invalid and resolves its names again next time', async () => {
      appconfig.on(ListDeploymentsCommand).rejects(notFound());

      const live = await deployer.inspect(target);
      await deployer.inspect(target);

      expect(live.kind === 'invalid' && live.why).toMatch(
        /ListDeployments of .* failed: ResourceNotFoundException/,
      );
      expect(appconfig).toHaveReceivedCommandTimes(ListEnvironmentsCommand, 2);
    });

    it('says how to fix an access denied', async () => {
      appconfig.on(ListDeploymentsCommand).rejects(awsError('AccessDeniedException', { status: 403 }));

      const live = await deployer.inspect(target);

      expect(live.kind === 'invalid' && live.why).toMatch(
        /AccessDeniedException.*deploy the watchdog stack with this target/,
      );
    });

    it.each([
      ['throttling', awsError('ThrottlingException', { status: 400 })],
      ['a server error', awsError('InternalServerException', { status: 500 })],
    ])('throws a RetryableError on %s, for Lambda to retry', async (_what, err) => {
      appconfig.on(ListDeploymentsCommand).rejects(err);

      await expect(deployer.inspect(target)).rejects.toBeInstanceOf(RetryableError);
    });

    it('throws a RetryableError when resolving a name is throttled', async () => {
      appconfig.on(ListApplicationsCommand).rejects(awsError('ThrottlingException'));

      await expect(deployer.inspect(target)).rejects.toBeInstanceOf(RetryableError);
    });

    it('refuses a target of another kind as a wiring bug', async () => {
      await expect(deployer.inspect(ecsTarget())).rejects.toThrow(TypeError);
    });
  });

  describe('stop', () => {
    it('stops the deployment with AllowRevert, so that AppConfig rolls it back whether deploying or baking', async () => {
      appconfig.on(StopDeploymentCommand).resolves({ DeploymentNumber: 3, State: 'ROLLED_BACK' });

      const result = await deployer.stop(target, '3');

      expect(result).toEqual({ status: 'issued', deploymentRef: '3' });
      expect(appconfig).toHaveReceivedCommandWith(StopDeploymentCommand, {
        ApplicationId: APP,
        EnvironmentId: ENV,
        DeploymentNumber: 3,
        AllowRevert: true,
      });
    });

    it('answers already-finished when AppConfig refuses: the deployment was already rolled back', async () => {
      appconfig.on(StopDeploymentCommand).rejects(badRequest('Deployment 3 is in state ROLLED_BACK'));

      const result = await deployer.stop(target, '3');

      expect(result).toEqual({
        status: 'already-finished',
        detail: expect.stringMatching(
          /deployment 3 .* can no longer be stopped \(BadRequestException: Deployment 3 is in state ROLLED_BACK\)/,
        ),
      });
    });

    it('treats a refusal of the SDK’s retry as ambiguous: the first attempt may have been the stop', async () => {
      appconfig.on(StopDeploymentCommand).rejects(badRequest('Deployment 3 is in state ROLLED_BACK', 2));

      await expect(deployer.stop(target, '3')).rejects.toBeInstanceOf(RetryableError);
    });

    it('maps throttling to RetryableError', async () => {
      appconfig.on(StopDeploymentCommand).rejects(awsError('ThrottlingException'));

      await expect(deployer.stop(target, '3')).rejects.toBeInstanceOf(RetryableError);
    });

    it('maps access denied to TargetInvalidError, saying how to fix it', async () => {
      appconfig.on(StopDeploymentCommand).rejects(awsError('AccessDeniedException', { status: 403 }));

      const failure = deployer.stop(target, '3');

      await expect(failure).rejects.toBeInstanceOf(TargetInvalidError);
      await expect(failure).rejects.toThrow(/deploy the watchdog stack with this target in its config/);
    });

    it('refuses a reference that is no deployment number', async () => {
      await expect(deployer.stop(target, '3-rollback')).rejects.toThrow(TypeError);
      expect(appconfig).toHaveReceivedCommandTimes(StopDeploymentCommand, 0);
    });
  });

  describe('redeploy', () => {
    it('reverts the newest completed deployment when the version is the one it replaced', async () => {
      // Prepare
      deployments(summary(3, '3', 'COMPLETE', T0), baseline);
      appconfig.on(StopDeploymentCommand).resolves({ DeploymentNumber: 3, State: 'REVERTED' });

      // Act
      const result = await deployer.redeploy(target, '2', undefined, DECISION);

      // Assess
      expect(result).toEqual({ status: 'issued', deploymentRef: '3-rollback' });
      expect(appconfig).toHaveReceivedCommandWith(StopDeploymentCommand, {
        ApplicationId: APP,
        EnvironmentId: ENV,
        DeploymentNumber: 3,
        AllowRevert: true,
      });
      expect(appconfig).toHaveReceivedCommandTimes(StartDeploymentCommand, 0);
    });

    it('deploys a version older than the one replaced with the zero-bake strategy, recording the decision', async () => {
      // Prepare
      deployments(summary(3, '3', 'COMPLETE', T0), baseline, summary(1, '1', 'COMPLETE', T0 - 2 * DAY));
      appconfig.on(StartDeploymentCommand).resolves({ DeploymentNumber: 4, State: 'DEPLOYING' });

      // Act
      const result = await deployer.redeploy(target, '1', undefined, DECISION);

      // Assess
      expect(result).toEqual({ status: 'issued', deploymentRef: '4' });
      expect(appconfig).toHaveReceivedCommandWith(StartDeploymentCommand, {
        ApplicationId: APP,
        EnvironmentId: ENV,
        ConfigurationProfileId: PROFILE,
        DeploymentStrategyId: STRATEGY,
        ConfigurationVersion: '1',
        Description: `Rollback Watchdog decision ${DECISION}: roll back to configuration version 1`,
      });
      expect(appconfig).toHaveReceivedCommandTimes(StopDeploymentCommand, 0);
    });

    it('deploys the version when AppConfig refuses the revert (past its 72 hours)', async () => {
      deployments(summary(3, '3', 'COMPLETE', T0), baseline);
      appconfig.on(StopDeploymentCommand).rejects(badRequest('Revert window has passed'));
      appconfig.on(StartDeploymentCommand).resolves({ DeploymentNumber: 4 });

      const result = await deployer.redeploy(target, '2', undefined, DECISION);

      expect(result).toEqual({ status: 'issued', deploymentRef: '4' });
      expect(appconfig).toHaveReceivedCommandWith(StartDeploymentCommand, { ConfigurationVersion: '2' });
    });

    it('does not try a revert its clock says is past the 72 hours', async () => {
      deployer = make({ now: () => T0 + 20 * MIN + 73 * HOUR });
      deployments(summary(3, '3', 'COMPLETE', T0), baseline);
      appconfig.on(StartDeploymentCommand).resolves({ DeploymentNumber: 4 });

      await deployer.redeploy(target, '2', undefined, DECISION);

      expect(appconfig).toHaveReceivedCommandTimes(StopDeploymentCommand, 0);
      expect(appconfig).toHaveReceivedCommandTimes(StartDeploymentCommand, 1);
    });

    it('reverts inside the 72 hours by its clock', async () => {
      deployer = make({ now: () => T0 + 20 * MIN + 71 * HOUR });
      deployments(summary(3, '3', 'COMPLETE', T0), baseline);
      appconfig.on(StopDeploymentCommand).resolves({});

      await deployer.redeploy(target, '2');

      expect(appconfig).toHaveReceivedCommandTimes(StopDeploymentCommand, 1);
    });

    it('deploys when the newest deployment was already rolled back (nothing to revert)', async () => {
      deployments(summary(3, '3', 'ROLLED_BACK', T0), baseline);
      appconfig.on(StartDeploymentCommand).resolves({ DeploymentNumber: 4 });

      await deployer.redeploy(target, '2', undefined, DECISION);

      expect(appconfig).toHaveReceivedCommandTimes(StopDeploymentCommand, 0);
      expect(appconfig).toHaveReceivedCommandWith(StartDeploymentCommand, { ConfigurationVersion: '2' });
    });

    it('answers busy while another deployment holds the environment', async () => {
      deployments(summary(3, '3', 'COMPLETE', T0), baseline);
      appconfig.on(StartDeploymentCommand).rejects(conflict());

      const result = await deployer.redeploy(target, '1', undefined, DECISION);

      expect(result).toEqual({
        status: 'busy',
        detail: expect.stringMatching(
          /another deployment to environment production .* one configuration at a time/,
        ),
      });
    });

    it('treats a conflict on the SDK’s retry as ambiguous: the first attempt may have started the deployment', async () => {
      deployments(summary(3, '3', 'COMPLETE', T0), baseline);
      appconfig.on(StartDeploymentCommand).rejects(conflict(2));

      await expect(deployer.redeploy(target, '1', undefined, DECISION)).rejects.toBeInstanceOf(
        RetryableError,
      );
    });

    it('names the missing strategy variable instead of deploying without it', async () => {
      deployer = make({ strategyId: undefined });
      deployments(summary(3, '3', 'COMPLETE', T0), baseline);

      const failure = deployer.redeploy(target, '1', undefined, DECISION);

      await expect(failure).rejects.toBeInstanceOf(TargetInvalidError);
      await expect(failure).rejects.toThrow(/WATCHDOG_APPCONFIG_STRATEGY_ID is not set/);
      expect(appconfig).toHaveReceivedCommandTimes(StartDeploymentCommand, 0);
    });

    it('makes a version AppConfig will not deploy a target problem', async () => {
      deployments(summary(3, '3', 'COMPLETE', T0), baseline);
      appconfig.on(StartDeploymentCommand).rejects(badRequest('Configuration version 1 does not exist'));

      await expect(deployer.redeploy(target, '1')).rejects.toThrow(
        /AppConfig refused to deploy configuration version 1 .*does not exist/,
      );
    });

    it('makes a target whose names resolve to nothing a target problem', async () => {
      await expect(
        deployer.redeploy({ ...target, configurationProfile: 'nope' }, '1'),
      ).rejects.toBeInstanceOf(TargetInvalidError);
    });
  });

  describe('replace', () => {
    it('stops the deployment, waits for its rollback to end, then deploys the known-good version', async () => {
      // Prepare: 3 replaced 2 (not proven); 1 is known-good.
      appconfig.on(StopDeploymentCommand).resolves({ DeploymentNumber: 3, State: 'ROLLING_BACK' });
      appconfig
        .on(GetDeploymentCommand)
        .resolvesOnce({ DeploymentNumber: 3, State: 'ROLLING_BACK' })
        .resolves({ DeploymentNumber: 3, State: 'ROLLED_BACK' });
      deployments(
        summary(3, '3', 'ROLLED_BACK', T0),
        summary(2, '2', 'COMPLETE', T0 - HOUR),
        summary(1, '1', 'COMPLETE', T0 - DAY),
      );
      appconfig.on(StartDeploymentCommand).resolves({ DeploymentNumber: 4 });

      // Act
      const result = await deployer.replace(target, '3', '1', undefined, DECISION);

      // Assess
      expect(result).toEqual({ status: 'issued', deploymentRef: '4' });
      expect(appconfig).toHaveReceivedCommandTimes(GetDeploymentCommand, 2);
      expect(appconfig).toHaveReceivedCommandWith(StartDeploymentCommand, { ConfigurationVersion: '1' });
      const order = appconfig.calls().map((c) => (c.args[0] as object).constructor.name);
      expect(order.indexOf('StopDeploymentCommand')).toBeLessThan(order.indexOf('StartDeploymentCommand'));
    });

    it('goes on when the deployment had already finished', async () => {
      appconfig.on(StopDeploymentCommand).rejects(badRequest('already ROLLED_BACK'));
      appconfig.on(GetDeploymentCommand).resolves({ DeploymentNumber: 3, State: 'ROLLED_BACK' });
      deployments(summary(3, '3', 'ROLLED_BACK', T0), baseline);
      appconfig.on(StartDeploymentCommand).resolves({ DeploymentNumber: 4 });

      await expect(deployer.replace(target, '3', '1')).resolves.toEqual({
        status: 'issued',
        deploymentRef: '4',
      });
    });

    it('fails transiently while the rollback has not ended, so that the claim routine finishes it later', async () => {
      appconfig.on(StopDeploymentCommand).resolves({});
      appconfig.on(GetDeploymentCommand).resolves({ DeploymentNumber: 3, State: 'ROLLING_BACK' });

      await expect(deployer.replace(target, '3', '1')).rejects.toThrow(/still rolling back/);
      expect(appconfig).toHaveReceivedCommandTimes(StartDeploymentCommand, 0);
    });
  });

  describe('owns', () => {
    it('matches the ids an event names against the target’s resolved names', async () => {
      const identity = { application: APP, environment: ENV, configurationProfile: PROFILE };

      await expect(deployer.owns(target, identity)).resolves.toBe(true);
      await expect(deployer.owns(target, { ...identity, environment: 'e0e0e0e' })).resolves.toBe(false);
      await expect(deployer.owns(target, { ...identity, configurationProfile: OTHER_PROFILE })).resolves.toBe(
        false,
      );
    });

    it('owns nothing when its names resolve to nothing', async () => {
      const identity = { application: APP, environment: ENV, configurationProfile: PROFILE };

      await expect(deployer.owns({ ...target, application: 'unknown-app' }, identity)).resolves.toBe(false);
    });
  });

  describe('viability', () => {
    const profiles = (LocationUri?: string) =>
      appconfig.on(ListConfigurationProfilesCommand).resolves({
        Items: [
          { ApplicationId: APP, Id: PROFILE, Name: 'feature-flags', ...(LocationUri ? { LocationUri } : {}) },
          { ApplicationId: APP, Id: OTHER_PROFILE, Name: 'limits', LocationUri: 'hosted' },
        ],
      });

    beforeEach(() => {
      profiles('hosted');
      appconfig.on(GetHostedConfigurationVersionCommand).resolves({
        ApplicationId: APP,
        ConfigurationProfileId: PROFILE,
        VersionNumber: 3,
        // The SDK's blob: bytes that can also read themselves as text.
        Content: Object.assign(new TextEncoder().encode('{"flags":{}}'), {
          transformToString: () => '{"flags":{}}',
        }),
        ContentType: 'application/json',
      });
    });

    it('finds a hosted version that is still in the store runnable, and keeps none of its content', async () => {
      const result = await deployer.viability(target, '3');

      expect(result).toEqual({ runnable: true });
      expect(appconfig.commandCalls(GetHostedConfigurationVersionCommand)[0]?.args[0].input).toEqual({
        ApplicationId: APP,
        ConfigurationProfileId: PROFILE,
        VersionNumber: 3,
      });
    });

    it('reports a deleted hosted version as missing', async () => {
      appconfig
        .on(GetHostedConfigurationVersionCommand)
        .rejects(
          new ResourceNotFoundException({ message: 'Version not found', $metadata: { httpStatusCode: 404 } }),
        );

      const result = await deployer.viability(target, '3');

      expect(result.runnable).toBe(false);
      expect(result.missing).toEqual([
        expect.stringMatching(
          /^configuration version 3 of .*feature-flags.* is not in the hosted configuration store \(deleted\)/,
        ),
      ]);
    });

    it('reports a denied read as unchecked, saying how to fix it', async () => {
      appconfig
        .on(GetHostedConfigurationVersionCommand)
        .rejects(awsError('AccessDeniedException', { status: 403 }));

      const result = await deployer.viability(target, '3');

      expect(result).toEqual({
        runnable: true,
        unchecked: [expect.stringContaining('could not be checked: GetHostedConfigurationVersion')],
      });
      expect(result.unchecked?.[0]).toContain('deploy the watchdog stack with this target in its config');
    });

    it('throws RetryableError when the read fails transiently', async () => {
      appconfig
        .on(GetHostedConfigurationVersionCommand)
        .rejects(new InternalServerException({ message: 'boom', $metadata: { httpStatusCode: 500 } }));

      await expect(deployer.viability(target, '3')).rejects.toBeInstanceOf(RetryableError);
    });

    it.each([
      ['an S3 object', 's3://configs/flags.json'],
      ['a Parameter Store parameter', 'ssm-parameter://flags'],
      ['a source ListConfigurationProfiles did not name', undefined],
    ])('reports a version stored in %s as unchecked, reading nothing', async (_name, location) => {
      profiles(location);

      const result = await deployer.viability(target, '3');

      expect(result).toEqual({
        runnable: true,
        unchecked: [expect.stringContaining(`is stored outside AppConfig (${location ?? 'a source'}`)],
      });
      expect(appconfig.commandCalls(GetHostedConfigurationVersionCommand)).toHaveLength(0);
    });

    it('reports a version that is no version number as unchecked, reading nothing', async () => {
      const result = await deployer.viability(target, 'v3');

      expect(result).toEqual({
        runnable: true,
        unchecked: [expect.stringContaining('is not a hosted configuration version number')],
      });
      expect(appconfig.commandCalls(GetHostedConfigurationVersionCommand)).toHaveLength(0);
    });

    it('reports a target whose names do not resolve as unchecked rather than throwing', async () => {
      const result = await deployer.viability({ ...target, application: 'unknown-app' }, '3');

      expect(result).toEqual({
        runnable: true,
        unchecked: [expect.stringContaining('could not be checked: no AppConfig application')],
      });
    });
  });
});
