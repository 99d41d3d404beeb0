import {
  ListApplicationsCommand,
  ListConfigurationProfilesCommand,
  ListEnvironmentsCommand,
  type AppConfigClient,
} from '@aws-sdk/client-appconfig';
import {
  classifyAwsError,
  describeError,
  summarizeError,
  type AwsErrorClass,
} from '../../adapters/aws-errors';
import { RetryableError } from '../../use-cases/errors';
import type { Telemetry } from '../../use-cases/ports';
import { describeAppConfig, isAppConfigId, type AppConfigNames } from './names';

/** The ids a target's names stand for, and what inspect needs to pick its profile's deployments. */
export interface AppConfigIds {
  readonly applicationId: string;
  readonly environmentId: string;
  readonly profileId: string;
  /** The profile's name: the deployment summaries of older API versions name the profile by it only. */
  readonly profileName: string;
  /** Another profile of the application has the same name (AppConfig does not require names to differ). */
  readonly profileNameShared: boolean;
  /**
   * Where the profile's configuration is stored (LocationUri): `hosted` for AppConfig's own store, else an
   * `s3://`, `ssm-parameter://`, `ssm-document://`, `secretsmanager://` or `codepipeline://` URI. Undefined when
   * ListConfigurationProfiles did not say.
   */
  readonly profileLocation?: string;
}

export type Resolution =
  { readonly kind: 'ok'; readonly ids: AppConfigIds } | { readonly kind: 'invalid'; readonly why: string };

/** The List* APIs' largest page (MaxResults 1-50). */
const PAGE_SIZE = 50;
/** Pages read before giving up on a name: 1,000 applications, environments or profiles. */
const MAX_PAGES = 20;
/** Names quoted back in a "no such environment" message. */
const NAMES_SHOWN = 10;

interface Listed {
  readonly Id?: string | undefined;
  readonly Name?: string | undefined;
  /** Configuration profiles only. */
  readonly LocationUri?: string | undefined;
}

/**
 * Turns the names (or ids) a target gives into AppConfig ids, once per container: ListApplications for an
 * application given by name, then ListEnvironments and ListConfigurationProfiles of the application, read
 * concurrently. Every value is matched against the ids first and the names second, so a name that happens to
 * be shorter or longer than an id still resolves; but a value with the form of an id (`isAppConfigId`) that
 * turns out to be a name is refused, because the stack scoped the watchdog's IAM grants to it as an id and
 * AWS would deny the calls on the real id. Successes are cached; a refusal is not, so a fix (or a resource
 * created later) is seen on the next read.
 */
export class AppConfigResolver {
  private readonly cache = new Map<string, AppConfigIds>();

  constructor(
    private readonly client: AppConfigClient,
    private readonly telemetry?: Pick<Telemetry, 'log'>,
  ) {}

  /** Transient failures throw RetryableError; anything the target itself gets wrong is `invalid`. */
  async resolve(target: AppConfigNames): Promise<Resolution> {
    const key = cacheKey(target);
    const cached = this.cache.get(key);
    if (cached) return { kind: 'ok', ids: cached };

    const app = await this.application(target);
    if (app.kind === 'invalid') return app;
    const [environments, profiles] = await Promise.all([
      this.listAll(
        'ListEnvironments',
        target,
        (NextToken) =>
          this.client.send(
            new ListEnvironmentsCommand({ ApplicationId: app.id, MaxResults: PAGE_SIZE, NextToken }),
          ),
        app.id,
      ),
      this.listAll(
        'ListConfigurationProfiles',
        target,
        (NextToken) =>
          this.client.send(
            new ListConfigurationProfilesCommand({ ApplicationId: app.id, MaxResults: PAGE_SIZE, NextToken }),
          ),
        app.id,
      ),
    ]);
    if (environments.kind === 'invalid') return environments;
    if (profiles.kind === 'invalid') return profiles;

    const environment = pick(environments.items, target.environment, 'environment', target);
    if (environment.kind === 'invalid') return environment;
    const profile = pick(profiles.items, target.configurationProfile, 'configuration profile', target);
    if (profile.kind === 'invalid') return profile;

    const profileName = profile.item.Name ?? '';
    const ids: AppConfigIds = {
      applicationId: app.id,
      environmentId: environment.id,
      profileId: profile.id,
      profileName,
      profileNameShared: profiles.items.some((p) => p.Name === profileName && p.Id !== profile.id),
      ...(profile.item.LocationUri !== undefined ? { profileLocation: profile.item.LocationUri } : {}),
    };
    this.cache.set(key, ids);
    return { kind: 'ok', ids };
  }

  /** After a call with the cached ids found nothing: resolve again next time (deleted and recreated). */
  forget(target: AppConfigNames): void {
    this.cache.delete(cacheKey(target));
  }

  private async application(
    target: AppConfigNames,
  ): Promise<{ kind: 'ok'; id: string } | { kind: 'invalid'; why: string }> {
    // An id needs no lookup, and ListApplications needs IAM on every application ("*").
    if (isAppConfigId(target.application)) return { kind: 'ok', id: target.application };
    const listed = await this.listAll('ListApplications', target, (NextToken) =>
      this.client.send(new ListApplicationsCommand({ MaxResults: PAGE_SIZE, NextToken })),
    );
    if (listed.kind === 'invalid') return listed;
    const found = pick(listed.items, target.application, 'application', target);
    return found.kind === 'invalid' ? found : { kind: 'ok', id: found.id };
  }

