import {
  BadRequestException,
  ConflictException,
  ResourceNotFoundException,
  type GetDeploymentCommandInput,
  type GetHostedConfigurationVersionCommandInput,
  type ListApplicationsCommandInput,
  type ListConfigurationProfilesCommandInput,
  type ListDeploymentsCommandInput,
  type ListEnvironmentsCommandInput,
  type StartDeploymentCommandInput,
  type StopDeploymentCommandInput,
} from '@aws-sdk/client-appconfig';
import { z } from 'zod';
import type { AppConfigTargetConfig } from '../../contract';
import { simCommand, type SimCommands } from '../../sim/sim-commands';
import { SIM_ACCOUNT, stableToken, stableUuid, type EventBridgeEvent } from '../../sim/world/account';
import { SimulatorGapError, type WorldContext } from '../../sim/world/world-context';
import type { SimKind, SimKindWorld, SimKindWorldInput } from '../sim-kind';
import { APPCONFIG_EVENT_SOURCE, APPCONFIG_EVENT_TYPE } from './events';
import { APPCONFIG_ID_PATTERN, STRATEGY_ID_ENV, appConfigResource, describeAppConfig } from './names';

/**
 * The id of the watchdog's zero-bake deployment strategy in the simulated account: the simulated stack sets
 * STRATEGY_ID_ENV to it (`environment`), as the real stack sets it to the strategy it creates.
 */
export const SIM_APPCONFIG_STRATEGY_ID = 'wd0bake';

/** The function environment the simulated account implies for the AppConfig kind. */
export const APPCONFIG_SIM_ENV: Readonly<Record<string, string>> = {
  [STRATEGY_ID_ENV]: SIM_APPCONFIG_STRATEGY_ID,
};

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
/** StopDeployment with AllowRevert reverts a completed deployment within 72 hours of its completion. */
const REVERT_WINDOW_MS = 72 * 60 * MINUTE_MS;
const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
/** The List APIs' largest page, and their page when MaxResults is not given. */
const MAX_RESULTS = 50;

const LOSABLE = [
  APPCONFIG_EVENT_TYPE.start,
  APPCONFIG_EVENT_TYPE.baking,
  APPCONFIG_EVENT_TYPE.complete,
  APPCONFIG_EVENT_TYPE.rolledBack,
] as const;

/** What each action point's event is called on the bus (AWS AppConfig events, EventBridge reference). */
const DETAIL_TYPE: Readonly<Record<(typeof LOSABLE)[number], string>> = {
  OnDeploymentStart: 'On Deployment Start',
  OnDeploymentBaking: 'On Deployment Baking',
  OnDeploymentComplete: 'On Deployment Complete',
  OnDeploymentRolledBack: 'On Deployment Rollback',
};

const name = (what: string, max: number) =>
  z
    .string({ error: `must be the AppConfig ${what}'s name` })
    .min(1, { error: `must be a non-empty AppConfig ${what} name` })
    .max(max, { error: `must be an AppConfig ${what} name of at most ${max} characters` });
const id = (what: string) =>
  z
    .string({ error: `must be the AppConfig ${what}'s id` })
    .regex(APPCONFIG_ID_PATTERN, {
      error: `must be an AppConfig ${what} id: 7 lower-case letters and digits`,
    })
    .optional();
const seconds = (what: string) =>
  z
    .number({ error: `must be the ${what} in seconds, a whole number >= 0` })
    .int({ error: `must be the ${what} in seconds, a whole number >= 0` })
    .min(0, { error: `must be the ${what} in seconds, a whole number >= 0` })
    .max(DAY_MS / 1_000, { error: `must be the ${what} in seconds, at most a day (86400)` });

