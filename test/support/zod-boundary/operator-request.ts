/**
 * ORACLE, test only: lambda/boundary/operator-request.ts as it was with zod (commit 511f49f), before the runtime parsers moved
 * to lambda/boundary/lean-schema.ts. test/unit/boundary/lean-schema.test.ts checks that both give the same
 * results and messages. Nothing under lambda/ may import this.
 */
import { z } from 'zod';
import {
  LIMITS,
  MAX_PAUSE_MINUTES,
  OPERATOR_COMMANDS,
  TARGET_ID_PATTERN,
  type OperatorCommand,
  type OperatorRequest,
} from '../../../lambda/contract';
import { describeValue, isRecord, jsonPath, nestsDeeperThan } from '../../../lambda/boundary/json-path';

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

const INCIDENT_HELP =
  'must be an incident or decision id as `watchdog history` shows it (letters, digits and ":._-", at most 200)';
const FOR_HELP = `must be a whole number of minutes from 1 to ${MAX_PAUSE_MINUTES} (30 days)`;
const TARGET_HELP = 'must be a target id: lowercase letters, digits and "-" only ([a-z0-9-]+)';
const REASON_HELP = `must be a non-empty reason of at most ${MAX_REASON_LENGTH} characters (it goes into the audit and the notification)`;
const SINCE_HELP = `must be a time in epoch milliseconds (a whole number from 0 to ${LIMITS.maxDateMs}, the latest a date can be)`;
const LIMIT_HELP = `must be a whole number from 1 to ${MAX_HISTORY_LIMIT}`;
const VERSION_HELP = `must be a non-empty version (task definition "family:revision" or a CodeDeploy revision) of at most ${MAX_VERSION_LENGTH} characters`;
const ALARM_HELP = `must be a CloudWatch alarm name of 1 to ${MAX_ALARM_NAME_LENGTH} characters`;

const target = z.string({ error: TARGET_HELP }).regex(TARGET_ID_PATTERN, { error: TARGET_HELP });
const reason = z
  .string({ error: REASON_HELP })
  .max(MAX_REASON_LENGTH, { error: REASON_HELP })
  .refine((s) => s.trim().length > 0, { error: REASON_HELP });
const flag = (what: string) => z.boolean({ error: `must be true or false (${what})` });

const SCHEMAS = {
  status: z.strictObject({ command: z.literal('status'), target: target.optional() }),
  history: z.strictObject({
    command: z.literal('history'),
    target: target.optional(),
    sinceMs: z
      .number({ error: SINCE_HELP })
      .int({ error: SINCE_HELP })
      .min(0, { error: SINCE_HELP })
      .max(LIMITS.maxDateMs, { error: SINCE_HELP })
      .optional(),
    limit: z
      .number({ error: LIMIT_HELP })
      .int({ error: LIMIT_HELP })
      .min(1, { error: LIMIT_HELP })
      .max(MAX_HISTORY_LIMIT, { error: LIMIT_HELP })
      .optional(),
  }),
  pause: z.strictObject({
    command: z.literal('pause'),
    target: target.optional(),
    reason,
    forMinutes: z
      .number({ error: FOR_HELP })
      .int({ error: FOR_HELP })
      .min(1, { error: FOR_HELP })
      .max(MAX_PAUSE_MINUTES, { error: FOR_HELP })
      .optional(),
  }),
  resume: z.strictObject({ command: z.literal('resume'), target: target.optional() }),
  approve: z.strictObject({
    command: z.literal('approve'),
    target,
    decision: z
      .string({ error: INCIDENT_HELP })
      .regex(/^[A-Za-z0-9:._-]{1,200}$/, { error: INCIDENT_HELP })
      .optional(),
  }),
  rollback: z.strictObject({
    command: z.literal('rollback'),
    target,
    to: z
      .string({ error: VERSION_HELP })
      .min(1, { error: VERSION_HELP })
      .max(MAX_VERSION_LENGTH, { error: VERSION_HELP })
      .optional(),
    reason,
    force: flag('allow a version outside the known-good ledger').optional(),
  }),
  drill: z.strictObject({
    command: z.literal('drill'),
    target,
    live: flag('act for real instead of a dry run').optional(),
    alarm: z
      .string({ error: ALARM_HELP })
      .min(1, { error: ALARM_HELP })
      .max(MAX_ALARM_NAME_LENGTH, { error: ALARM_HELP })
      .optional(),
  }),
  report: z.strictObject({
    command: z.literal('report'),
    target,
    incident: z
      .string({ error: INCIDENT_HELP })
      .regex(/^[A-Za-z0-9:._-]{1,200}$/, { error: INCIDENT_HELP })
      .optional(),
  }),
} satisfies Record<OperatorCommand, z.ZodType<OperatorRequest>>;

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
  const problems = result.error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map(
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
