import {
  DescribeImagesCommand,
  ECRClient,
  GetLifecyclePolicyCommand,
  ImageNotFoundException,
  LifecyclePolicyNotFoundException,
  RepositoryNotFoundException,
} from '@aws-sdk/client-ecr';
import {
  DescribeServiceRevisionsCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  type ContainerDefinition,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { decodePlan, parseEcrImage } from '../../../lambda/adapters/ecr-images';
import { EcsDeployer } from '../../../lambda/adapters/ecs-deployer';
import { RetryableError } from '../../../lambda/use-cases/errors';
import { awsError } from '../../support/aws-errors';
import { ecsTarget, T0 } from '../../support/domain-fixtures';

const REPO = '123456789012.dkr.ecr.us-east-1.amazonaws.com/checkout';
const DIGEST = `sha256:${'a'.repeat(64)}`;
const OTHER = `sha256:${'b'.repeat(64)}`;
const DAY = 24 * 60 * 60_000;
const version = 'checkout:7';
const target = ecsTarget();

describe('parseEcrImage', () => {
  it('reads account, region, repository, tag and digest of a private ECR image', () => {
    expect(parseEcrImage(`${REPO}:v7`)).toEqual({
      registryId: '123456789012',
      region: 'us-east-1',
      repositoryName: 'checkout',
      tag: 'v7',
    });
    expect(parseEcrImage(`123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/team/api@${DIGEST}`)).toEqual({
      registryId: '123456789012',
      region: 'cn-north-1',
      repositoryName: 'team/api',
      digest: DIGEST,
    });
  });

  it.each(['nginx:1.27', 'public.ecr.aws/nginx/nginx:latest', 'ghcr.io/acme/api:1', '', `${REPO}:`])(
    'is not an ECR image: %j',
    (image) => expect(parseEcrImage(image)).toBeUndefined(),
  );
});

describe('EcsDeployer viability', () => {
  const ecs = mockClient(ECSClient);
  const ecr = mockClient(ECRClient);
  const ecrClient = new ECRClient({ region: 'us-east-1' });
  let deployer: EcsDeployer;
  let madeEcr: jest.Mock;

  const containers = (...images: string[]): ContainerDefinition[] =>
    images.map((image, i) => ({ name: i === 0 ? 'app' : `side${i}`, image }));
  const definition = (cs: ContainerDefinition[], status = 'ACTIVE') =>
    ecs.on(DescribeTaskDefinitionCommand).resolves({
      $metadata: {},
      taskDefinition: {
        family: 'checkout',
        revision: 7,
        status: status as 'ACTIVE',
        containerDefinitions: cs,
      },
    });

  beforeEach(() => {
    ecs.reset();
    ecr.reset();
    madeEcr = jest.fn(() => ecrClient);
    deployer = new EcsDeployer({
      client: new ECSClient({ region: 'us-east-1' }),
      ecr: madeEcr,
      now: () => T0,
    });
    ecs.on(ListServiceDeploymentsCommand).resolves({ $metadata: {}, serviceDeployments: [] });
    ecr.on(DescribeImagesCommand).resolves({
      $metadata: {},
      imageDetails: [{ imageDigest: DIGEST, imageStatus: 'ACTIVE' }],
    });
  });

  it('finds an ACTIVE task definition whose ECR image is there runnable, and keeps a plan for the re-check', async () => {
    definition(containers(`${REPO}@${DIGEST}`));

    const result = await deployer.viability(target, version, {});

    expect(result.runnable).toBe(true);
    expect(result.missing).toBeUndefined();
    expect(ecr.commandCalls(DescribeImagesCommand)[0]?.args[0].input).toEqual({
      registryId: '123456789012',
      repositoryName: 'checkout',
      imageIds: [{ imageDigest: DIGEST }],
    });
    expect(decodePlan(result.recheck)).toEqual({
      images: [
        {
          container: 'app',
          image: `${REPO}@${DIGEST}`,
          registryId: '123456789012',
          repositoryName: 'checkout',
          digest: DIGEST,
        },
      ],
      unchecked: [],
      complete: true,
    });
  });

  it('looks a tagged image up by the digest ECS resolved it to on the service revision', async () => {
    definition(containers(`${REPO}:v7`));
    ecs.on(ListServiceDeploymentsCommand).resolves({
      $metadata: {},
      serviceDeployments: [{ targetServiceRevisionArn: 'rev-7', createdAt: new Date(T0) }],
    });
    ecs.on(DescribeServiceRevisionsCommand).resolves({
      $metadata: {},
      serviceRevisions: [
        {
          taskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/checkout:7',
          containerImages: [{ containerName: 'app', imageDigest: DIGEST, image: `${REPO}:v7` }],
        },
      ],
    });

    await expect(deployer.viability(target, version, {})).resolves.toMatchObject({ runnable: true });
    expect(ecr.commandCalls(DescribeImagesCommand)[0]?.args[0].input.imageIds).toEqual([
      { imageDigest: DIGEST },
    ]);
  });

  it('falls back to the tag when ECS cannot say which digest it resolved, and checks fully next time', async () => {
    definition(containers(`${REPO}:v7`));
    ecs.on(ListServiceDeploymentsCommand).rejects(awsError('AccessDeniedException'));

    const result = await deployer.viability(target, version, {});

    expect(ecr.commandCalls(DescribeImagesCommand)[0]?.args[0].input.imageIds).toEqual([{ imageTag: 'v7' }]);
    expect(decodePlan(result.recheck)?.complete).toBe(false);
    ecs.resetHistory();
    await deployer.viability(target, version, { recheck: result.recheck! });
    expect(ecs.commandCalls(ListServiceDeploymentsCommand)).toHaveLength(1);
  });

  it('reports an image ECR no longer has as missing, naming it', async () => {
    definition(containers(`${REPO}@${DIGEST}`));
    ecr
      .on(DescribeImagesCommand)
      .rejects(new ImageNotFoundException({ message: 'not found', $metadata: { httpStatusCode: 400 } }));

    const result = await deployer.viability(target, version, {});

    expect(result.runnable).toBe(false);
    expect(result.missing).toEqual([expect.stringContaining(`image ${REPO}@${DIGEST} of container app`)]);
  });

  it('reports a deleted repository as missing', async () => {
    definition(containers(`${REPO}@${DIGEST}`));
    ecr
      .on(DescribeImagesCommand)
      .rejects(new RepositoryNotFoundException({ message: 'gone', $metadata: { httpStatusCode: 400 } }));

    const result = await deployer.viability(target, version, {});
    expect(result).toMatchObject({ runnable: false });
    expect(result.missing?.[0]).toMatch(/repository checkout .* no longer exists/);
  });

  it('reports an archived image as missing: ECR will not pull it', async () => {
    definition(containers(`${REPO}@${DIGEST}`));
    ecr.on(DescribeImagesCommand).resolves({
      $metadata: {},
      imageDetails: [{ imageDigest: DIGEST, imageStatus: 'ARCHIVED' }],
    });

    const result = await deployer.viability(target, version, {});
    expect(result.runnable).toBe(false);
    expect(result.missing?.[0]).toMatch(/archived/);
  });

  it('reports a denied image read as unchecked, and the version as runnable', async () => {
    definition(containers(`${REPO}@${DIGEST}`));
    ecr.on(DescribeImagesCommand).rejects(awsError('AccessDeniedException', { status: 403 }));

    const result = await deployer.viability(target, version, {});
    expect(result.runnable).toBe(true);
    expect(result.unchecked).toEqual([expect.stringMatching(/refused.*grant ecr:DescribeImages/)]);
  });

  it('throws RetryableError on a throttled image read, to be checked again', async () => {
    definition(containers(`${REPO}@${DIGEST}`));
    ecr.on(DescribeImagesCommand).rejects(awsError('ThrottlingException', { status: 400, retryable: true }));

    await expect(deployer.viability(target, version, {})).rejects.toBeInstanceOf(RetryableError);
  });

  it('reports images outside ECR or in another region as not checked, without reading them', async () => {
    definition(containers('nginx:1.27', `123456789012.dkr.ecr.eu-west-1.amazonaws.com/checkout@${DIGEST}`));

    const result = await deployer.viability(target, version, {});

    expect(result.runnable).toBe(true);
    expect(result.unchecked).toEqual([
      expect.stringContaining('nginx:1.27 of container app is not in a private ECR registry'),
      expect.stringContaining('is in ECR in eu-west-1; the watchdog checks us-east-1 only'),
    ]);
    expect(ecr.commandCalls(DescribeImagesCommand)).toHaveLength(0);
    expect(madeEcr).not.toHaveBeenCalled();
  });

  it.each(['INACTIVE', 'DELETE_IN_PROGRESS'])('reports a task definition %s as missing', async (status) => {
    definition(containers(`${REPO}@${DIGEST}`), status);

    const result = await deployer.viability(target, version, {});
    expect(result.runnable).toBe(false);
    expect(result.missing?.[0]).toMatch(/ECS refuses to update a service to it/);
  });

  it('reports a deleted task definition as missing without reading images', async () => {
    ecs
      .on(DescribeTaskDefinitionCommand)
      .rejects(awsError('ClientException', { message: 'Unable to describe task definition.' }));

    const result = await deployer.viability(target, version, {});
    expect(result).toMatchObject({ runnable: false });
    expect(ecr.commandCalls(DescribeImagesCommand)).toHaveLength(0);
  });

  it('re-checks from the stored plan with every read at once: the task definition beside the images', async () => {
    definition(containers(`${REPO}@${DIGEST}`));
    const first = await deployer.viability(target, version, {});
    ecs.resetHistory();
    ecr.resetHistory();
    let definitionAsked = false;
    let imageAskedBeforeDefinitionAnswered = false;
    ecs.on(DescribeTaskDefinitionCommand).callsFake(async () => {
      definitionAsked = true;
      await new Promise((r) => setTimeout(r, 20));
      return { taskDefinition: { status: 'ACTIVE', containerDefinitions: [] } };
    });
    ecr.on(DescribeImagesCommand).callsFake(() => {
      imageAskedBeforeDefinitionAnswered = definitionAsked;
      return { imageDetails: [{ imageDigest: DIGEST, imageStatus: 'ACTIVE' }] };
    });

    const again = await deployer.viability(target, version, { recheck: first.recheck! });

    expect(again).toEqual({ runnable: true, recheck: first.recheck });
    expect(imageAskedBeforeDefinitionAnswered).toBe(true);
    expect(ecs.commandCalls(ListServiceDeploymentsCommand)).toHaveLength(0);
  });

  it('ignores a recheck it cannot read and checks in full', async () => {
    definition(containers(`${REPO}@${DIGEST}`));
    await expect(deployer.viability(target, version, { recheck: '{"v":9}' })).resolves.toMatchObject({
      runnable: true,
    });
    expect(decodePlan('not json')).toBeUndefined();
  });

  it('without an ECR client reports the images unchecked', async () => {
    definition(containers(`${REPO}@${DIGEST}`));
    const bare = new EcsDeployer({ client: new ECSClient({ region: 'us-east-1' }) });

    const result = await bare.viability(target, version, {});
    expect(result.runnable).toBe(true);
    expect(result.unchecked).toEqual([expect.stringContaining('no ECR client')]);
  });
});

describe('EcsDeployer retentionRisks', () => {
  const ecr = mockClient(ECRClient);
  const deployer = new EcsDeployer({
    client: new ECSClient({ region: 'us-east-1' }),
    ecr: () => new ECRClient({ region: 'us-east-1' }),
    now: () => T0,
  });
  const plan = (digest: string) =>
    JSON.stringify({
      v: 1,
      images: [
        {
          container: 'app',
          image: `${REPO}@${digest}`,
          registryId: '123456789012',
          repositoryName: 'checkout',
          digest,
        },
      ],
      unchecked: [],
      complete: true,
    });

  beforeEach(() => {
    ecr.reset();
    ecr.on(DescribeImagesCommand).resolves({
      $metadata: {},
      imageDetails: [
        { imageDigest: OTHER, imageTags: ['v8'], imagePushedAt: new Date(T0 - DAY) },
        { imageDigest: DIGEST, imageTags: ['v7'], imagePushedAt: new Date(T0 - 2 * DAY) },
      ],
    });
  });

  it('warns when the lifecycle policy expires a known-good image now', async () => {
    ecr.on(GetLifecyclePolicyCommand).resolves({
      $metadata: {},
      lifecyclePolicyText: JSON.stringify({
        rules: [
          {
            rulePriority: 1,
            selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 },
            action: { type: 'expire' },
          },
        ],
      }),
    });

    const risks = await deployer.retentionRisks(target, [{ version, recheck: plan(DIGEST) }]);

    expect(risks).toEqual([
      { version, risk: 'expiring', details: [expect.stringContaining('expires it within a day')] },
    ]);
    expect(ecr.commandCalls(DescribeImagesCommand)[0]?.args[0].input).toMatchObject({
      repositoryName: 'checkout',
      filter: { imageStatus: 'ANY' },
    });
  });

  it('puts nothing at risk in a repository without a lifecycle policy', async () => {
    ecr
      .on(GetLifecyclePolicyCommand)
      .rejects(new LifecyclePolicyNotFoundException({ message: 'none', $metadata: { httpStatusCode: 400 } }));

    await expect(deployer.retentionRisks(target, [{ version, recheck: plan(DIGEST) }])).resolves.toEqual([]);
  });

  it('reports an image the repository no longer lists as gone', async () => {
    ecr
      .on(GetLifecyclePolicyCommand)
      .rejects(new LifecyclePolicyNotFoundException({ message: 'none', $metadata: { httpStatusCode: 400 } }));

    const risks = await deployer.retentionRisks(target, [
      { version, recheck: plan(`sha256:${'c'.repeat(64)}`) },
    ]);
    expect(risks).toEqual([
      { version, risk: 'gone', details: [expect.stringContaining('no longer in ECR')] },
    ]);
  });

  it('skips a repository it may not read, and versions never checked', async () => {
    ecr.on(GetLifecyclePolicyCommand).rejects(awsError('AccessDeniedException', { status: 403 }));

    await expect(
      deployer.retentionRisks(target, [{ version, recheck: plan(DIGEST) }, { version: 'checkout:6' }]),
    ).resolves.toEqual([]);
  });
});