  private async listAll(
    call: string,
    target: AppConfigNames,
    page: (token: string | undefined) => Promise<{ Items?: Listed[]; NextToken?: string }>,
    applicationId?: string,
  ): Promise<{ kind: 'ok'; items: Listed[] } | { kind: 'invalid'; why: string }> {
    const items: Listed[] = [];
    let token: string | undefined;
    for (let i = 0; i < MAX_PAGES; i++) {
      let out: { Items?: Listed[]; NextToken?: string };
      try {
        out = await page(token);
      } catch (err) {
        return { kind: 'invalid', why: readProblem(err, call, target, applicationId) };
      }
      items.push(...(out.Items ?? []));
      token = out.NextToken;
      if (!token) return { kind: 'ok', items };
    }
    this.telemetry?.log('warn', `${call} has more pages than the watchdog reads; matching in the first`, {
      pages: MAX_PAGES,
      items: items.length,
    });
    return { kind: 'ok', items };
  }
}

function cacheKey(t: AppConfigNames): string {
  return `${t.application}\u0000${t.environment}\u0000${t.configurationProfile}`;
}

/** The item whose id is `value`, else the one named `value`; an id-shaped name and ambiguity are refused. */
function pick(
  items: readonly Listed[],
  value: string,
  what: 'application' | 'environment' | 'configuration profile',
  target: AppConfigNames,
): { kind: 'ok'; id: string; item: Listed } | { kind: 'invalid'; why: string } {
  const byId = items.find((i) => i.Id === value);
  if (byId?.Id) return { kind: 'ok', id: byId.Id, item: byId };
  const named = items.filter((i) => i.Name === value && i.Id);
  const where =
    what === 'application'
      ? 'in this account and region'
      : `in application ${target.application} (${describeAppConfig(target)})`;
  if (named.length === 0) {
    const names = items
      .map((i) => i.Name)
      .filter((n): n is string => n !== undefined)
      .slice(0, NAMES_SHOWN);
    const known = names.length > 0 ? `; there are ${names.map((n) => JSON.stringify(n)).join(', ')}` : '';
    return {
      kind: 'invalid',
      why: `no AppConfig ${what} is named or has the id ${JSON.stringify(value)} ${where}${known}: check the name, or give the ${what}'s id`,
    };
  }
  if (named.length > 1) {
    return {
      kind: 'invalid',
      why: `${named.length} AppConfig ${what}s are named ${JSON.stringify(value)} ${where} (ids ${named.map((i) => i.Id).join(', ')}): give the id of the one to protect`,
    };
  }
  const [only] = named;
  const id = only.Id ?? '';
  if (isAppConfigId(value)) {
    return {
      kind: 'invalid',
      why: `${JSON.stringify(value)} is the name of AppConfig ${what} ${id}, but 7 lower-case letters and digits read as an id, so the stack's IAM grants name a ${what} with id ${JSON.stringify(value)}: give the id ${JSON.stringify(id)} in the config`,
    };
  }
  return { kind: 'ok', id, item: only };
}

/**
 * A List call that failed: transient → throw for Lambda to retry; refused (missing, denied, bad request) →
 * what to fix; anything else escapes unchanged rather than be guessed at.
 */
function readProblem(err: unknown, call: string, target: AppConfigNames, applicationId?: string): string {
  const name = summarizeError(err).name;
  switch (appConfigErrorClass(err)) {
    case 'retryable':
      throw new RetryableError(`${call} for ${describeAppConfig(target)} failed: ${describeError(err)}`, {
        cause: err,
      });
    case 'conflict':
    case 'unknown':
      throw err;
    case 'terminal':
    case 'bad-request':
      break;
  }
  if (name === 'ResourceNotFoundException' && applicationId !== undefined) {
    const asId = isAppConfigId(applicationId)
      ? ` (7 lower-case letters and digits read as an id: if ${JSON.stringify(applicationId)} is the application's name, give its id)`
      : '';
    return `AppConfig has no application with id ${JSON.stringify(applicationId)}${asId}: ${call} answered ${describeError(err)}`;
  }
  if (name === 'AccessDeniedException') {
    return `${call} for ${describeAppConfig(target)} was denied (${describeError(err)}): the watchdog's role may not read it; deploy the watchdog's stack with this target in its config so that its grants cover it`;
  }
  return `${call} for ${describeAppConfig(target)} failed: ${describeError(err)}`;
}

/**
 * classifyAwsError, plus AppConfig's BadRequestException (400), which the shared table does not name because
 * its meaning depends on the call: a malformed read, or (StopDeployment) a deployment in a state that cannot
 * be stopped or reverted.
 */
export function appConfigErrorClass(err: unknown): AwsErrorClass | 'bad-request' {
  return summarizeError(err).name === 'BadRequestException' ? 'bad-request' : classifyAwsError(err);
}