const entrySchema = z.strictObject(
  {
    application: name('application', 64),
    environment: name('environment', 64),
    configurationProfile: name('configuration profile', 128),
    applicationId: id('application'),
    environmentId: id('environment'),
    configurationProfileId: id('configuration profile'),
    version: z
      .string({ error: 'must be the configuration version it serves, a version number string like "2"' })
      .regex(/^[1-9]\d{0,8}$/, {
        error: 'must be the configuration version it serves, a version number string like "2"',
      }),
    deploySeconds: seconds('deployment duration').default(120),
    bakeSeconds: seconds('final bake time').default(0),
    lostEvents: z
      .array(z.enum(LOSABLE, { error: `must be one of ${LOSABLE.map((t) => `"${t}"`).join(', ')}` }), {
        error: 'must be a list of event types that never reach the watchdog',
      })
      .default([]),
  },
  {
    error:
      'must be an object { "application", "environment", "configurationProfile", "version", "applicationId"?, "environmentId"?, "configurationProfileId"?, "deploySeconds"?, "bakeSeconds"?, "lostEvents"? }',
  },
);

/** One configuration profile deployed to one environment, as the scenario's `world.appConfigEnvironments` gives it. */
export type AppConfigEnvironmentEntry = z.infer<typeof entrySchema>;

/**
 * The resource an entry stands for, as the config target protecting it names it: by the entry's id where it
 * gives one (then the target must name that id), else by name.
 */
function entryResource(e: AppConfigEnvironmentEntry): string {
  return appConfigResource({
    application: e.applicationId ?? e.application,
    environment: e.environmentId ?? e.environment,
    configurationProfile: e.configurationProfileId ?? e.configurationProfile,
  });
}

/**
 * `world.appConfigEnvironments` (docs/architecture.md, "World semantics"): each entry serves `version`,
 * deployed a day before the scenario starts. A deployment (the timeline's `deploy`, or the watchdog's
 * StartDeployment) is DEPLOYING for `deploySeconds` (0 for the watchdog's zero-bake strategy), the new version
 * serving from its start, then BAKING for `bakeSeconds`, then COMPLETE; a `failingVersions` version rolls back
 * by itself at the end of DEPLOYING. StopDeployment during DEPLOYING (and, with AllowRevert, BAKING) rolls it
 * back (ROLLED_BACK); with AllowRevert within 72 hours of its completion a COMPLETE one is reverted
 * (REVERTED); either way the version served before it serves again at once. An environment takes one
 * deployment at a time. Events are the deployment-events extension's, minus the entry's `lostEvents`.
 *
 * Every profile is in the hosted configuration store, where every version number exists except the scenario's
 * `unavailableVersions`, deleted after they served: GetHostedConfigurationVersion of one is
 * ResourceNotFoundException, and the watchdog's StartDeployment of one fails as a `failingVersions` version
 * does (rolled back at the end of DEPLOYING, at once with the zero-bake strategy), leaving the version that
 * served. A timeline `deploy` of one deploys as usual.
 */
export const appConfigSimKind: SimKind<AppConfigTargetConfig, AppConfigEnvironmentEntry> = {
  type: 'appconfig',
  worldKey: 'appConfigEnvironments',
  entrySchema,
  entryResource,
  targetResource: (t) => appConfigResource(t),
  missingEntry: (t) =>
    `no world.appConfigEnvironments entry for ${describeAppConfig(t)}: add { "application": ${JSON.stringify(t.application)}, "environment": ${JSON.stringify(t.environment)}, "configurationProfile": ${JSON.stringify(t.configurationProfile)}, "version": "1" } (a target that names an id needs an entry giving that id as applicationId, environmentId or configurationProfileId)`,
  mutatingApis: ['appconfig:StartDeployment', 'appconfig:StopDeployment'],
  environment: APPCONFIG_SIM_ENV,
  createWorld: (input) => new AppConfigWorld(input),
};

type State = 'DEPLOYING' | 'BAKING' | 'COMPLETE' | 'ROLLED_BACK' | 'REVERTED';

interface Strategy {
  readonly id: string;
  readonly deployMs: number;
  readonly bakeMs: number;
}

interface Application {
  readonly id: string;
  readonly name: string;
  readonly environments: Environment[];
  readonly profiles: Profile[];
}

interface Environment {
  readonly id: string;
  readonly name: string;
  readonly application: Application;
  /** Newest first, every profile's. */
  readonly deployments: SimDeployment[];
}

interface Profile {
  readonly id: string;
  readonly name: string;
  readonly application: Application;
}

