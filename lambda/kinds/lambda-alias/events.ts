import { DETAIL_TYPE } from '../../contract';
import {
  checkKind,
  envelope,
  identifier,
  malformed,
  parseIsoTimestamp,
  timestamp,
  type ParseOptions,
  type Parsed,
} from '../../boundary/events';
import { callFromTheFuture, callerOf, userIdentity } from '../../boundary/cloudtrail-events';
import { isRecord } from '../../boundary/json-path';
import * as v from '../../boundary/lean-schema';
import type { KindEvent, KindEventSource } from '../kind';
import { ALIAS_NAME, deploymentId, parseFunctionRef, PUBLISHED_VERSION } from './names';

/**
 * Boundary parsing of the CloudTrail records of the calls that move a Lambda alias (`AWS API Call via
 * CloudTrail`, source `aws.lambda`, eventSource `lambda.amazonaws.com`). Lambda emits no deployment events of
 * its own: with a trail, the record of the UpdateAlias is the deployment, and it names who made it. As for
 * every event, nothing is coerced, extra fields are tolerated and every problem is named by JSON path.
 */

export const LAMBDA_EVENT_SOURCE = 'aws.lambda';
export const LAMBDA_CLOUDTRAIL_SOURCE = 'lambda.amazonaws.com';

/**
 * CloudTrail names Lambda's calls after the API version they were made with (`UpdateAlias20150331`, as in
 * CloudTrail's list of Lambda events). CreateAlias is the first deployment of an alias (one deleted and created
 * again included).
 */
export const ALIAS_CALLS = ['UpdateAlias20150331', 'CreateAlias20150331'] as const;

/** CloudTrail renders request and response fields with a lower-case first letter. */
const weights = v.record(
  v
    .number('must be a weight from 0.0 to 1.0')
    .min(0, 'must be a weight from 0.0 to 1.0')
    .max(1, 'must be a weight from 0.0 to 1.0'),
);
const routingConfig = v.looseObject({ additionalVersionWeights: weights.nullish() }).nullish();
const version = v
  .string()
  .min(1, 'must be a function version ("7" or "$LATEST")')
  .max(32, 'must be a function version ("7" or "$LATEST")')
  .refine(
    (s) => s === '$LATEST' || PUBLISHED_VERSION.test(s),
    'must be a function version ("7" or "$LATEST")',
  );

const kind = {
  ...envelope,
  source: v.literal(LAMBDA_EVENT_SOURCE),
  'detail-type': v.literal(DETAIL_TYPE.cloudTrailApiCall),
};
const callDetail = {
  eventID: identifier('CloudTrail event id'),
  eventSource: v.literal(LAMBDA_CLOUDTRAIL_SOURCE),
  eventName: v.enumOf(ALIAS_CALLS),
  eventTime: timestamp,
};

/** A failed call: CloudTrail records it with `errorCode`; nothing more of it is read. */
const failedCallSchema = v.looseObject({
  ...kind,
  detail: v.looseObject({ ...callDetail, errorCode: identifier('CloudTrail error code') }),
});

const aliasCallSchema = v.looseObject({
  ...kind,
  detail: v.looseObject({
    ...callDetail,
    userIdentity,
    requestParameters: v.looseObject({
      functionName: v
        .string()
        .max(256, 'must be a function name or ARN of at most 256 characters')
        .refine(
          (ref) => parseFunctionRef(ref) !== undefined,
          'must be a function name, ARN or partial ARN (my-function, arn:aws:lambda:<region>:<account>:function:my-function)',
        ),
      name: v
        .string()
        .regex(ALIAS_NAME, 'must be an alias name: 1-128 letters, digits, "-" or "_", not all digits'),
      functionVersion: version.optional(),
      routingConfig,
    }),
    // The alias as the call answered it. Optional: the watchdog falls back on the request when it is absent.
    responseElements: v
      .looseObject({
        functionVersion: version.optional(),
        revisionId: identifier('alias revision id').optional(),
        routingConfig,
      })
      .nullish(),
  }),
});

type AliasCall = v.Infer<typeof aliasCallSchema>;

/** `AWS API Call via CloudTrail` from `aws.lambda`: the envelope only, as KindEventSource.matches asks. */
export function isLambdaCloudTrailEvent(raw: unknown): boolean {
  if (!isRecord(raw) || raw['source'] !== LAMBDA_EVENT_SOURCE) return false;
  if (raw['detail-type'] !== DETAIL_TYPE.cloudTrailApiCall) return false;
  const detail = raw['detail'];
  return isRecord(detail) && detail['eventSource'] === LAMBDA_CLOUDTRAIL_SOURCE;
}

/**
 * The record of an UpdateAlias or CreateAlias: a deployment of the alias it names (identity `functionName`,
 * `alias`). The phase is the alias's routing after the call: in progress while it routes weights to a second
 * version (the deployment is of that version), completed when it routes everything to one version. A call that
 * failed, only changed the description, or pointed the alias at `$LATEST` deployed nothing the watchdog tracks.
 */
