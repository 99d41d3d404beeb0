import {
  DescribeImagesCommand,
  GetLifecyclePolicyCommand,
  type ECRClient,
  type ImageDetail,
} from '@aws-sdk/client-ecr';
import { RetryableError } from '../use-cases/errors';
import type { RetentionRisk } from '../use-cases/ports';
import { classifyAwsError, describeError, summarizeError } from './aws-errors';
import {
  ARCHIVED,
  imageFates,
  NOT_LISTED,
  parseLifecyclePolicy,
  type ImageFate,
  type LifecycleImage,
} from './ecr-lifecycle';
import type { ViabilityFindings } from './viability-findings';

/**
 * The container images of an ECS task definition, as the viability preflight and the retention guard check
 * them in Amazon ECR (docs/decisions.md, "Before it acts"). Private ECR image URIs only:
 * `<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]/<repository>[:<tag>][@<digest>]`. Anything else (Docker
 * Hub, ECR Public, another registry) is reported as not checked, and so is an image in another region: the
 * watchdog reads ECR in its own region.
 */
const ECR_IMAGE =
  /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z]{2}(?:-[a-z]+)+-\d+)\.amazonaws\.com(?:\.cn)?\/([a-z0-9](?:[a-z0-9._/-]*[a-z0-9])?)(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(sha256:[0-9a-f]{64}))?$/;

/** Docker's default tag: an image named without one is pulled as `latest`. */
const DEFAULT_TAG = 'latest';
/** DescribeImages' largest page; the retention guard reads at most this many pages per repository. */
const IMAGE_PAGE_SIZE = 1000;
export const MAX_IMAGE_PAGES = 10;
/** How far ahead the retention guard warns about an age rule. */
export const RETENTION_HORIZON_MS = 7 * 24 * 60 * 60_000;
/** How few further pushes before a count rule would expire an image, for the retention guard to warn. */
export const RETENTION_PUSH_MARGIN = 3;

/** A private ECR image, as a container definition names it. */
export interface EcrImageRef {
  readonly registryId: string;
  readonly region: string;
  readonly repositoryName: string;
  readonly tag?: string;
  readonly digest?: string;
}

/** The ECR image URI `image` as its parts, or undefined when it is not a private ECR image. */
export function parseEcrImage(image: string): EcrImageRef | undefined {
  const m = ECR_IMAGE.exec(image.trim());
  if (!m) return undefined;
  const [, registryId, region, repositoryName, tag, digest] = m;
  if (repositoryName.includes('//')) return undefined;
  return {
    registryId,
    region,
    repositoryName,
    ...(tag !== undefined ? { tag } : {}),
    ...(digest !== undefined ? { digest } : {}),
  };
}

/** One container's image as the checks look it up: by digest when one is known, else by tag. */
export interface CheckedImage {
  readonly container: string;
  /** The image as the task definition names it, for the messages. */
  readonly image: string;
  readonly registryId: string;
  readonly repositoryName: string;
  readonly digest?: string;
  /** Set when there is no digest: the tag it is looked up by. */
  readonly tag?: string;
}

/** What the checks of one task definition's images need, kept as the ledger's Viability.recheck. */
export interface ImagePlan {
  readonly images: readonly CheckedImage[];
  /** Images that cannot be checked (outside ECR, another region), one clause each. */
  readonly unchecked: readonly string[];
  /**
   * False when an image named by tag had no digest to check because ECS could not say which one it resolved
   * (the revision lookup failed): the next full check tries again rather than reuse this plan.
   */
  readonly complete: boolean;
}

/**
 * The plan for a task definition's containers. `resolved` is container name → the digest ECS resolved a
 * tagged image to (its service revision), `region` the watchdog's own. A digest in the image itself wins, then
 * the resolved one, then the tag (a rollback redeploying the task definition pulls what the tag names then).
 */