/** One profile in one environment: what an entry describes and a target protects. */
interface Slot {
  readonly entry: AppConfigEnvironmentEntry;
  readonly environment: Environment;
  readonly profile: Profile;
  /** `appconfig:<resource>`: orders effects and keys this slot's counters. */
  readonly source: string;
  readonly targetId: string | undefined;
  serving: string;
  readonly lost: ReadonlySet<string>;
}

interface SimDeployment {
  readonly n: number;
  readonly slot: Slot;
  readonly version: string;
  /** What the slot served before it started: what a rollback or revert restores. */
  readonly previous: string;
  readonly strategy: Strategy;
  readonly description?: string;
  /** The watchdog deployed a version that is gone (`unavailableVersions`): it fails as a failing one does. */
  readonly unavailable?: boolean;
  state: State;
  readonly startedAt: number;
  completedAt?: number;
}

class AppConfigWorld implements SimKindWorld {
  private readonly ctx: WorldContext;
  private readonly applications: Application[] = [];
  private readonly slots: Slot[] = [];
  private readonly failingVersions: ReadonlySet<string>;
  private readonly unavailableVersions: ReadonlySet<string>;
  private readonly onServing: SimKindWorldInput<AppConfigEnvironmentEntry>['onServing'];

  constructor(input: SimKindWorldInput<AppConfigEnvironmentEntry>) {
    this.ctx = input.ctx;
    this.failingVersions = input.failingVersions;
    this.unavailableVersions = input.unavailableVersions;
    this.onServing = input.onServing;
    const start = this.ctx.clock.now();
    for (const entry of input.entries) {
      const application = this.application(entry);
      const environment = this.environment(application, entry);
      const profile = this.profile(application, entry);
      const resource = entryResource(entry);
      const slot: Slot = {
        entry,
        environment,
        profile,
        source: `appconfig:${resource}`,
        targetId: input.targets.get(resource),
        serving: entry.version,
        lost: new Set(entry.lostEvents),
      };
      this.slots.push(slot);
      // The initial version's deployment completed a day before the scenario starts, so it is known-good.
      const strategy = userStrategy(entry);
      environment.deployments.unshift({
        n: environment.deployments.length + 1,
        slot,
        version: entry.version,
        previous: entry.version,
        strategy,
        state: 'COMPLETE',
        startedAt: start - DAY_MS - strategy.deployMs - strategy.bakeMs,
        completedAt: start - DAY_MS,
      });
    }
  }

  commands(): Readonly<Record<string, SimCommands>> {
    return {
      appconfig: {
        ListApplications: simCommand<ListApplicationsCommandInput>({
          run: (input) => {
            only('ListApplications', input, ['MaxResults', 'NextToken']);
            return page(
              this.applications.map((a) => ({ Id: a.id, Name: a.name })),
              input,
            );
          },
        }),
        ListEnvironments: simCommand<ListEnvironmentsCommandInput>({
          run: (input) => {
            only('ListEnvironments', input, ['ApplicationId', 'MaxResults', 'NextToken']);
            const app = this.requireApplication(input.ApplicationId);
            return page(
              app.environments.map((e) => ({
                ApplicationId: app.id,
                Id: e.id,
                Name: e.name,
                State: 'READY_FOR_DEPLOYMENT',
              })),
              input,
            );
          },
        }),
        ListConfigurationProfiles: simCommand<ListConfigurationProfilesCommandInput>({
          run: (input) => {
            only('ListConfigurationProfiles', input, ['ApplicationId', 'MaxResults', 'NextToken']);
            const app = this.requireApplication(input.ApplicationId);
            return page(
              app.profiles.map((p) => ({
                ApplicationId: app.id,
                Id: p.id,
                Name: p.name,
                LocationUri: 'hosted',
                Type: 'AWS.Freeform',
              })),
              input,
            );
          },
        }),
        ListDeployments: simCommand<ListDeploymentsCommandInput>({
          target: (input) => this.targetOfEnvironment(input.ApplicationId, input.EnvironmentId),
          run: (input) => {
            only('ListDeployments', input, ['ApplicationId', 'EnvironmentId', 'MaxResults', 'NextToken']);
            const env = this.requireEnvironment(input.ApplicationId, input.EnvironmentId);
            return page(env.deployments.map(summaryOf), input);
          },
        }),
        GetDeployment: simCommand<GetDeploymentCommandInput>({
          target: (input) =>
            this.targetOfDeployment(input.ApplicationId, input.EnvironmentId, input.DeploymentNumber),
          run: (input) => {
            only('GetDeployment', input, ['ApplicationId', 'EnvironmentId', 'DeploymentNumber']);
            return detailOf(
              this.requireDeployment(input.ApplicationId, input.EnvironmentId, input.DeploymentNumber),
            );
          },
        }),
        GetHostedConfigurationVersion: simCommand<GetHostedConfigurationVersionCommandInput>({
          run: (input) => this.getHostedConfigurationVersion(input),
        }),
        StartDeployment: simCommand<StartDeploymentCommandInput>({
          target: (input) => this.slotOf(input)?.targetId ?? input.ConfigurationProfileId,
          run: (input) => this.startDeployment(input),
        }),
        StopDeployment: simCommand<StopDeploymentCommandInput>({
          target: (input) =>
            this.targetOfDeployment(input.ApplicationId, input.EnvironmentId, input.DeploymentNumber),
          run: (input) => this.stopDeployment(input),
        }),
      },
    };
  }

