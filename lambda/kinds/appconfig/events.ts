import { LIMITS } from '../../contract';
import {
  capProblems,
  envelope,
  fromTheFuture,
  malformed,
  parseIsoTimestamp,
  type Parsed,
  type ParseOptions,
} from '../../boundary/events';
import { describeValue, isRecord } from '../../boundary/json-path';
import * as v from '../../boundary/lean-schema';
import type { DeploymentEvent } from '../../domain';
import type { KindEvent } from '../kind';
import { APPCONFIG_API_ID_PATTERN, deploymentIdOf, rollbackIdOf } from './names';

/**
 * AppConfig's deployment events (EventBridge reference, "AWS AppConfig events": source `aws.appconfig`,
 * delivery best effort). They reach the default bus only through an extension associated with the
 * application, environment or profile: AWS's "deployment events to Amazon EventBridge" extension (action
 * points ON_DEPLOYMENT_START, ON_DEPLOYMENT_COMPLETE, ON_DEPLOYMENT_ROLLED_BACK) or a custom one (also
 * ON_DEPLOYMENT_STEP, ON_DEPLOYMENT_BAKING). So they are opt-in, and the sweep reads every AppConfig target
 * on every run instead of relying on them.
 *
 * The extension's documented event: `detail` holds `Type` (the action point, `OnDeploymentComplete`),
 * `Application`, `Environment` and `ConfigurationProfile` (each `{ Id, Name }`), `DeploymentNumber` and
 * `ConfigurationVersion`; there is no timestamp but the envelope's `time`.
 */
export const APPCONFIG_EVENT_SOURCE = 'aws.appconfig';

/** `detail.Type`, the action point in the extension's spelling. */
export const APPCONFIG_EVENT_TYPE = {
  start: 'OnDeploymentStart',
  step: 'OnDeploymentStep',
  baking: 'OnDeploymentBaking',
  complete: 'OnDeploymentComplete',
  rolledBack: 'OnDeploymentRolledBack',
} as const;
export type AppConfigEventType = (typeof APPCONFIG_EVENT_TYPE)[keyof typeof APPCONFIG_EVENT_TYPE];

/**
 * `detail-type` → the `Type` it carries. The EventBridge reference names the rollback event "On Deployment
 * Rollback"; the action point it comes from is ON_DEPLOYMENT_ROLLED_BACK, whose event the other names suggest
 * is "On Deployment Rolled Back". Both are accepted, and routed.
 */
export const APPCONFIG_DETAIL_TYPES: Readonly<Record<string, AppConfigEventType>> = {
  'On Deployment Start': APPCONFIG_EVENT_TYPE.start,
  'On Deployment Step': APPCONFIG_EVENT_TYPE.step,
  'On Deployment Baking': APPCONFIG_EVENT_TYPE.baking,
  'On Deployment Complete': APPCONFIG_EVENT_TYPE.complete,
  'On Deployment Rollback': APPCONFIG_EVENT_TYPE.rolledBack,
  'On Deployment Rolled Back': APPCONFIG_EVENT_TYPE.rolledBack,
};

const DETAIL_TYPE_NAMES = Object.keys(APPCONFIG_DETAIL_TYPES) as [string, ...string[]];
const EVENT_TYPES = Object.values(APPCONFIG_EVENT_TYPE) as [AppConfigEventType, ...AppConfigEventType[]];

/** Whether the envelope is one of AppConfig's deployment events (`matches` of the kind's event sources). */
export function isAppConfigDeploymentEvent(raw: unknown, detailType?: string): boolean {
  if (!isRecord(raw) || raw['source'] !== APPCONFIG_EVENT_SOURCE) return false;
  const type = raw['detail-type'];
  return typeof type === 'string' && Object.hasOwn(APPCONFIG_DETAIL_TYPES, type)
    ? detailType === undefined || type === detailType
    : false;
}

const appConfigId = (what: string) =>
  v
    .string(`must be an AppConfig ${what} id`)
    .regex(APPCONFIG_API_ID_PATTERN, `must be an AppConfig ${what} id: 4-7 lower-case letters and digits`);

