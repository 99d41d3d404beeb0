import {
  ApplicationDoesNotExistException,
  BatchGetDeploymentsCommand,
  CodeDeployClient,
  CreateDeploymentCommand,
  DeploymentAlreadyCompletedException,
  DeploymentDoesNotExistException,
  DeploymentGroupDoesNotExistException,
  DeploymentLimitExceededException,
  GetApplicationRevisionCommand,
  GetDeploymentGroupCommand,
  InvalidDeploymentIdException,
  RevisionDoesNotExistException,
  ListDeploymentsCommand,
  StopDeploymentCommand,
  ThrottlingException,
  type BatchGetDeploymentsCommandInput,
  type BatchGetDeploymentsCommandOutput,
  type DeploymentInfo,
  type DeploymentStatus,
  type GetDeploymentGroupCommandOutput,
  type LastDeploymentInfo,
  type ListDeploymentsCommandOutput,
  type RevisionLocation,
} from '@aws-sdk/client-codedeploy';
import { HeadObjectCommand, NotFound, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { CodeDeployDeployer, revisionLabel } from '../../../lambda/adapters/codedeploy-deployer';
import { DEFAULT_POLICY, type RuntimeCodeDeployTarget } from '../../../lambda/contract';
import { RetryableError, TargetInvalidError } from '../../../lambda/use-cases/errors';
import { awsError } from '../../support/aws-errors';
import { ecsTarget, SEC, T0 } from '../../support/domain-fixtures';

const MIN = 60 * SEC;
const DAY = 24 * 60 * MIN;
const meta = { httpStatusCode: 400, requestId: 'req-1' };
const GROUP = 'deployment group payments-prod of application payments';
const serverError = awsError('InternalFailure', { status: 500 });

const target: RuntimeCodeDeployTarget = {
  id: 'payments',
  type: 'codedeploy',
  application: 'payments',
  deploymentGroup: 'payments-prod',
  alarms: ['payments-errors'],
  policy: DEFAULT_POLICY,
};

/** The simulator's encoding: version `payments@r7` is GitHub repository `payments` at commit `r7`. */
const gitHub = (commitId: string): RevisionLocation => ({
  revisionType: 'GitHub',
  gitHubLocation: { repository: 'payments', commitId },
});
const artifactOf = (commitId: string) => JSON.stringify(gitHub(commitId));

function deployment(
  id: string,
  commitId: string,
  status: DeploymentStatus,
  createTime: number,
  extra: Partial<DeploymentInfo> = {},
): DeploymentInfo {
  return {
    applicationName: 'payments',
    deploymentGroupName: 'payments-prod',
    deploymentId: id,
    revision: gitHub(commitId),
    status,
    creator: 'user',
    createTime: new Date(createTime),
    startTime: new Date(createTime),
    ...(status === 'Succeeded' || status === 'Failed' || status === 'Stopped'
      ? { completeTime: new Date(createTime + 2 * MIN) }
      : {}),
    ...extra,
  };
}

const pointer = (d: DeploymentInfo): LastDeploymentInfo => ({
  deploymentId: d.deploymentId,
  status: d.status,
  createTime: d.createTime,
  ...(d.completeTime ? { endTime: d.completeTime } : {}),
});

function group(
  lastSuccessful?: DeploymentInfo,
  lastAttempted?: DeploymentInfo,
): GetDeploymentGroupCommandOutput {
  return {
    $metadata: {},
    deploymentGroupInfo: {
      applicationName: 'payments',
      deploymentGroupName: 'payments-prod',
      computePlatform: 'Server',
      ...(lastSuccessful ? { lastSuccessfulDeployment: pointer(lastSuccessful) } : {}),
      ...(lastAttempted ? { lastAttemptedDeployment: pointer(lastAttempted) } : {}),
    },
  };
}

const listed = (...ids: string[]): ListDeploymentsCommandOutput => ({ $metadata: {}, deployments: ids });
const batch = (...infos: DeploymentInfo[]): BatchGetDeploymentsCommandOutput => ({
  $metadata: {},
  deploymentsInfo: infos,
});

/** payments@r7 succeeded a day ago; payments@r8 is rolling out now. */
const baseline = deployment('d-1', 'r7', 'Succeeded', T0 - DAY);
const rollingOut = deployment('d-2', 'r8', 'InProgress', T0);

describe('CodeDeployDeployer', () => {
  const codedeploy = mockClient(CodeDeployClient);
  let deployer: CodeDeployDeployer;
  let log: jest.Mock;

  beforeEach(() => {
    codedeploy.reset();
    log = jest.fn();
    deployer = new CodeDeployDeployer({
      client: new CodeDeployClient({ region: 'us-east-1' }),
      telemetry: { log },
      sleep: async () => undefined,
    });
  });

  function world(options: {
    lastSuccessful?: DeploymentInfo;
    lastAttempted?: DeploymentInfo;
    active?: string[];
    deployments: DeploymentInfo[];
  }): void {
    codedeploy.on(GetDeploymentGroupCommand).resolves(group(options.lastSuccessful, options.lastAttempted));
    codedeploy.on(ListDeploymentsCommand).resolves(listed(...(options.active ?? [])));
    // Like CodeDeploy, answers with the deployments asked for and leaves unknown ids out.
    codedeploy
      .on(BatchGetDeploymentsCommand)
      .callsFake((input: BatchGetDeploymentsCommandInput) =>
        batch(...options.deployments.filter((d) => input.deploymentIds?.includes(d.deploymentId ?? ''))),
      );
  }

  describe('inspect', () => {
    it('maps an active deployment with its stop handle and the revision a stop restores', async () => {
      // Prepare
      world({
        lastSuccessful: baseline,
        lastAttempted: rollingOut,
        active: ['d-2'],
        deployments: [rollingOut, baseline],
      });

      // Act
      const live = await deployer.inspect(target);

      // Assess
      expect(live).toEqual({
        kind: 'ok',
        currentVersion: 'payments@r8',
        latest: {
          id: 'd-2',
          version: 'payments@r8',
          state: 'in-progress',
          startedAt: T0,
          artifact: artifactOf('r8'),
          deployedBy: 'CodeDeploy creator: user',
          blocksNewDeployments: true,
          stopRef: 'd-2',
          stopRestores: 'payments@r7',
        },
        previous: [
          {
            id: 'd-1',
            version: 'payments@r7',
            state: 'completed',
            startedAt: T0 - DAY,
            completedAt: T0 - DAY + 2 * MIN,
            artifact: artifactOf('r7'),
            deployedBy: 'CodeDeploy creator: user',
          },
        ],
        nativeRollback: false,
      });
      expect(codedeploy).toHaveReceivedCommandWith(GetDeploymentGroupCommand, {
        applicationName: 'payments',
        deploymentGroupName: 'payments-prod',
      });
      expect(codedeploy).toHaveReceivedCommandWith(ListDeploymentsCommand, {
        applicationName: 'payments',
        deploymentGroupName: 'payments-prod',
        includeOnlyStatuses: ['Created', 'Queued', 'InProgress', 'Baking', 'Ready'],
      });
      const [call] = codedeploy.commandCalls(BatchGetDeploymentsCommand);
      expect(call?.args[0].input).toEqual({ deploymentIds: ['d-1', 'd-2'] });
    });

    it('names who created each deployment as CodeDeploy reports it (creator), and nobody when it does not', async () => {
      // Prepare
      const { creator: _none, ...anonymous } = baseline;
      const byAutoScaling = { ...rollingOut, creator: 'autoscaling' as const };
      world({
        lastSuccessful: anonymous,
        lastAttempted: byAutoScaling,
        active: ['d-2'],
        deployments: [byAutoScaling, anonymous],
      });

      // Act
      const live = await deployer.inspect(target);

      // Assess
      expect(live.kind === 'ok' && [live.latest?.deployedBy, live.previous[0]?.deployedBy]).toEqual([
        'CodeDeploy creator: autoscaling',
        undefined,
      ]);
    });

    it('maps a deployment that completed in the window: completed, no stop handle, nothing older to report', async () => {
      // Prepare: once it succeeded, it is both the last successful and the last attempted deployment.
      const done = deployment('d-2', 'r8', 'Succeeded', T0);
      world({ lastSuccessful: done, lastAttempted: done, deployments: [done] });

      // Act
      const live = await deployer.inspect(target);

      // Assess
      expect(live).toEqual({
        kind: 'ok',
        currentVersion: 'payments@r8',
        latest: {
          id: 'd-2',
          version: 'payments@r8',
          state: 'completed',
          startedAt: T0,
          completedAt: T0 + 2 * MIN,
          artifact: artifactOf('r8'),
          deployedBy: 'CodeDeploy creator: user',
        },
        previous: [],
        nativeRollback: false,
      });
      const [call] = codedeploy.commandCalls(BatchGetDeploymentsCommand);
      expect(call?.args[0].input).toEqual({ deploymentIds: ['d-2'] });
    });

    it('reports the last successful revision as current after a failed deployment, which is latest', async () => {
      // Prepare
      const failed = deployment('d-2', 'r8', 'Failed', T0);
      world({ lastSuccessful: baseline, lastAttempted: failed, deployments: [baseline, failed] });

      // Act
      const live = await deployer.inspect(target);

      // Assess
      expect(live).toMatchObject({
        kind: 'ok',
        currentVersion: 'payments@r7',
        latest: { id: 'd-2', version: 'payments@r8', state: 'failed' },
        previous: [{ id: 'd-1', version: 'payments@r7', state: 'completed', artifact: artifactOf('r7') }],
        nativeRollback: false,
      });
      expect(live.kind === 'ok' && live.latest).not.toHaveProperty('stopRef');
      expect(live.kind === 'ok' && live.latest).not.toHaveProperty('completedAt');
    });

    describe('while CodeDeploy rolls back by itself', () => {
      // d-2 (payments@r8) was stopped; CodeDeploy's rollback d-3 redeploys payments@r7.
      const stopped = deployment('d-2', 'r8', 'Stopped', T0, {
        rollbackInfo: { rollbackDeploymentId: 'd-3' },
      });
      const rollback = deployment('d-3', 'r7', 'InProgress', T0 + 5 * MIN, {
        creator: 'codeDeployRollback',
        rollbackInfo: { rollbackTriggeringDeploymentId: 'd-2' },
      });

      it('reports the rollback as latest, never as a stop handle, and the stopped deployment among previous', async () => {
        // Prepare
        world({
          lastSuccessful: baseline,
          lastAttempted: rollback,
          active: ['d-3'],
          deployments: [baseline, stopped, rollback],
        });

        // Act
        const live = await deployer.inspect(target);

        // Assess
        expect(live).toEqual({
          kind: 'ok',
          currentVersion: 'payments@r7',
          latest: {
            id: 'd-3',
            version: 'payments@r7',
            state: 'in-progress',
            startedAt: T0 + 5 * MIN,
            artifact: artifactOf('r7'),
            isRollback: true,
            // CodeDeploy's own rollback says so in `creator`, which the ledger keeps as who deployed it.
            deployedBy: 'CodeDeploy creator: codeDeployRollback',
            blocksNewDeployments: true,
          },
          previous: [
            expect.objectContaining({ id: 'd-2', version: 'payments@r8', state: 'failed' }),
            expect.objectContaining({ id: 'd-1', version: 'payments@r7', state: 'completed' }),
          ],
          nativeRollback: true,
        });
        const batches = codedeploy.commandCalls(BatchGetDeploymentsCommand).map((c) => c.args[0].input);
        expect(batches).toEqual([{ deploymentIds: ['d-1', 'd-3'] }, { deploymentIds: ['d-2'] }]);
      });

      it('keeps reading the rolled-back deployment once the rollback finished, so its late events find it', async () => {
        // Prepare
        const restored = { ...rollback, status: 'Succeeded' as const, completeTime: new Date(T0 + 7 * MIN) };
        world({
          lastSuccessful: restored,
          lastAttempted: restored,
          deployments: [baseline, stopped, restored],
        });

        // Act
        const live = await deployer.inspect(target);

        // Assess
        expect(live).toMatchObject({
          kind: 'ok',
          currentVersion: 'payments@r7',
          latest: { id: 'd-3', state: 'completed', isRollback: true },
          previous: [{ id: 'd-2', version: 'payments@r8', state: 'failed' }],
          nativeRollback: false,
        });
      });

      it('goes on without the rolled-back deployment when CodeDeploy refuses to describe it', async () => {
        // Prepare
        world({
          lastSuccessful: baseline,
          lastAttempted: rollback,
          active: ['d-3'],
          deployments: [baseline, rollback],
        });
        const denied = awsError('AccessDeniedException', { message: 'not authorized' });
        codedeploy.on(BatchGetDeploymentsCommand, { deploymentIds: ['d-2'] }).rejects(denied);

        // Act
        const live = await deployer.inspect(target);

        // Assess
        expect(live).toMatchObject({ kind: 'ok', latest: { id: 'd-3' }, previous: [{ id: 'd-1' }] });
        expect(log).toHaveBeenCalledWith('warn', expect.stringContaining('rolling back'), {
          target: 'payments',
          deploymentId: 'd-2',
          error: expect.objectContaining({ name: 'AccessDeniedException' }),
        });
      });

      it('throws RetryableError when reading the rolled-back deployment is throttled', async () => {
        // Prepare
        world({
          lastSuccessful: baseline,
          lastAttempted: rollback,
          active: ['d-3'],
          deployments: [baseline, rollback],
        });
        codedeploy
          .on(BatchGetDeploymentsCommand, { deploymentIds: ['d-2'] })
          .rejects(new ThrottlingException({ message: 'Rate exceeded', $metadata: meta }));

        // Act & Assess
        await expect(deployer.inspect(target)).rejects.toThrow(RetryableError);
      });
    });

    it.each<[string, Partial<DeploymentInfo>]>([
      ['creator codeDeployRollback', { creator: 'codeDeployRollback' }],
      [
        'rollbackInfo.rollbackTriggeringDeploymentId',
        { rollbackInfo: { rollbackTriggeringDeploymentId: 'd-2' } },
      ],
    ])('marks a finished rollback deployment with %s as isRollback', async (_label, extra) => {
      // Prepare
      const rollback = deployment('d-3', 'r7', 'Succeeded', T0 + 5 * MIN, extra);
      world({ lastSuccessful: rollback, lastAttempted: rollback, deployments: [rollback] });

      // Act
      const live = await deployer.inspect(target);

      // Assess
      expect(live).toMatchObject({
        kind: 'ok',
        latest: { id: 'd-3', isRollback: true },
        nativeRollback: false,
      });
    });

    it('does not take rollbackDeploymentId (set on the deployment being rolled back) as a rollback', async () => {
      // Prepare
      const stopped = deployment('d-2', 'r8', 'Stopped', T0, {
        rollbackInfo: { rollbackDeploymentId: 'd-3' },
      });
      world({ lastSuccessful: baseline, lastAttempted: stopped, deployments: [baseline, stopped] });

      // Act
      const live = await deployer.inspect(target);

      // Assess
      expect(live).toMatchObject({ kind: 'ok', latest: { id: 'd-2', state: 'failed' } });
      expect(live.kind === 'ok' && live.latest).not.toHaveProperty('isRollback');
    });

    it('takes statuses from BatchGetDeployments: a deployment listed active that finished since is completed', async () => {
      // Prepare
      const finished = deployment('d-2', 'r8', 'Succeeded', T0);
      world({
        lastSuccessful: baseline,
        lastAttempted: rollingOut,
        active: ['d-2'],
        deployments: [baseline, finished],
      });

      // Act
      const live = await deployer.inspect(target);

      // Assess
      expect(live).toMatchObject({
        kind: 'ok',
        currentVersion: 'payments@r8',
        latest: { id: 'd-2', state: 'completed', completedAt: T0 + 2 * MIN },
      });
      expect(live.kind === 'ok' && live.latest).not.toHaveProperty('stopRef');
    });

    it('issues GetDeploymentGroup and ListDeployments concurrently, then one BatchGetDeployments', async () => {
      // Prepare
      const groupRead = deferred<GetDeploymentGroupCommandOutput>();
      const listRead = deferred<ListDeploymentsCommandOutput>();
      codedeploy.on(GetDeploymentGroupCommand).callsFake(() => groupRead.promise);
      codedeploy.on(ListDeploymentsCommand).callsFake(() => listRead.promise);
      codedeploy.on(BatchGetDeploymentsCommand).resolves(batch(rollingOut, baseline));

      // Act
      const inspecting = deployer.inspect(target);
      await new Promise((resolve) => setImmediate(resolve));
      const firstRoundTrip = codedeploy.calls().map((c) => c.args[0].constructor.name);
      groupRead.resolve(group(baseline, rollingOut));
      await new Promise((resolve) => setImmediate(resolve));
      const batchedBeforeListResolved = codedeploy.commandCalls(BatchGetDeploymentsCommand).length;
      listRead.resolve(listed('d-2'));
      const live = await inspecting;

      // Assess
      expect(firstRoundTrip.sort()).toEqual(['GetDeploymentGroupCommand', 'ListDeploymentsCommand']);
      expect(batchedBeforeListResolved).toBe(0);
      expect(codedeploy.calls()).toHaveLength(3);
      expect(codedeploy).toHaveReceivedCommandTimes(BatchGetDeploymentsCommand, 1);
      expect(live.kind).toBe('ok');
    });

    it('reads at most 25 deployments, keeping the group pointers, and says what it left out', async () => {
      // Prepare
      const active = Array.from({ length: 30 }, (_, i) => `d-a${i}`);
      world({
        lastSuccessful: baseline,
        lastAttempted: rollingOut,
        active,
        deployments: [rollingOut, baseline],
      });

      // Act
      await deployer.inspect(target);

      // Assess
      const [call] = codedeploy.commandCalls(BatchGetDeploymentsCommand);
      const ids = call?.args[0].input.deploymentIds ?? [];
      expect(ids).toHaveLength(25);
      expect(ids.slice(0, 3)).toEqual(['d-1', 'd-2', 'd-a0']);
      expect(log).toHaveBeenCalledWith('warn', expect.stringContaining('BatchGetDeployments'), {
        target: 'payments',
        ignored: active.slice(23),
      });
    });

    it('leaves out a deployment that reports no revision, with a warning', async () => {
      // Prepare
      const { revision: _dropped, ...noRevision } = deployment('d-2', 'r8', 'Failed', T0);
      world({ lastSuccessful: baseline, lastAttempted: noRevision, deployments: [baseline, noRevision] });

      // Act
      const live = await deployer.inspect(target);

      // Assess
      expect(live).toMatchObject({
        kind: 'ok',
        currentVersion: 'payments@r7',
        latest: { id: 'd-1' },
        previous: [],
      });
      expect(log).toHaveBeenCalledWith(
        'warn',
        expect.stringContaining('without id, createTime or revision'),
        {
          target: 'payments',
          deploymentId: 'd-2',
          status: 'Failed',
        },
      );
    });

    it('reports a group that was never deployed as invalid, without reading deployments', async () => {
      // Prepare
      world({ deployments: [] });

      // Act
      const live = await deployer.inspect(target);

      // Assess
      expect(live).toEqual({
        kind: 'invalid',
        why: `${GROUP} has never been deployed: there is no current revision to protect`,
      });
      expect(codedeploy).not.toHaveReceivedCommand(BatchGetDeploymentsCommand);
    });

    it('reports a group whose only deployment failed as invalid: what it serves is unknown', async () => {
      // Prepare
      const failed = deployment('d-1', 'r7', 'Failed', T0);
      world({ lastAttempted: failed, deployments: [failed] });

      // Act
      const live = await deployer.inspect(target);

      // Assess
      expect(live).toEqual({
        kind: 'invalid',
        why: `${GROUP} has no active or successful deployment: the revision it serves is unknown`,
      });
    });

    it.each([
      [
        'a missing deployment group',
        new DeploymentGroupDoesNotExistException({
          message: 'No Deployment Group found for name: payments-prod',
          $metadata: meta,
        }),
        'DeploymentGroupDoesNotExistException: No Deployment Group found for name: payments-prod',
      ],
      [
        'a missing application',
        new ApplicationDoesNotExistException({
          message: 'No application found for name: payments',
          $metadata: meta,
        }),
        'ApplicationDoesNotExistException: No application found for name: payments',
      ],
      [
        'denied access',
        awsError('AccessDeniedException', {
          message: 'not authorized to perform codedeploy:GetDeploymentGroup',
        }),
        'AccessDeniedException: not authorized',
      ],
    ])('reports %s as invalid', async (_label, error, fragment) => {
      // Prepare
      codedeploy.on(GetDeploymentGroupCommand).rejects(error);
      codedeploy.on(ListDeploymentsCommand).rejects(error);

      // Act
      const live = await deployer.inspect(target);

      // Assess
      expect(live).toEqual({
        kind: 'invalid',
        why: expect.stringContaining(`GetDeploymentGroup of ${GROUP} failed: ${fragment}`),
      });
      expect(codedeploy).not.toHaveReceivedCommand(BatchGetDeploymentsCommand);
    });

    it('reports an invalid deployment id from BatchGetDeployments as invalid', async () => {
      // Prepare
      codedeploy.on(GetDeploymentGroupCommand).resolves(group(baseline, baseline));
      codedeploy.on(ListDeploymentsCommand).resolves(listed());
      codedeploy
        .on(BatchGetDeploymentsCommand)
        .rejects(new InvalidDeploymentIdException({ message: 'bad id', $metadata: meta }));

      // Act
      const live = await deployer.inspect(target);

      // Assess
      expect(live).toEqual({
        kind: 'invalid',
        why: `BatchGetDeployments of ${GROUP} failed: InvalidDeploymentIdException: bad id`,
      });
    });

    it('throws RetryableError when GetDeploymentGroup is throttled past the SDK retries', async () => {
      // Prepare
      const throttled = new ThrottlingException({ message: 'Rate exceeded', $metadata: meta });
      codedeploy.on(GetDeploymentGroupCommand).rejects(throttled);
      codedeploy.on(ListDeploymentsCommand).resolves(listed());

      // Act
      const inspecting = deployer.inspect(target);

      // Assess
      await expect(inspecting).rejects.toThrow(RetryableError);
      await expect(inspecting).rejects.toMatchObject({ cause: throttled });
    });

    it.each<[string, () => void]>([
      ['ListDeployments', () => codedeploy.on(ListDeploymentsCommand).rejects(serverError)],
      ['BatchGetDeployments', () => codedeploy.on(BatchGetDeploymentsCommand).rejects(serverError)],
    ])('throws RetryableError when %s fails with a server error', async (_label, fail) => {
      // Prepare
      world({
        lastSuccessful: baseline,
        lastAttempted: rollingOut,
        active: ['d-2'],
        deployments: [rollingOut, baseline],
      });
      fail();

      // Act & Assess
      await expect(deployer.inspect(target)).rejects.toThrow(RetryableError);
    });

    it('refuses a target of another type as a wiring bug', async () => {
      // Act & Assess
      await expect(deployer.inspect(ecsTarget())).rejects.toThrow(
        new TypeError('CodeDeployDeployer cannot handle ecs-service target checkout'),
      );
      expect(codedeploy.calls()).toHaveLength(0);
    });
  });

  describe('stop', () => {
    it('stops the deployment with CodeDeploy rollback', async () => {
      // Prepare
      codedeploy.on(StopDeploymentCommand).resolves({ status: 'Pending', statusMessage: 'Stopping' });

      // Act
      const result = await deployer.stop(target, 'd-2');

      // Assess
      expect(result).toEqual({ status: 'issued', deploymentRef: 'd-2' });
      expect(codedeploy).toHaveReceivedCommandTimes(StopDeploymentCommand, 1);
      const [call] = codedeploy.commandCalls(StopDeploymentCommand);
      expect(call?.args[0].input).toEqual({ deploymentId: 'd-2', autoRollbackEnabled: true });
    });

    it('reports a deployment that already completed as already-finished (DeploymentAlreadyCompletedException)', async () => {
      // Prepare
      codedeploy.on(StopDeploymentCommand).rejects(
        new DeploymentAlreadyCompletedException({
          message: 'The deployment is already complete.',
          $metadata: meta,
        }),
      );

      // Act
      const result = await deployer.stop(target, 'd-2');

      // Assess
      expect(result).toEqual({
        status: 'already-finished',
        detail:
          'd-2 had already finished (DeploymentAlreadyCompletedException: The deployment is already complete)',
      });
    });

    it('reports DeploymentAlreadyCompletedException on an SDK retry as unknown: the first attempt may have stopped it', async () => {
      // Prepare
      const completed = new DeploymentAlreadyCompletedException({
        message: 'The deployment is already complete.',
        $metadata: { ...meta, attempts: 2 },
      });
      codedeploy.on(StopDeploymentCommand).rejects(completed);

      // Act
      const stopping = deployer.stop(target, 'd-2');

      // Assess
      await expect(stopping).rejects.toThrow(RetryableError);
      await expect(stopping).rejects.toMatchObject({
        message: `StopDeployment of d-2 (${GROUP}) was refused on a retry of a request that may already have taken effect: DeploymentAlreadyCompletedException: The deployment is already complete`,
        cause: completed,
      });
    });

    it('throws TargetInvalidError when the deployment does not exist', async () => {
      // Prepare
      const missing = new DeploymentDoesNotExistException({
        message: 'The deployment d-2 could not be found.',
        $metadata: meta,
      });
      codedeploy.on(StopDeploymentCommand).rejects(missing);

      // Act
      const stopping = deployer.stop(target, 'd-2');

      // Assess
      await expect(stopping).rejects.toThrow(TargetInvalidError);
      await expect(stopping).rejects.toMatchObject({
        message: `StopDeployment of d-2 (${GROUP}) was refused: DeploymentDoesNotExistException: The deployment d-2 could not be found`,
        cause: missing,
      });
    });

    it('throws RetryableError when throttled', async () => {
      // Prepare
      codedeploy
        .on(StopDeploymentCommand)
        .rejects(new ThrottlingException({ message: 'Rate exceeded', $metadata: meta }));

      // Act & Assess
      await expect(deployer.stop(target, 'd-2')).rejects.toThrow(RetryableError);
    });
  });

  describe('replace', () => {
    it('stops the active deployment without CodeDeploy’s rollback, then deploys the known-good revision', async () => {
      // Prepare: the stopped deployment stops counting as active on the second look.
      codedeploy.on(StopDeploymentCommand).resolves({ status: 'Pending' });
      codedeploy
        .on(BatchGetDeploymentsCommand)
        .resolvesOnce(batch({ ...rollingOut, status: 'InProgress' }))
        .resolves(batch({ ...rollingOut, status: 'Stopped' }));
      codedeploy.on(CreateDeploymentCommand).resolves({ deploymentId: 'd-3' });

      // Act
      const result = await deployer.replace(target, 'd-2', 'payments@r7', artifactOf('r7'), 'dec-1');

      // Assess
      expect(result).toEqual({ status: 'issued', deploymentRef: 'd-3' });
      expect(codedeploy).toHaveReceivedCommandWith(StopDeploymentCommand, {
        deploymentId: 'd-2',
        autoRollbackEnabled: false,
      });
      expect(codedeploy).toHaveReceivedCommandTimes(BatchGetDeploymentsCommand, 2);
      expect(codedeploy).toHaveReceivedCommandWith(CreateDeploymentCommand, { revision: gitHub('r7') });
    });

    it('deploys the known-good revision when the deployment had finished before the stop', async () => {
      codedeploy.on(StopDeploymentCommand).rejects(awsError('DeploymentAlreadyCompletedException'));
      codedeploy.on(BatchGetDeploymentsCommand).resolves(batch({ ...rollingOut, status: 'Succeeded' }));
      codedeploy.on(CreateDeploymentCommand).resolves({ deploymentId: 'd-3' });
      await expect(deployer.replace(target, 'd-2', 'payments@r7', artifactOf('r7'))).resolves.toEqual({
        status: 'issued',
        deploymentRef: 'd-3',
      });
    });

    it('fails transiently, without a CreateDeployment, when the stopped deployment stays active', async () => {
      codedeploy.on(StopDeploymentCommand).resolves({ status: 'Pending' });
      codedeploy.on(BatchGetDeploymentsCommand).resolves(batch({ ...rollingOut, status: 'InProgress' }));
      await expect(deployer.replace(target, 'd-2', 'payments@r7', artifactOf('r7'))).rejects.toThrow(
        RetryableError,
      );
      expect(codedeploy).not.toHaveReceivedCommand(CreateDeploymentCommand);
    });
  });

  describe('redeploy', () => {
    it('deploys exactly the revision location that inspect recorded for the version', async () => {
      // Prepare: an S3 revision with every field CodeDeploy reports, in its order.
      const s3: RevisionLocation = {
        revisionType: 'S3',
        s3Location: {
          bucket: 'releases',
          key: 'payments/app.zip',
          bundleType: 'zip',
          version: 'v3sion',
          eTag: '0123456789abcdef',
        },
      };
      const known = deployment('d-1', 'r7', 'Succeeded', T0 - DAY, { revision: s3 });
      const failed = deployment('d-2', 'r8', 'Failed', T0);
      world({ lastSuccessful: known, lastAttempted: failed, deployments: [known, failed] });
      codedeploy.on(CreateDeploymentCommand).resolves({ deploymentId: 'd-3' });
      const live = await deployer.inspect(target);
      const recorded = live.kind === 'ok' ? live.previous[0] : undefined;

      // Act
      const result = await deployer.redeploy(target, recorded?.version ?? '', recorded?.artifact);

      // Assess
      expect(recorded?.version).toBe('s3://releases/payments/app.zip@v3sion');
      expect(result).toEqual({ status: 'issued', deploymentRef: 'd-3' });
      const [call] = codedeploy.commandCalls(CreateDeploymentCommand);
      expect(call?.args[0].input).toEqual({
        applicationName: 'payments',
        deploymentGroupName: 'payments-prod',
        revision: s3,
        description: 'Rollback Watchdog: roll back to s3://releases/payments/app.zip@v3sion',
      });
      expect(JSON.stringify(call?.args[0].input.revision)).toBe(recorded?.artifact);
    });

    it('deploys a GitHub revision recorded as the simulator encodes it', async () => {
      // Prepare
      codedeploy.on(CreateDeploymentCommand).resolves({ deploymentId: 'd-3' });

      // Act
      const result = await deployer.redeploy(target, 'payments@r7', artifactOf('r7'));

      // Assess
      expect(result).toEqual({ status: 'issued', deploymentRef: 'd-3' });
      expect(codedeploy).toHaveReceivedCommandWith(CreateDeploymentCommand, { revision: gitHub('r7') });
    });

    it('reports another active deployment as busy (DeploymentLimitExceededException)', async () => {
      // Prepare
      codedeploy.on(CreateDeploymentCommand).rejects(
        new DeploymentLimitExceededException({
          message: "The Deployment Group 'payments-prod' already has an active Deployment 'd-9'",
          $metadata: meta,
        }),
      );

      // Act
      const result = await deployer.redeploy(target, 'payments@r7', artifactOf('r7'));

      // Assess
      expect(result).toEqual({
        status: 'busy',
        detail: `another deployment of ${GROUP} is already active (DeploymentLimitExceededException: The Deployment Group 'payments-prod' already has an active Deployment 'd-9')`,
      });
      expect(codedeploy).toHaveReceivedCommandTimes(CreateDeploymentCommand, 1);
    });

    it('reports DeploymentLimitExceededException on an SDK retry as unknown: the first attempt may have started it', async () => {
      // Prepare
      const limit = new DeploymentLimitExceededException({
        message: "The Deployment Group 'payments-prod' already has an active Deployment 'd-3'",
        $metadata: { ...meta, attempts: 2 },
      });
      codedeploy.on(CreateDeploymentCommand).rejects(limit);

      // Act
      const redeploying = deployer.redeploy(target, 'payments@r7', artifactOf('r7'));

      // Assess
      await expect(redeploying).rejects.toThrow(RetryableError);
      await expect(redeploying).rejects.toMatchObject({ cause: limit });
      expect(codedeploy).toHaveReceivedCommandTimes(CreateDeploymentCommand, 1);
    });

    it.each<[string, string | undefined, string]>([
      [
        'no artifact',
        undefined,
        `no CodeDeploy revision is recorded for payments@r7 of ${GROUP}: the watchdog can only redeploy a revision it saw deployed`,
      ],
      [
        'an empty artifact',
        '  ',
        `no CodeDeploy revision is recorded for payments@r7 of ${GROUP}: the watchdog can only redeploy a revision it saw deployed`,
      ],
      [
        'an artifact that is not JSON',
        'payments@r7',
        `the CodeDeploy revision recorded for payments@r7 of ${GROUP} is not valid JSON`,
      ],
      [
        'an artifact that is not a revision location',
        '{"repository":"payments","commitId":"r7"}',
        `the CodeDeploy revision recorded for payments@r7 of ${GROUP} is not a revision location (revisionType S3, GitHub, String, AppSpecContent)`,
      ],
      [
        'the artifact of another version',
        artifactOf('r8'),
        `the CodeDeploy revision recorded for payments@r7 of ${GROUP} describes payments@r8 instead`,
      ],
    ])(
      'throws TargetInvalidError for %s, without calling CreateDeployment',
      async (_label, artifact, message) => {
        // Act
        const redeploying = deployer.redeploy(target, 'payments@r7', artifact);

        // Assess
        await expect(redeploying).rejects.toThrow(TargetInvalidError);
        await expect(redeploying).rejects.toThrow(message);
        expect(codedeploy.calls()).toHaveLength(0);
      },
    );

    it('throws TargetInvalidError when the deployment group does not exist', async () => {
      // Prepare
      const missing = new DeploymentGroupDoesNotExistException({
        message: 'No Deployment Group found for name: payments-prod',
        $metadata: meta,
      });
      codedeploy.on(CreateDeploymentCommand).rejects(missing);

      // Act
      const redeploying = deployer.redeploy(target, 'payments@r7', artifactOf('r7'));

      // Assess
      await expect(redeploying).rejects.toThrow(TargetInvalidError);
      await expect(redeploying).rejects.toMatchObject({
        message: `CreateDeployment of payments@r7 to ${GROUP} was refused: DeploymentGroupDoesNotExistException: No Deployment Group found for name: payments-prod`,
        cause: missing,
      });
    });

    it('throws RetryableError when throttled, and never retries CreateDeployment itself', async () => {
      // Prepare
      codedeploy
        .on(CreateDeploymentCommand)
        .rejects(new ThrottlingException({ message: 'Rate exceeded', $metadata: meta }));

      // Act
      const redeploying = deployer.redeploy(target, 'payments@r7', artifactOf('r7'));

      // Assess
      await expect(redeploying).rejects.toThrow(RetryableError);
      expect(codedeploy).toHaveReceivedCommandTimes(CreateDeploymentCommand, 1);
    });

    it('names the decision in the description, and inspect reads it back as the deployment that decision started', async () => {
      // Prepare
      const decisionId = '202e5056-8cc2-b64c-2f73-96cd3778a8ac';
      codedeploy.on(CreateDeploymentCommand).resolves({ deploymentId: 'd-3' });
      await deployer.redeploy(target, 'payments@r7', artifactOf('r7'), decisionId);
      const [call] = codedeploy.commandCalls(CreateDeploymentCommand);
      const description = call?.args[0].input.description;
      const known = deployment('d-1', 'r7', 'Succeeded', T0 - DAY);
      const ours = deployment('d-3', 'r7', 'InProgress', T0, { description });
      world({ lastSuccessful: known, lastAttempted: ours, deployments: [known, ours], active: ['d-3'] });

      // Act
      const live = await deployer.inspect(target);

      // Assess
      expect(description).toBe(`Rollback Watchdog decision ${decisionId}: roll back to payments@r7`);
      expect(live).toMatchObject({ kind: 'ok', latest: { id: 'd-3', initiatedBy: decisionId } });
    });

    it('reads the schema gate’s facts from a release’s description, and reports bad values without failing', async () => {
      // Prepare
      const known = deployment('d-1', 'r7', 'Succeeded', T0 - DAY, {
        description: 'Release r7 rollback-watchdog:schema=7',
      });
      const release = deployment('d-2', 'r8', 'InProgress', T0, {
        description: 'Release r8 rollback-watchdog:schema=8 rollback-watchdog:min-compatible-schema=eight',
      });
      world({
        lastSuccessful: known,
        lastAttempted: release,
        deployments: [known, release],
        active: ['d-2'],
      });

      // Act
      const live = await deployer.inspect(target);

      // Assess
      expect(live).toMatchObject({
        kind: 'ok',
        latest: {
          id: 'd-2',
          declaredSchema: {
            schema: 8,
            problems: [
              'rollback-watchdog:min-compatible-schema is "eight", not a whole number >= 0: ignored',
            ],
          },
        },
        previous: [{ id: 'd-1', declaredSchema: { schema: 7 } }],
      });
    });

    it('shortens the description of a long version label so that it cannot make the deployment fail', async () => {
      // Prepare
      const key = `${'very/deep/'.repeat(20)}app.zip`;
      const s3: RevisionLocation = {
        revisionType: 'S3',
        s3Location: { bucket: 'releases', key, bundleType: 'zip' },
      };
      codedeploy.on(CreateDeploymentCommand).resolves({ deploymentId: 'd-3' });

      // Act
      await deployer.redeploy(target, revisionLabel(s3), JSON.stringify(s3));

      // Assess
      const [call] = codedeploy.commandCalls(CreateDeploymentCommand);
      const description = call?.args[0].input.description ?? '';
      expect(description).toHaveLength(100);
      expect(description).toMatch(/^Rollback Watchdog: roll back to s3:\/\/releases\/very\/deep\/.*…$/);
    });
  });
});

describe('CodeDeployDeployer viability', () => {
  const codedeploy = mockClient(CodeDeployClient);
  const s3 = mockClient(S3Client);
  const s3Client = new S3Client({ region: 'us-east-1' });
  let deployer: CodeDeployDeployer;
  let madeS3: jest.Mock;

  beforeEach(() => {
    codedeploy.reset();
    s3.reset();
    madeS3 = jest.fn(() => s3Client);
    deployer = new CodeDeployDeployer({
      client: new CodeDeployClient({ region: 'us-east-1' }),
      sleep: async () => undefined,
      s3: madeS3,
    });
    codedeploy.on(GetApplicationRevisionCommand).resolves({ $metadata: {}, applicationName: 'payments' });
    s3.on(HeadObjectCommand).resolves({ $metadata: {}, ETag: '"abc123"' });
  });

  const s3Revision = (location: Partial<NonNullable<RevisionLocation['s3Location']>>): RevisionLocation => ({
    revisionType: 'S3',
    s3Location: { bucket: 'releases', key: 'payments/r7.zip', bundleType: 'zip', ...location },
  });
  const check = (revision: RevisionLocation) =>
    deployer.viability(target, revisionLabel(revision), { artifact: JSON.stringify(revision) });
  const notFound = () => new NotFound({ message: 'NotFound', $metadata: { httpStatusCode: 404 } });

  it('finds an S3 revision runnable while it is registered and its object is there, reading both at once', async () => {
    const revision = s3Revision({ version: 'v-1' });

    await expect(check(revision)).resolves.toEqual({ runnable: true });

    expect(codedeploy.commandCalls(GetApplicationRevisionCommand)[0]?.args[0].input).toEqual({
      applicationName: 'payments',
      revision,
    });
    expect(s3.commandCalls(HeadObjectCommand)[0]?.args[0].input).toEqual({
      Bucket: 'releases',
      Key: 'payments/r7.zip',
      VersionId: 'v-1',
    });
  });

  it('reports a revision CodeDeploy no longer has registered, naming it and the application', async () => {
    codedeploy
      .on(GetApplicationRevisionCommand)
      .rejects(new RevisionDoesNotExistException({ message: 'No revision', $metadata: meta }));

    await expect(check(gitHub('r7'))).resolves.toEqual({
      runnable: false,
      missing: [
        'revision payments@r7 is no longer registered with application payments: CodeDeploy no longer knows it',
      ],
      unchecked: [expect.stringContaining('the GitHub commit of revision payments@r7 was not checked')],
    });
    expect(madeS3).not.toHaveBeenCalled();
  });

  it('reports a deleted application as missing', async () => {
    codedeploy
      .on(GetApplicationRevisionCommand)
      .rejects(new ApplicationDoesNotExistException({ message: 'No application', $metadata: meta }));

    const result = await check(gitHub('r7'));

    expect(result.runnable).toBe(false);
    expect(result.missing).toEqual([expect.stringContaining('application payments no longer exists')]);
  });

  it.each([
    ['NotFound', notFound()],
    ['a bare 404', awsError('404', { status: 404 })],
  ])('reports an S3 bundle that is gone (%s)', async (_name, err) => {
    s3.on(HeadObjectCommand).rejects(err);

    await expect(check(s3Revision({ version: 'v-1' }))).resolves.toEqual({
      runnable: false,
      missing: [
        'S3 object s3://releases/payments/r7.zip (version v-1) is gone: CodeDeploy can no longer download the bundle of revision s3://releases/payments/r7.zip@v-1',
      ],
    });
  });

  it('reports an S3 object replaced since (its ETag differs from the recorded one) as missing', async () => {
    s3.on(HeadObjectCommand).resolves({ $metadata: {}, ETag: '"fff999"' });

    const result = await check(s3Revision({ eTag: 'abc123' }));

    expect(result.runnable).toBe(false);
    expect(result.missing).toEqual([
      expect.stringContaining('S3 object s3://releases/payments/r7.zip was replaced: its ETag is fff999'),
    ]);
    expect(s3.commandCalls(HeadObjectCommand)[0]?.args[0].input).toEqual({
      Bucket: 'releases',
      Key: 'payments/r7.zip',
    });
  });

  it('finds the object runnable when its ETag matches, quoted or not', async () => {
    await expect(check(s3Revision({ eTag: '"abc123"' }))).resolves.toEqual({ runnable: true });
  });

  it.each([
    ['Forbidden', awsError('Forbidden', { status: 403 })],
    ['a bare 403', awsError('403', { status: 403, message: '' })],
  ])('reports a denied HeadObject (%s) as unchecked, naming the grant', async (_name, err) => {
    s3.on(HeadObjectCommand).rejects(err);

    await expect(check(s3Revision({ version: 'v-1' }))).resolves.toEqual({
      runnable: true,
      unchecked: [
        expect.stringMatching(
          /^S3 object s3:\/\/releases\/payments\/r7\.zip \(version v-1\) could not be checked: access denied .*grant s3:GetObjectVersion on it/,
        ),
      ],
    });
  });

  it('reports a denied GetApplicationRevision as unchecked', async () => {
    codedeploy
      .on(GetApplicationRevisionCommand)
      .rejects(awsError('AccessDeniedException', { message: 'not authorized' }));

    const result = await check(s3Revision({}));

    expect(result.runnable).toBe(true);
    expect(result.unchecked).toEqual([
      expect.stringContaining(
        'whether revision s3://releases/payments/r7.zip is still registered with application payments could not be checked',
      ),
    ]);
  });

  it.each([
    ['GetApplicationRevision', () => codedeploy.on(GetApplicationRevisionCommand).rejects(serverError)],
    [
      'GetApplicationRevision throttled',
      () =>
        codedeploy
          .on(GetApplicationRevisionCommand)
          .rejects(new ThrottlingException({ message: 'Rate exceeded', $metadata: meta })),
    ],
    ['HeadObject', () => s3.on(HeadObjectCommand).rejects(awsError('InternalError', { status: 503 }))],
  ])('throws RetryableError when %s fails transiently, to be checked again', async (_name, fail) => {
    fail();

    await expect(check(s3Revision({}))).rejects.toBeInstanceOf(RetryableError);
  });

  it('checks a GitHub revision by its registration only, the commit reported unchecked', async () => {
    const result = await check(gitHub('r7'));

    expect(result).toEqual({
      runnable: true,
      unchecked: [
        'the GitHub commit of revision payments@r7 was not checked: CodeDeploy fetches it from GitHub when it deploys',
      ],
    });
    expect(codedeploy.commandCalls(GetApplicationRevisionCommand)).toHaveLength(1);
  });

  it('fetches nothing for an AppSpec carried by the deployment, saying why', async () => {
    const revision: RevisionLocation = {
      revisionType: 'AppSpecContent',
      appSpecContent: {
        content: 'Resources: [{ TargetService: { Properties: { TaskDefinition: "web:3" } } }]',
      },
    };

    const result = await check(revision);

    expect(result).toEqual({
      runnable: true,
      unchecked: [expect.stringContaining('revision web:3 is an AppSpec carried by the deployment itself')],
    });
    expect(codedeploy.calls()).toHaveLength(0);
  });

  it.each([
    ['no artifact', undefined, 'no CodeDeploy revision location is recorded for payments@r7'],
    ['an artifact that is not JSON', '{revision', 'is not valid JSON'],
    ['an artifact of another version', artifactOf('r6'), 'describes payments@r6 instead'],
    ['an artifact that is no revision location', '{"bucket":"x"}', 'is not a revision location'],
  ])('reports %s as unchecked, reading nothing', async (_name, artifact, why) => {
    const result = await deployer.viability(
      target,
      'payments@r7',
      artifact === undefined ? {} : { artifact },
    );

    expect(result).toEqual({ runnable: true, unchecked: [expect.stringContaining(why)] });
    expect(codedeploy.calls()).toHaveLength(0);
  });

  it('reports an S3 bundle unchecked when the deployer has no S3 client', async () => {
    const withoutS3 = new CodeDeployDeployer({ client: new CodeDeployClient({ region: 'us-east-1' }) });
    const revision = s3Revision({});

    const result = await withoutS3.viability(target, revisionLabel(revision), {
      artifact: JSON.stringify(revision),
    });

    expect(result).toEqual({ runnable: true, unchecked: [expect.stringContaining('no S3 client')] });
  });
});

describe('revisionLabel', () => {
  const ecsAppSpecYaml = [
    'version: 0.0',
    'Resources:',
    '  - TargetService:',
    '      Type: AWS::ECS::Service',
    '      Properties:',
    '        TaskDefinition: "arn:aws:ecs:us-east-1:123456789012:task-definition/payments:42"',
    '        LoadBalancerInfo:',
    '          ContainerName: "payments"',
    '          ContainerPort: 8080',
  ].join('\n');
  const ecsAppSpecJson = JSON.stringify({
    version: 0.0,
    Resources: [
      {
        TargetService: {
          Type: 'AWS::ECS::Service',
          Properties: {
            TaskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/payments:43',
            LoadBalancerInfo: { ContainerName: 'payments', ContainerPort: 8080 },
          },
        },
      },
    ],
  });
  const lambdaAppSpecYaml = [
    'version: 0.0',
    'resources:',
    '  - paymentsFunction:',
    '      type: "AWS::Lambda::Function"',
    '      properties:',
    '        name: payments-handler',
    '        alias: live',
    '        currentversion: 6',
    '        targetversion: 7',
    'hooks:',
    '  - BeforeAllowTraffic: "payments-smoke-test"',
  ].join('\n');
  const lambdaAppSpecJson = JSON.stringify({
    version: 0.0,
    Resources: [
      {
        paymentsFunction: {
          Type: 'AWS::Lambda::Function',
          Properties: { Name: 'payments-handler', Alias: 'live', CurrentVersion: '7', TargetVersion: '8' },
        },
      },
    ],
  });
  const plainAppSpec = 'version: 0.0\nos: linux\n';
  // SHA-256 of plainAppSpec, computed independently: printf 'version: 0.0\nos: linux\n' | sha256sum
  const plainDigest = '9fc6fcc374c7e37e96203ce15dc9fe07434630e675a134da264422eaaf5b588e';

  it.each<[string, RevisionLocation, string]>([
    ['GitHub', gitHub('r7'), 'payments@r7'],
    [
      'GitHub with an account/repository pair',
      { revisionType: 'GitHub', gitHubLocation: { repository: 'acme/payments', commitId: '3f2a9c1' } },
      'acme/payments@3f2a9c1',
    ],
    [
      'S3 with a version',
      {
        revisionType: 'S3',
        s3Location: { bucket: 'b', key: 'k.zip', bundleType: 'zip', version: 'v1', eTag: 'e1' },
      },
      's3://b/k.zip@v1',
    ],
    [
      'S3 with a (quoted) ETag only',
      { revisionType: 'S3', s3Location: { bucket: 'b', key: 'k.zip', bundleType: 'zip', eTag: '"e1"' } },
      's3://b/k.zip@e1',
    ],
    [
      'S3 with neither',
      { revisionType: 'S3', s3Location: { bucket: 'b', key: 'k.zip', bundleType: 'zip' } },
      's3://b/k.zip',
    ],
    [
      'ECS AppSpec in YAML',
      { revisionType: 'AppSpecContent', appSpecContent: { content: ecsAppSpecYaml } },
      'payments:42',
    ],
    [
      'ECS AppSpec in JSON',
      { revisionType: 'AppSpecContent', appSpecContent: { content: ecsAppSpecJson } },
      'payments:43',
    ],
    [
      'Lambda AppSpec in lower-case YAML',
      { revisionType: 'AppSpecContent', appSpecContent: { content: lambdaAppSpecYaml } },
      'payments-handler:7',
    ],
    [
      'Lambda AppSpec in capitalised JSON',
      { revisionType: 'AppSpecContent', appSpecContent: { content: lambdaAppSpecJson } },
      'payments-handler:8',
    ],
    [
      'another AppSpec with its SHA-256 given',
      {
        revisionType: 'AppSpecContent',
        appSpecContent: { content: plainAppSpec, sha256: 'ABCDEF0123456789FFFF' },
      },
      'appspec:abcdef012345',
    ],
    [
      'a String revision with its SHA-256 given',
      { revisionType: 'String', string: { content: lambdaAppSpecYaml, sha256: 'fedcba9876543210aaaa' } },
      'string:fedcba987654',
    ],
    [
      'a location without revisionType',
      { gitHubLocation: { repository: 'payments', commitId: 'r9' } },
      'payments@r9',
    ],
  ])('%s', (_label, revision, label) => {
    // Act & Assess
    expect(revisionLabel(revision)).toBe(label);
  });

  it('hashes AppSpec and String content when CodeDeploy gives no SHA-256', () => {
    // Prepare
    const appSpec: RevisionLocation = {
      revisionType: 'AppSpecContent',
      appSpecContent: { content: plainAppSpec },
    };
    const raw: RevisionLocation = { revisionType: 'String', string: { content: plainAppSpec } };

    // Act
    const labels = [revisionLabel(appSpec), revisionLabel(raw)];

    // Assess
    expect(labels).toEqual([`appspec:${plainDigest.slice(0, 12)}`, `string:${plainDigest.slice(0, 12)}`]);
  });

  it('gives incomplete locations a stable label rather than none', () => {
    // Prepare
    const incomplete: RevisionLocation = {
      revisionType: 'GitHub',
      gitHubLocation: { repository: 'payments' },
    };

    // Act
    const labels = [revisionLabel(incomplete), revisionLabel({ ...incomplete })];

    // Assess
    expect(labels[0]).toMatch(/^revision:[0-9a-f]{12}$/);
    expect(labels[1]).toBe(labels[0]);
  });
});

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
