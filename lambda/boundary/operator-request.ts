import {
  LIMITS,
  MAX_PAUSE_MINUTES,
  OPERATOR_COMMANDS,
  TARGET_ID_PATTERN,
  type OperatorCommand,
  type OperatorRequest,
} from '../contract';
import { describeValue, isRecord, jsonPath, nestsDeeperThan } from './json-path';
import * as v from './lean-schema';

/**
 * Boundary parsing of operator requests (the body the `watchdog` CLI posts to the operator function, and the
 * requests the simulator runs). Strict: an unknown key is an error, so a self-reported `by` or `principal`
 * never passes silently (the audit takes the caller from IAM). Every problem is reported at once, by JSON path.
 */

/** Longest reason a pause or manual rollback may carry: enough to explain, short enough for a notification. */
export const MAX_REASON_LENGTH = 500;
/** Most history items one request may ask for. */
export const MAX_HISTORY_LIMIT = 1000;
/** Longest version string accepted for `rollback --to` (ECS task definitions and CodeDeploy revisions). */
export const MAX_VERSION_LENGTH = 1024;
/** CloudWatch alarm names are at most 255 characters. */
export const MAX_ALARM_NAME_LENGTH = 255;

export type OperatorRequestParseResult =
  { ok: true; request: OperatorRequest } | { ok: false; problems: string[] };

const quoted = (values: readonly string[]): string => values.map((v) => JSON.stringify(v)).join(', ');

const FOR_HELP = `must be a whole number of minutes from 1 to ${MAX_PAUSE_MINUTES} (30 days)`;
const TARGET_HELP = 'must be a target id: lowercase letters, digits and "-" only ([a-z0-9-]+)';
const REASON_HELP = `must be a non-empty reason of at most ${MAX_REASON_LENGTH} characters (it goes into the audit and the notification)`;
const SINCE_HELP = `must be a time in epoch milliseconds (a whole number from 0 to ${LIMITS.maxDateMs}, the latest a date can be)`;
const LIMIT_HELP = `must be a whole number from 1 to ${MAX_HISTORY_LIMIT}`;
const VERSION_HELP = `must be a non-empty version (task definition "family:revision" or a CodeDeploy revision) of at most ${MAX_VERSION_LENGTH} characters`;
/** Incident and decision ids: hex and dashes as the watchdog makes them, with room for a group's prefix. */
const INCIDENT_PATTERN = /^[A-Za-z0-9:._-]{1,200}$/;
const INCIDENT_HELP =
  'must be an incident or decision id as `watchdog history` shows it (letters, digits and ":._-", at most 200)';
const ALARM_HELP = `must be a CloudWatch alarm name of 1 to ${MAX_ALARM_NAME_LENGTH} characters`;

const target = v.string(TARGET_HELP).regex(TARGET_ID_PATTERN, TARGET_HELP);
const reason = v
  .string(REASON_HELP)
  .max(MAX_REASON_LENGTH, REASON_HELP)
  .refine((s) => s.trim().length > 0, REASON_HELP);
const flag = (what: string) => v.boolean(`must be true or false (${what})`);
/** A whole number from `min` to `max`; every problem with it gets `help`. */
const wholeNumber = (min: number, max: number, help: string) =>
  v.number(help).int(help).min(min, help).max(max, help);

const SCHEMAS = {
  status: v.strictObject({ command: v.literal('status'), target: target.optional() }),
  history: v.strictObject({
    command: v.literal('history'),
    target: target.optional(),
    sinceMs: wholeNumber(0, LIMITS.maxDateMs, SINCE_HELP).optional(),
    limit: wholeNumber(1, MAX_HISTORY_LIMIT, LIMIT_HELP).optional(),
  }),
  pause: v.strictObject({
    command: v.literal('pause'),
    target: target.optional(),
    reason,
    forMinutes: wholeNumber(1, MAX_PAUSE_MINUTES, FOR_HELP).optional(),
  }),
  resume: v.strictObject({ command: v.literal('resume'), target: target.optional() }),
  approve: v.strictObject({
    command: v.literal('approve'),
    target,
    decision: v.string(INCIDENT_HELP).regex(INCIDENT_PATTERN, INCIDENT_HELP).optional(),
  }),
  rollback: v.strictObject({
    command: v.literal('rollback'),
    target,
    to: v.string(VERSION_HELP).min(1, VERSION_HELP).max(MAX_VERSION_LENGTH, VERSION_HELP).optional(),
    reason,
    force: flag('allow a version outside the known-good ledger').optional(),
  }),
  drill: v.strictObject({
    command: v.literal('drill'),
    target,
    live: flag('act for real instead of a dry run').optional(),
    alarm: v.string(ALARM_HELP).min(1, ALARM_HELP).max(MAX_ALARM_NAME_LENGTH, ALARM_HELP).optional(),
  }),
  report: v.strictObject({
    command: v.literal('report'),
    target,
    incident: v.string(INCIDENT_HELP).regex(INCIDENT_PATTERN, INCIDENT_HELP).optional(),
  }),
} satisfies Record<OperatorCommand, v.Schema<OperatorRequest>>;

function isCommand(value: unknown): value is OperatorCommand {
  return typeof value === 'string' && (OPERATOR_COMMANDS as readonly string[]).includes(value);
}

/**
 * Validates an operator request. Never throws: every problem is returned as
 * `$.field: what is wrong and what would be valid (got value)`.
 */
export function parseOperatorRequest(input: unknown): OperatorRequestParseResult {
  if (!isRecord(input)) {
    return {
      ok: false,
      problems: [
        `$: must be a JSON object with a "command" (one of ${quoted(OPERATOR_COMMANDS)}) (${describeValue(input)})`,
      ],
    };
  }
  if (nestsDeeperThan(input, LIMITS.operatorDepthMax)) {
    return {
      ok: false,
      problems: [
        `$: nests objects or arrays more than ${LIMITS.operatorDepthMax} levels deep; an operator request is a flat object of strings, numbers and booleans`,
      ],
    };
  }
  const command = input.command;
  if (!isCommand(command)) {
    return {
      ok: false,
      problems: [
        `${jsonPath(['command'])}: must be one of ${quoted(OPERATOR_COMMANDS)} (${describeValue(command)})`,
      ],
    };
  }
  const schema = SCHEMAS[command];
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, request: result.data };
  const problems = result.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return (issue.keys ?? []).map(
        (key) =>
          `${jsonPath([...issue.path, key])}: unknown key; valid keys for "${command}" are ${quoted(Object.keys(schema.shape))}`,
      );
    }
    const field = issue.path[0];
    const value = typeof field === 'string' ? input[field] : undefined;
    return [`${jsonPath(issue.path)}: ${issue.message} (${describeValue(value)})`];
  });
  return { ok: false, problems };
}