  deploy(targetId: string, version: string, by?: string): boolean {
    const slot = this.slots.find((s) => s.targetId === targetId);
    if (!slot) return false;
    const who = by === undefined ? '' : ` by ${by}`;
    const active = activeIn(slot.environment);
    if (active) {
      this.ctx.note(
        slot.source,
        'deploy',
        `${targetId}: release ${version}${who} refused: deployment ${active.n} (${active.slot.profile.name} ${active.version}) holds environment ${slot.environment.name} (ConflictException)`,
      );
      return true;
    }
    const from = slot.serving;
    const n = this.begin(slot, version, userStrategy(slot.entry), `release ${version}${who}`);
    this.ctx.note(slot.source, 'deploy', `${targetId}: release ${from} → ${version}${who} (deployment ${n})`);
    return true;
  }

  versionOf(targetId: string): string | undefined {
    return this.slots.find((s) => s.targetId === targetId)?.serving;
  }

  /** A hosted version: every version number exists but the `unavailableVersions`. The content is a stand-in. */
  private getHostedConfigurationVersion(
    input: GetHostedConfigurationVersionCommandInput,
  ): Record<string, unknown> {
    only('GetHostedConfigurationVersion', input, [
      'ApplicationId',
      'ConfigurationProfileId',
      'VersionNumber',
    ]);
    const app = this.requireApplication(input.ApplicationId);
    const profile = app.profiles.find((p) => p.id === input.ConfigurationProfileId);
    if (!profile) {
      throw new ResourceNotFoundException({
        message: `Configuration profile ${input.ConfigurationProfileId ?? ''} not found`,
        $metadata: {},
      });
    }
    const n = input.VersionNumber;
    if (n === undefined || !Number.isInteger(n) || n < 1 || this.unavailableVersions.has(String(n))) {
      throw new ResourceNotFoundException({
        message: `Hosted configuration version ${String(n)} of configuration profile ${profile.id} not found`,
        $metadata: {},
      });
    }
    return {
      ApplicationId: app.id,
      ConfigurationProfileId: profile.id,
      VersionNumber: n,
      ContentType: 'application/json',
      Content: new TextEncoder().encode(JSON.stringify({ profile: profile.name, version: n })),
    };
  }