/** Names are not needed (the ids identify), only bounded when present. */
const named = (what: string) =>
  v.looseObject({
    Id: appConfigId(what),
    Name: v
      .string(`must be the ${what}'s name`)
      .max(LIMITS.identifierMax, `must be a name of at most ${LIMITS.identifierMax} characters`)
      .optional(),
  });

const eventSchema = v
  .looseObject({
    ...envelope,
    source: v.literal(APPCONFIG_EVENT_SOURCE),
    'detail-type': v.enumOf(DETAIL_TYPE_NAMES),
    detail: v.looseObject({
      Type: v.enumOf(EVENT_TYPES),
      Application: named('application'),
      Environment: named('environment'),
      ConfigurationProfile: named('configuration profile'),
      DeploymentNumber: v
        .number('must be the deployment number, a whole number >= 1')
        .int()
        .min(1, 'must be the deployment number, a whole number >= 1'),
      // AppConfig's own bound on configuration versions (StartDeployment's ConfigurationVersion).
      ConfigurationVersion: v
        .string('must be the configuration version string')
        .min(1, 'must be a non-empty configuration version')
        .max(1024, 'must be a configuration version of at most 1024 characters')
        .optional(),
    }),
  })
  .superRefine((e, ctx) => {
    const expected = APPCONFIG_DETAIL_TYPES[e['detail-type']];
    if (expected !== undefined && e.detail.Type !== expected) {
      ctx.addIssue({
        path: ['detail', 'Type'],
        message: `must be "${expected}" in an "${e['detail-type']}" event (got "${e.detail.Type}")`,
      });
    }
  });

/**
 * One AppConfig deployment event as the ledger sees it. Start, step and baking: the deployment is in progress.
 * Complete: it completed. Rolled back: AppConfig has put back the version served before it, which the live
 * view reports as the deployment's rollback (`rollbackIdOf`), completed; the deployment itself shows as
 * failed there. Deduplicated on the transition: the deployment (application, environment, number) and the
 * action point. A redelivery has the same key however late it arrives.
 */
export function parseAppConfigEvent(raw: unknown, options: ParseOptions = {}): Parsed<KindEvent> {
  if (!isRecord(raw)) {
    return { ok: false, reason: 'malformed', problems: ['$: must be a JSON object (an EventBridge event)'] };
  }
  const source = raw['source'];
  const detailType = raw['detail-type'];
  if (
    source !== undefined &&
    detailType !== undefined &&
    !(
      source === APPCONFIG_EVENT_SOURCE &&
      typeof detailType === 'string' &&
      DETAIL_TYPE_NAMES.includes(detailType)
    )
  ) {
    return {
      ok: false,
      reason: 'unsupported-detail-type',
      problems: capProblems([
        `$["detail-type"]: expected one of ${DETAIL_TYPE_NAMES.map((d) => `"${d}"`).join(', ')} from ${APPCONFIG_EVENT_SOURCE} (${describeValue(detailType)} from ${describeValue(source)})`,
      ]),
    };
  }
  const r = eventSchema.safeParse(raw);
  if (!r.success) return malformed(r.issues);
  const e = r.data;
  const future = fromTheFuture(options, [[['time'], e.time]]);
  if (future) return future;

  const d = e.detail;
  const n = d.DeploymentNumber;
  const rolledBack = d.Type === APPCONFIG_EVENT_TYPE.rolledBack;
  const version =
    d.ConfigurationVersion === undefined ? '' : ` (configuration version ${d.ConfigurationVersion})`;
  const event: DeploymentEvent = {
    deploymentId: rolledBack ? rollbackIdOf(n) : deploymentIdOf(n),
    phase: d.Type === APPCONFIG_EVENT_TYPE.complete || rolledBack ? 'completed' : 'in-progress',
    at: parseIsoTimestamp(e.time),
    rollingBack: rolledBack,
    reason: rolledBack
      ? `AppConfig rolled deployment ${n}${version} back`
      : `AppConfig ${d.Type} of deployment ${n}${version}`,
    key: `${d.Application.Id}/${d.Environment.Id}#${n}|${d.Type}`,
  };
  return {
    ok: true,
    value: {
      kind: 'deployment',
      identity: {
        application: d.Application.Id,
        environment: d.Environment.Id,
        configurationProfile: d.ConfigurationProfile.Id,
      },
      event,
    },
    envelope: { id: e.id, account: e.account, region: e.region },
  };
}