export function parseAliasCallEvent(raw: unknown, options: ParseOptions = {}): Parsed<KindEvent> {
  const mismatch = checkKind(raw, LAMBDA_EVENT_SOURCE, DETAIL_TYPE.cloudTrailApiCall);
  if (mismatch) return mismatch;
  const detail = isRecord(raw) ? raw['detail'] : undefined;
  if (isRecord(detail) && detail['errorCode'] !== undefined) return parseFailedCall(raw, options);
  const r = aliasCallSchema.safeParse(raw);
  if (!r.success) return malformed(r.issues);
  const e = r.data;
  const future = callFromTheFuture(options, e);
  if (future) return future;
  const envelopeOf = { id: e.id, account: e.account, region: e.region };
  const ok = (value: KindEvent): Parsed<KindEvent> => ({ ok: true, value, envelope: envelopeOf });
  const d = e.detail;
  const request = d.requestParameters;
  const fn = parseFunctionRef(request.functionName);
  if (!fn) {
    return {
      ok: false,
      reason: 'malformed',
      problems: ['$.detail.requestParameters.functionName: must be a function name, ARN or partial ARN'],
    };
  }
  const fields = { eventName: d.eventName, eventID: d.eventID, functionName: fn.name, alias: request.name };
  if (
    (fn.account !== undefined && fn.account !== e.account) ||
    (fn.region !== undefined && fn.region !== e.region)
  ) {
    return ok({
      kind: 'ignored',
      level: 'info',
      message: `${d.eventName} names a function of another account or region (${request.functionName})`,
      fields,
    });
  }
  const routing = routingAfter(d);
  if (routing === undefined) {
    return ok({
      kind: 'ignored',
      level: 'debug',
      message: `${d.eventName} changed neither the version nor the routing of the alias`,
      fields,
    });
  }
  const target = routing.shifting ?? routing.primary;
  if (target === undefined) {
    // Weights cleared without a version and without the response: the record cannot say which version
    // serves now; the sweep's next read of the alias does.
    return ok({
      kind: 'ignored',
      level: 'info',
      message: `${d.eventName} cleared the routing weights without naming the version the alias invokes`,
      fields,
    });
  }
  if (target === '$LATEST' || routing.primary === '$LATEST') {
    return ok({
      kind: 'ignored',
      level: 'info',
      message: `${d.eventName} pointed the alias at $LATEST, which is no published version`,
      fields,
    });
  }
  const revisionId = d.responseElements?.revisionId;
  const at = parseIsoTimestamp(d.eventTime);
  const id =
    revisionId !== undefined ? deploymentId(target, revisionId) : `${target}@cloudtrail:${d.eventID}`;
  const by = callerOf(d.userIdentity);
  // Without the RevisionId the record cannot name the deployment as the deployer does: the principal is
  // matched to the ledger by version alone then, and the next read of the alias names the deployment.
  const principalOf = revisionId !== undefined ? { deploymentId: id } : {};
  return ok({
    kind: 'deployment',
    identity: { functionName: fn.name, alias: request.name },
    event: {
      deploymentId: id,
      phase: routing.shifting !== undefined ? 'in-progress' : 'completed',
      at,
      rollingBack: false,
      reason: routingReason(d.eventName, request.name, routing),
      // The record, not the envelope: a redelivery has the same eventID.
      key: d.eventID,
    },
    principal: {
      key: `cloudtrail|${d.eventID}`,
      principal: { ...principalOf, version: target, by, at },
    },
  });
}

interface Routing {
  /** The version the alias invokes (FunctionVersion); undefined when only the weights were given. */
  readonly primary: string | undefined;
  /** The second version traffic is being shifted to, with its weight. */
  readonly shifting?: string;
  readonly weight?: number;
}

/**
 * The alias's routing after the call: as Lambda answered it when the record carries the response, else as
 * the request asked (a request that names no routing is read as routing everything to its version). Undefined
 * when the call named neither a version nor weights: it changed only the description.
 */
function routingAfter(d: AliasCall['detail']): Routing | undefined {
  const request = d.requestParameters;
  if (request.functionVersion === undefined && (request.routingConfig ?? undefined) === undefined) {
    return undefined;
  }
  const response = d.responseElements ?? undefined;
  const source =
    response?.functionVersion !== undefined
      ? { functionVersion: response.functionVersion, routingConfig: response.routingConfig }
      : request;
  const weighted = Object.entries(source.routingConfig?.additionalVersionWeights ?? {});
  const primary = source.functionVersion;
  const [first] = weighted;
  return first === undefined ? { primary } : { primary, shifting: first[0], weight: first[1] };
}

function routingReason(eventName: string, alias: string, routing: Routing): string {
  if (routing.shifting === undefined)
    return `${eventName}: alias ${alias} routes everything to version ${routing.primary ?? '?'}`;
  const percent = Math.round((routing.weight ?? 0) * 1000) / 10;
  return `${eventName}: alias ${alias} routes ${percent}% to version ${routing.shifting}${routing.primary !== undefined ? `, the rest to version ${routing.primary}` : ''}`;
}

function parseFailedCall(raw: unknown, options: ParseOptions): Parsed<KindEvent> {
  const r = failedCallSchema.safeParse(raw);
  if (!r.success) return malformed(r.issues);
  const e = r.data;
  const future = callFromTheFuture(options, e);
  if (future) return future;
  return {
    ok: true,
    value: {
      kind: 'ignored',
      level: 'info',
      message: `${e.detail.eventName} failed (${e.detail.errorCode}): it moved no alias`,
      fields: { eventName: e.detail.eventName, eventID: e.detail.eventID, errorCode: e.detail.errorCode },
    },
    envelope: { id: e.id, account: e.account, region: e.region },
  };
}

/** The Lambda alias calls as one event source of the kind. */
export const lambdaAliasCalls: KindEventSource = {
  source: LAMBDA_EVENT_SOURCE,
  detailType: DETAIL_TYPE.cloudTrailApiCall,
  cloudTrail: { eventSource: LAMBDA_CLOUDTRAIL_SOURCE, eventNames: ALIAS_CALLS },
  matches: isLambdaCloudTrailEvent,
  parse: (raw, { now }) => parseAliasCallEvent(raw, { now }),
};