  private startDeployment(input: StartDeploymentCommandInput): Record<string, unknown> {
    only('StartDeployment', input, [
      'ApplicationId',
      'EnvironmentId',
      'DeploymentStrategyId',
      'ConfigurationProfileId',
      'ConfigurationVersion',
      'Description',
    ]);
    const env = this.requireEnvironment(input.ApplicationId, input.EnvironmentId);
    const slot = this.slotOf(input);
    if (!slot) {
      throw new ResourceNotFoundException({
        message: `Configuration profile ${input.ConfigurationProfileId ?? ''} is not deployed to environment ${env.id} in the simulated account`,
        $metadata: {},
      });
    }
    if (input.DeploymentStrategyId !== SIM_APPCONFIG_STRATEGY_ID) {
      throw new SimulatorGapError(
        `appconfig:StartDeployment with deployment strategy ${JSON.stringify(input.DeploymentStrategyId)} is not modelled: the simulated account knows the watchdog's zero-bake strategy ${SIM_APPCONFIG_STRATEGY_ID} (${STRATEGY_ID_ENV})`,
      );
    }
    const version = input.ConfigurationVersion ?? '';
    if (!/^[1-9]\d{0,8}$/.test(version)) {
      throw new BadRequestException({
        message: `Configuration version ${JSON.stringify(version)} does not exist: the simulated account has hosted configuration versions 1, 2, ...`,
        $metadata: {},
      });
    }
    const active = activeIn(env);
    if (active) {
      throw new ConflictException({
        message: `Deployment ${active.n} is in progress in environment ${env.id}; an environment takes one deployment at a time`,
        $metadata: {},
      });
    }
    const who = slot.targetId ?? slot.profile.name;
    const from = slot.serving;
    const n = this.begin(
      slot,
      version,
      { id: SIM_APPCONFIG_STRATEGY_ID, deployMs: 0, bakeMs: 0 },
      input.Description,
      this.unavailableVersions.has(version),
    );
    this.ctx.note(
      slot.source,
      'deploy',
      `${who}: StartDeployment ${from} → ${version} (deployment ${n}, zero-bake)`,
    );
    return detailOf(this.requireDeployment(env.application.id, env.id, n));
  }

  private stopDeployment(input: StopDeploymentCommandInput): Record<string, unknown> {
    only('StopDeployment', input, ['ApplicationId', 'EnvironmentId', 'DeploymentNumber', 'AllowRevert']);
    const d = this.requireDeployment(input.ApplicationId, input.EnvironmentId, input.DeploymentNumber);
    const revert = input.AllowRevert === true;
    const who = d.slot.targetId ?? d.slot.profile.name;
    const refuse = (why: string) =>
      new BadRequestException({ message: `Deployment ${d.n} cannot be stopped: ${why}`, $metadata: {} });
    const now = this.ctx.clock.now();
    switch (d.state) {
      case 'DEPLOYING':
        break;
      case 'BAKING':
        // Without AllowRevert, StopDeployment works only on a DEPLOYING deployment (API reference).
        if (!revert) throw refuse('it is BAKING; only a DEPLOYING deployment stops without AllowRevert');
        break;
      case 'COMPLETE':
        if (!revert) throw refuse('it is COMPLETE; give AllowRevert to revert it');
        if (now - (d.completedAt ?? now) >= REVERT_WINDOW_MS) {
          throw refuse('it completed more than 72 hours ago and can no longer be reverted');
        }
        this.restore(
          d,
          'REVERTED',
          `${who}: deployment ${d.n} (${d.version}) reverted; ${d.previous} serves again`,
        );
        return detailOf(d);
      case 'ROLLED_BACK':
      case 'REVERTED':
        throw refuse(`it is ${d.state}`);
    }
    this.restore(
      d,
      'ROLLED_BACK',
      `${who}: deployment ${d.n} (${d.version}) stopped; AppConfig rolls back to ${d.previous}`,
    );
    return detailOf(d);
  }

  /** A deployment starts: its version serves at once; the strategy's timers move it on. */
  private begin(
    slot: Slot,
    version: string,
    strategy: Strategy,
    description: string | undefined,
    unavailable = false,
  ): number {
    const env = slot.environment;
    const d: SimDeployment = {
      n: (env.deployments[0]?.n ?? 0) + 1,
      slot,
      version,
      previous: slot.serving,
      strategy,
      ...(description === undefined ? {} : { description }),
      ...(unavailable ? { unavailable } : {}),
      state: 'DEPLOYING',
      startedAt: this.ctx.clock.now(),
    };
    env.deployments.unshift(d);
    slot.serving = version;
    this.emit(d, APPCONFIG_EVENT_TYPE.start);
    this.servingChanged(slot, false);
    this.ctx.clock.after(strategy.deployMs, () => this.deployed(d));
    return d.n;
  }