export function planImages(
  containers: readonly { readonly name?: string; readonly image?: string }[],
  resolved: ReadonlyMap<string, string>,
  region: string,
  digestsKnown: boolean,
): ImagePlan {
  const images: CheckedImage[] = [];
  const unchecked: string[] = [];
  let complete = true;
  for (const c of containers) {
    const container = c.name ?? '(unnamed)';
    const image = c.image ?? '';
    const ref = parseEcrImage(image);
    if (!ref) {
      unchecked.push(
        `image ${image || '(none)'} of container ${container} is not in a private ECR registry: it was not checked`,
      );
      continue;
    }
    if (ref.region !== region) {
      unchecked.push(
        `image ${image} of container ${container} is in ECR in ${ref.region}; the watchdog checks ${region} only`,
      );
      continue;
    }
    const digest = ref.digest ?? resolved.get(container);
    if (digest === undefined && !digestsKnown) complete = false;
    images.push({
      container,
      image,
      registryId: ref.registryId,
      repositoryName: ref.repositoryName,
      ...(digest !== undefined ? { digest } : { tag: ref.tag ?? DEFAULT_TAG }),
    });
  }
  return { images, unchecked, complete };
}

const RECHECK_VERSION = 1;

/** The plan as Viability.recheck text. */
export function encodePlan(plan: ImagePlan): string {
  return JSON.stringify({ v: RECHECK_VERSION, ...plan });
}

/** A plan stored by encodePlan, or undefined when `text` is not one (then the check starts over). */
export function decodePlan(text: string | undefined): ImagePlan | undefined {
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(value) || value.v !== RECHECK_VERSION || typeof value.complete !== 'boolean')
    return undefined;
  const { images, unchecked } = value;
  if (!Array.isArray(images) || !Array.isArray(unchecked)) return undefined;
  if (!unchecked.every((u) => typeof u === 'string')) return undefined;
  if (!images.every(isCheckedImage)) return undefined;
  return { images, unchecked: unchecked, complete: value.complete };
}