  private deployed(d: SimDeployment): void {
    if (d.state !== 'DEPLOYING') return;
    const who = d.slot.targetId ?? d.slot.profile.name;
    if (this.failingVersions.has(d.version) || d.unavailable === true) {
      const why = d.unavailable ? ' (configuration version deleted)' : '';
      this.restore(
        d,
        'ROLLED_BACK',
        `${who}: deployment ${d.n} (${d.version}) failed${why}; AppConfig rolls back to ${d.previous}`,
      );
      return;
    }
    if (d.strategy.bakeMs > 0) {
      d.state = 'BAKING';
      this.ctx.note(d.slot.source, 'deploy', `${who}: deployment ${d.n} (${d.version}) baking`);
      this.emit(d, APPCONFIG_EVENT_TYPE.baking);
      this.ctx.clock.after(d.strategy.bakeMs, () => this.complete(d));
      return;
    }
    this.complete(d);
  }

  private complete(d: SimDeployment): void {
    if (d.state !== 'DEPLOYING' && d.state !== 'BAKING') return;
    d.state = 'COMPLETE';
    d.completedAt = this.ctx.clock.now();
    this.ctx.note(
      d.slot.source,
      'deploy',
      `${d.slot.targetId ?? d.slot.profile.name}: deployment ${d.n} (${d.version}) complete`,
    );
    this.emit(d, APPCONFIG_EVENT_TYPE.complete);
    this.servingChanged(d.slot, true);
  }

  /** AppConfig rolls back (or reverts) in place: the deployment ends, and what it replaced serves again. */
  private restore(d: SimDeployment, state: 'ROLLED_BACK' | 'REVERTED', note: string): void {
    d.state = state;
    d.completedAt = this.ctx.clock.now();
    d.slot.serving = d.previous;
    this.ctx.note(d.slot.source, 'deploy', note);
    this.emit(d, APPCONFIG_EVENT_TYPE.rolledBack);
    this.servingChanged(d.slot, true);
  }

  private servingChanged(slot: Slot, settled: boolean): void {
    if (slot.targetId !== undefined) this.onServing(slot.targetId, slot.serving, settled);
  }

  /** The extension's event, unless the entry loses events of this type (then the timeline says so). */
  private emit(d: SimDeployment, type: (typeof LOSABLE)[number]): void {
    const { slot } = d;
    if (slot.lost.has(type)) {
      this.ctx.note(
        slot.source,
        'lost',
        `${slot.targetId ?? slot.profile.name}: event lost: ${type} of deployment ${d.n} (${d.version}) is never delivered`,
      );
      return;
    }
    this.ctx.emit(slot.source, this.event(d, type), 1);
  }

  private event(d: SimDeployment, type: (typeof LOSABLE)[number]): EventBridgeEvent {
    const { slot } = d;
    const env = slot.environment;
    const at = this.ctx.clock.now();
    const n = this.ctx.next(`event:${slot.source}`);
    return {
      version: '0',
      id: stableUuid(`event:${slot.source}`, n),
      'detail-type': DETAIL_TYPE[type],
      source: APPCONFIG_EVENT_SOURCE,
      account: SIM_ACCOUNT,
      time: isoSeconds(at),
      region: this.ctx.region,
      resources: [
        `arn:aws:appconfig:${this.ctx.region}:${SIM_ACCOUNT}:extensionassociation/${stableToken(`extension:${env.application.id}`, 1, 7, ID_ALPHABET)}`,
      ],
      detail: {
        InvocationId: stableToken(`invocation:${slot.source}`, n, 7, ID_ALPHABET),
        Parameters: {},
        Type: type,
        Application: { Id: env.application.id, Name: env.application.name },
        Environment: { Id: env.id, Name: env.name },
        ConfigurationProfile: { Id: slot.profile.id, Name: slot.profile.name },
        DeploymentNumber: d.n,
        ConfigurationVersion: d.version,
      },
    };
  }

  private application(entry: AppConfigEnvironmentEntry): Application {
    const found = this.applications.find((a) => a.name === entry.application);
    if (found) {
      if (entry.applicationId !== undefined && entry.applicationId !== found.id) {
        throw new Error(
          `world.appConfigEnvironments gives application ${entry.application} two ids (${found.id}, ${entry.applicationId})`,
        );
      }
      return found;
    }
    const app: Application = {
      id: entry.applicationId ?? this.newId(`application:${entry.application}`),
      name: entry.application,
      environments: [],
      profiles: [],
    };
    this.applications.push(app);
    return app;
  }

  private environment(app: Application, entry: AppConfigEnvironmentEntry): Environment {
    const found = app.environments.find((e) => e.name === entry.environment);
    if (found) {
      if (entry.environmentId !== undefined && entry.environmentId !== found.id) {
        throw new Error(
          `world.appConfigEnvironments gives environment ${entry.environment} two ids (${found.id}, ${entry.environmentId})`,
        );
      }
      return found;
    }
    const env: Environment = {
      id: entry.environmentId ?? this.newId(`environment:${app.name}/${entry.environment}`),
      name: entry.environment,
      application: app,
      deployments: [],
    };
    app.environments.push(env);
    return env;
  }

  private profile(app: Application, entry: AppConfigEnvironmentEntry): Profile {
    const found = app.profiles.find((p) => p.name === entry.configurationProfile);
    if (found) {
      if (entry.configurationProfileId !== undefined && entry.configurationProfileId !== found.id) {
        throw new Error(
          `world.appConfigEnvironments gives configuration profile ${entry.configurationProfile} two ids (${found.id}, ${entry.configurationProfileId})`,
        );
      }
      return found;
    }
    const profile: Profile = {
      id: entry.configurationProfileId ?? this.newId(`profile:${app.name}/${entry.configurationProfile}`),
      name: entry.configurationProfile,
      application: app,
    };
    app.profiles.push(profile);
    return profile;
  }

  /** 7 lower-case letters and digits, from the name: the same scenario always gives the same ids. */
  private newId(kind: string): string {
    const taken = new Set(
      this.applications.flatMap((a) => [
        a.id,
        ...a.environments.map((e) => e.id),
        ...a.profiles.map((p) => p.id),
      ]),
    );
    for (let n = 1; ; n++) {
      const candidate = stableToken(`appconfig-${kind}`, n, 7, ID_ALPHABET);
      if (!taken.has(candidate)) return candidate;
    }
  }

  private slotOf(input: {
    readonly ApplicationId?: string;
    readonly EnvironmentId?: string;
    readonly ConfigurationProfileId?: string;
  }): Slot | undefined {
    return this.slots.find(
      (s) =>
        s.environment.application.id === input.ApplicationId &&
        s.environment.id === input.EnvironmentId &&
        s.profile.id === input.ConfigurationProfileId,
    );
  }

  private targetOfEnvironment(appId: string | undefined, envId: string | undefined): string | undefined {
    const slots = this.slots.filter(
      (s) => s.environment.application.id === appId && s.environment.id === envId,
    );
    return slots.length === 1 ? slots[0]?.targetId : undefined;
  }

  private targetOfDeployment(appId?: string, envId?: string, n?: number): string | undefined {
    const env = this.findEnvironment(appId, envId);
    return env?.deployments.find((d) => d.n === n)?.slot.targetId;
  }

  private requireApplication(appId: string | undefined): Application {
    const app = this.applications.find((a) => a.id === appId);
    if (!app) {
      throw new ResourceNotFoundException({
        message: `Application ${appId ?? ''} not found`,
        ResourceName: appId,
        $metadata: {},
      });
    }
    return app;
  }

  private findEnvironment(appId: string | undefined, envId: string | undefined): Environment | undefined {
    return this.applications.find((a) => a.id === appId)?.environments.find((e) => e.id === envId);
  }

  private requireEnvironment(appId: string | undefined, envId: string | undefined): Environment {
    const app = this.requireApplication(appId);
    const env = app.environments.find((e) => e.id === envId);
    if (!env) {
      throw new ResourceNotFoundException({ message: `Environment ${envId ?? ''} not found`, $metadata: {} });
    }
    return env;
  }