function isCheckedImage(v: unknown): v is CheckedImage {
  if (!isRecord(v)) return false;
  const str = (k: string) => typeof v[k] === 'string';
  const opt = (k: string) => v[k] === undefined || typeof v[k] === 'string';
  return (
    str('container') &&
    str('image') &&
    str('registryId') &&
    str('repositoryName') &&
    opt('digest') &&
    opt('tag') &&
    (typeof v.digest === 'string') !== (typeof v.tag === 'string')
  );
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** How an image is named in the messages: its URI, and the digest checked when the URI does not carry it. */
function named(i: CheckedImage): string {
  const digest = i.digest !== undefined && !i.image.includes('@') ? ` (${i.digest.slice(0, 19)})` : '';
  return `image ${i.image}${digest} of container ${i.container}`;
}

/**
 * Reads ECR for the preflight and the retention guard. The client is built on first use: a watchdog whose
 * images are all outside ECR never loads it.
 */
export class EcrImages {
  constructor(private readonly ecr: () => ECRClient) {}

  /**
   * Whether each image is still in ECR and pullable, one DescribeImages each, concurrently. Gone (image or
   * repository not found, archived) is `missing`; a denied or refused read is `unchecked`; a transient failure
   * throws RetryableError.
   */
  present(images: readonly CheckedImage[]): Promise<ViabilityFindings[]> {
    return Promise.all(images.map((image) => this.presentOne(image)));
  }

  private async presentOne(i: CheckedImage): Promise<ViabilityFindings> {
    const imageId = i.digest !== undefined ? { imageDigest: i.digest } : { imageTag: i.tag };
    let detail: ImageDetail | undefined;
    try {
      const out = await this.ecr().send(
        new DescribeImagesCommand({
          registryId: i.registryId,
          repositoryName: i.repositoryName,
          imageIds: [imageId],
        }),
      );
      detail = out.imageDetails?.[0];
    } catch (err) {
      const name = summarizeError(err).name;
      if (name === 'ImageNotFoundException') {
        const what =
          i.digest !== undefined
            ? `the image that ran is gone (deleted, or archived)${i.image.includes('@') ? '' : '; if its tag still exists it names another image, which a rollback would run instead'}`
            : `tag ${i.tag ?? DEFAULT_TAG} is gone`;
        return {
          missing: [`${named(i)} is not in ECR repository ${i.repositoryName}: ${what}`],
        };
      }
      if (name === 'RepositoryNotFoundException') {
        return {
          missing: [
            `${named(i)}: ECR repository ${i.repositoryName} (registry ${i.registryId}) no longer exists`,
          ],
        };
      }
      return this.unreadable(err, `DescribeImages of ${named(i)}`);
    }
    if (detail === undefined) {
      return { missing: [`${named(i)} is not in ECR repository ${i.repositoryName}`] };
    }
    if (detail.imageStatus === 'ARCHIVED' || detail.imageStatus === 'ACTIVATING') {
      return {
        missing: [
          `${named(i)} is ${detail.imageStatus === 'ARCHIVED' ? 'archived' : 'being restored from the archive'}: ECR refuses to pull it until it is restored`,
        ],
      };
    }
    return {};
  }

  /** A refused read is reported unchecked, naming the call and the grant; a transient one throws. */
  private unreadable(err: unknown, call: string): ViabilityFindings {
    switch (classifyAwsError(err)) {
      case 'retryable':
        throw new RetryableError(`${call} failed: ${describeError(err)}`, { cause: err });
      case 'terminal':
        return {
          unchecked: [
            `${call} was refused (${describeError(err)})${/AccessDenied/.test(summarizeError(err).name) ? ': grant ecr:DescribeImages on the repository to the watchdog, or ignore this' : ''}`,
          ],
        };
      case 'conflict':
      case 'unknown':
        throw err;
    }
  }

  /**
   * The retention guard's reading: for each version's images, what their repository's lifecycle policy
   * (GetLifecyclePolicy, evaluated locally by ecr-lifecycle.ts against every image DescribeImages lists) will
   * do to them. One policy read and one listing per repository, repositories concurrently. A repository
   * without a policy puts nothing at risk; one the watchdog may not read is logged by the caller's telemetry
   * through `onUnread` and skipped; a transient failure throws.
   */
  async risks(
    versions: readonly { readonly version: string; readonly plan: ImagePlan }[],
    now: number,
    onUnread: (repository: string, error: unknown) => void,
  ): Promise<RetentionRisk[]> {
    const repositories = new Map<string, { registryId: string; repositoryName: string }>();
    for (const { plan } of versions) {
      for (const i of plan.images) repositories.set(repoKey(i), i);
    }
    const judged = new Map<string, RepositoryFates | undefined>();
    await Promise.all(
      [...repositories].map(async ([key, repo]) => {
        try {
          const fates = await this.repositoryFates(repo, now);
          if (!fates) {
            onUnread(
              repoKey(repo),
              new Error(
                `it lists more than ${MAX_IMAGE_PAGES * IMAGE_PAGE_SIZE} images: its policy was not judged`,
              ),
            );
          }
          judged.set(key, fates);
        } catch (err) {
          if (classifyAwsError(err) === 'terminal') {
            onUnread(repoKey(repo), err);
            judged.set(key, undefined);
            return;
          }
          if (classifyAwsError(err) === 'retryable') {
            throw new RetryableError(
              `reading the retention of ECR repository ${repo.repositoryName} failed: ${describeError(err)}`,
              { cause: err },
            );
          }
          throw err;
        }
      }),
    );
    const risks: RetentionRisk[] = [];
    for (const { version, plan } of versions) {
      const found: { risk: RetentionRisk['risk']; detail: string }[] = [];
      for (const i of plan.images) {
        const fates = judged.get(repoKey(i));
        if (!fates) continue;
        const fate = fates.fateOf(i);
        const risk = riskOf(fate, i, fates.repository);
        if (risk) found.push(risk);
      }
      if (found.length === 0) continue;
      const worst = found.some((f) => f.risk === 'gone')
        ? 'gone'
        : found.some((f) => f.risk === 'expiring')
          ? 'expiring'
          : 'at-risk';
      risks.push({ version, risk: worst, details: found.map((f) => f.detail) });
    }
    return risks;
  }

  private async repositoryFates(
    repo: { readonly registryId: string; readonly repositoryName: string },
    now: number,
  ): Promise<RepositoryFates | undefined> {
    const [policyText, images] = await Promise.all([this.policyText(repo), this.listImages(repo)]);
    // A partial listing would misjudge every count rule (DescribeImages' order is not by push): not judged.
    if (images.truncated) return undefined;
    const listed: LifecycleImage[] = images.images;
    const byTag = new Map<string, string>();
    for (const image of listed) for (const tag of image.tags) byTag.set(tag, image.digest);
    const policy = policyText === undefined ? undefined : parseLifecyclePolicy(policyText);
    return {
      repository: repo.repositoryName,
      fateOf(i: CheckedImage): ImageFate {
        const digest = i.digest ?? byTag.get(i.tag ?? DEFAULT_TAG);
        if (digest === undefined) return { kind: 'unknown', reason: NOT_LISTED };
        if (!listed.some((l) => l.digest === digest)) return { kind: 'unknown', reason: NOT_LISTED };
        if (!policy) {
          const image = listed.find((l) => l.digest === digest);
          return image?.archived ? { kind: 'unknown', reason: ARCHIVED } : { kind: 'kept' };
        }
        const fate = imageFates(policy, listed, [digest], now, {
          horizonMs: RETENTION_HORIZON_MS,
          pushMargin: RETENTION_PUSH_MARGIN,
        }).get(digest);
        return fate ?? { kind: 'kept' };
      },
    };
  }

  /** The policy text, or undefined when the repository has none. */
  private async policyText(repo: {
    readonly registryId: string;
    readonly repositoryName: string;
  }): Promise<string | undefined> {
    try {
      const out = await this.ecr().send(new GetLifecyclePolicyCommand(repo));
      return out.lifecyclePolicyText;
    } catch (err) {
      if (summarizeError(err).name === 'LifecyclePolicyNotFoundException') return undefined;
      throw err;
    }
  }

  /** Every image of the repository, archived ones included (the rules count them), up to MAX_IMAGE_PAGES. */
  private async listImages(repo: {
    readonly registryId: string;
    readonly repositoryName: string;
  }): Promise<{ images: LifecycleImage[]; truncated: boolean }> {
    const images: LifecycleImage[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_IMAGE_PAGES; page++) {
      const out = await this.ecr().send(
        new DescribeImagesCommand({
          ...repo,
          maxResults: IMAGE_PAGE_SIZE,
          filter: { imageStatus: 'ANY' },
          ...(nextToken !== undefined ? { nextToken } : {}),
        }),
      );
      for (const d of out.imageDetails ?? []) {
        const image = lifecycleImage(d);
        if (image) images.push(image);
      }
      nextToken = out.nextToken;
      if (nextToken === undefined) return { images, truncated: false };
    }
    return { images, truncated: true };
  }
}

interface RepositoryFates {
  readonly repository: string;
  fateOf(image: CheckedImage): ImageFate;
}

function repoKey(i: { readonly registryId: string; readonly repositoryName: string }): string {
  return `${i.registryId}/${i.repositoryName}`;
}

function lifecycleImage(d: ImageDetail): LifecycleImage | undefined {
  if (!d.imageDigest || !d.imagePushedAt) return undefined;
  const archived = d.imageStatus === 'ARCHIVED' || d.imageStatus === 'ACTIVATING';
  return {
    digest: d.imageDigest,
    tags: d.imageTags ?? [],
    pushedAt: d.imagePushedAt.getTime(),
    ...(d.lastRecordedPullTime ? { lastPulledAt: d.lastRecordedPullTime.getTime() } : {}),
    ...(archived ? { archived } : {}),
    ...(d.lastArchivedAt ? { archivedAt: d.lastArchivedAt.getTime() } : {}),
  };
}

/** What a fate means for the warning; undefined when the image is safe. */
function riskOf(
  fate: ImageFate,
  i: CheckedImage,
  repository: string,
): { risk: RetentionRisk['risk']; detail: string } | undefined {
  switch (fate.kind) {
    case 'kept':
      return undefined;
    case 'expiring':
      return {
        risk: 'expiring',
        detail: `${named(i)}: the lifecycle policy of ECR repository ${repository} expires it within a day (${fate.reason})`,
      };
    case 'at-risk':
      return {
        risk: 'at-risk',
        detail: `${named(i)}: the lifecycle policy of ECR repository ${repository} is about to expire it (${fate.reason})`,
      };
    case 'unknown':
      if (fate.reason === NOT_LISTED) {
        return { risk: 'gone', detail: `${named(i)} is no longer in ECR repository ${repository}` };
      }
      if (fate.reason === ARCHIVED) {
        return { risk: 'gone', detail: `${named(i)}: ${ARCHIVED}` };
      }
      return {
        risk: 'at-risk',
        detail: `${named(i)}: whether the lifecycle policy of ECR repository ${repository} expires it could not be judged (${fate.reason})`,
      };
  }
}