  private requireDeployment(
    appId: string | undefined,
    envId: string | undefined,
    n: number | undefined,
  ): SimDeployment {
    const env = this.requireEnvironment(appId, envId);
    const d = env.deployments.find((x) => x.n === n);
    if (!d) {
      throw new ResourceNotFoundException({ message: `Deployment ${String(n)} not found`, $metadata: {} });
    }
    return d;
  }
}

function userStrategy(entry: AppConfigEnvironmentEntry): Strategy {
  return {
    id: stableToken(`strategy:${entry.deploySeconds}/${entry.bakeSeconds}`, 1, 7, ID_ALPHABET),
    deployMs: entry.deploySeconds * 1_000,
    bakeMs: entry.bakeSeconds * 1_000,
  };
}

/** The deployment holding its environment (at most one: StartDeployment refuses a second). */
function activeIn(env: Environment): SimDeployment | undefined {
  return env.deployments.find((d) => d.state === 'DEPLOYING' || d.state === 'BAKING');
}

function strategyFields(d: SimDeployment): Record<string, unknown> {
  return {
    DeploymentDurationInMinutes: Math.ceil(d.strategy.deployMs / MINUTE_MS),
    FinalBakeTimeInMinutes: Math.ceil(d.strategy.bakeMs / MINUTE_MS),
    GrowthFactor: 100,
    GrowthType: 'LINEAR',
  };
}

/** DeploymentSummary, as ListDeployments lists it. */
function summaryOf(d: SimDeployment): Record<string, unknown> {
  return {
    DeploymentNumber: d.n,
    ConfigurationProfileId: d.slot.profile.id,
    ConfigurationName: d.slot.profile.name,
    ConfigurationVersion: d.version,
    ...strategyFields(d),
    State: d.state,
    PercentageComplete: d.state === 'DEPLOYING' ? 0 : 100,
    StartedAt: new Date(d.startedAt),
    ...(d.completedAt === undefined ? {} : { CompletedAt: new Date(d.completedAt) }),
  };
}

/** Deployment, as GetDeployment, StartDeployment and StopDeployment answer. */
function detailOf(d: SimDeployment): Record<string, unknown> {
  const env = d.slot.environment;
  return {
    ApplicationId: env.application.id,
    EnvironmentId: env.id,
    DeploymentStrategyId: d.strategy.id,
    ...summaryOf(d),
    ConfigurationLocationUri: 'hosted',
    ...(d.description === undefined ? {} : { Description: d.description }),
    EventLog: [],
  };
}

/** A page of a List call: `NextToken` is the offset of the next item. */
function page(
  items: readonly Record<string, unknown>[],
  input: { readonly MaxResults?: number; readonly NextToken?: string },
): Record<string, unknown> {
  const size = input.MaxResults ?? MAX_RESULTS;
  if (!Number.isInteger(size) || size < 1 || size > MAX_RESULTS) {
    throw new BadRequestException({
      message: `MaxResults must be 1-${MAX_RESULTS} (got ${size})`,
      $metadata: {},
    });
  }
  const offset = input.NextToken === undefined ? 0 : Number(/^sim-(\d+)$/.exec(input.NextToken)?.[1] ?? NaN);
  if (!Number.isInteger(offset)) {
    throw new BadRequestException({
      message: `NextToken ${input.NextToken ?? ''} is not valid`,
      $metadata: {},
    });
  }
  const next = offset + size;
  return { Items: items.slice(offset, next), ...(next < items.length ? { NextToken: `sim-${next}` } : {}) };
}

/** Parameters the simulated account does not model fail the call, rather than being ignored. */
function only(operation: string, input: object, modelled: readonly string[]): void {
  const unmodelled = Object.entries(input)
    .filter(([k, value]) => value !== undefined && !modelled.includes(k))
    .map(([k]) => k);
  if (unmodelled.length > 0) {
    throw new SimulatorGapError(
      `appconfig:${operation} parameters ${unmodelled.join(', ')} are not modelled`,
    );
  }
}

/** `2026-03-01T10:00:00Z`: EventBridge's `time` has whole seconds. */
function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1_000) * 1_000).toISOString().replace('.000Z', 'Z');
}
