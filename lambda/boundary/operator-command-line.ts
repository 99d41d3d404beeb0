import {
  MAX_PAUSE_MINUTES,
  OPERATOR_COMMANDS,
  type OperatorCommand,
  type OperatorRequest,
} from '../contract';

const MINUTE_MS = 60_000;
import { MAX_HISTORY_LIMIT, MAX_REASON_LENGTH, parseOperatorRequest } from '../boundary/operator-request';
import { parseArgs, type CommandSpec, type OptionSpec, type ParsedArgs } from './command-line';
import { DURATION_EXAMPLES, DURATION_HELP, parseDuration, parsePointInTime } from './duration';

/**
 * The operator command line (`pause checkout --for 30m --reason "db migration"`), parsed into an operator
 * request. It lives in lambda/boundary rather than lambda/cli because the simulator reads its timeline
 * `command` entries with this same grammar, and the simulator may not import the CLI (docs/architecture.md,
 * "Layers").
 */

/** The stack the CLI talks to when neither `--stack` nor `WATCHDOG_STACK_NAME` names one. */
export const DEFAULT_STACK_NAME = 'RollbackWatchdog';
/** How long `drill` waits for the decision by default. */
export const DEFAULT_DRILL_TIMEOUT_MS = 120_000;
/** The longest `drill --timeout`. */
export const MAX_DRILL_TIMEOUT_MS = 3_600_000;

const STACK_NAME =
  /^(?:[A-Za-z][A-Za-z0-9-]{0,127}|arn:[\w-]+:cloudformation:[\w-]+:\d{12}:stack\/[A-Za-z][A-Za-z0-9-]*\/[\w-]+)$/;
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d+$/;

const CONNECTION_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'stack',
    value: '<name>',
    description: `The watchdog's CloudFormation stack. Default: $WATCHDOG_STACK_NAME, else ${DEFAULT_STACK_NAME}.`,
  },
  {
    name: 'region',
    value: '<region>',
    description:
      "The stack's region. Default: AWS_REGION, then AWS_DEFAULT_REGION, then the profile's region.",
  },
  {
    name: 'profile',
    value: '<name>',
    description: 'The AWS profile to sign with. Default: AWS_PROFILE, else the default credential chain.',
  },
];

const jsonOption = (what: string): OptionSpec => ({ name: 'json', description: `Print ${what} as JSON.` });
const REASON_OPTION: OptionSpec = {
  name: 'reason',
  value: '<text>',
  required: true,
  description: `Why (required, at most ${MAX_REASON_LENGTH} characters); it goes into the audit and the notification.`,
};

const AUDIT_NOTE =
  'The request is signed with your AWS credentials (SigV4) and sent to the operator function of the stack; the audit records the IAM principal that signed it.';

/** The command-line interface of every operator command: arguments, options, help and examples. */
export const OPERATOR_SPECS: Readonly<Record<OperatorCommand, CommandSpec>> = {
  status: {
    name: 'status',
    summary: 'Show each target: versions, mode, pause, rollback in progress, last decision, cooldown.',
    description: [
      'One row per protected target: the version it runs, its newest known-good version, its mode, what the watchdog is doing about it (paused, rolling back, awaiting approval, verifying, pipeline frozen), its last decision and the cooldown left. Below the table, what needs a human and the command for it.',
    ],
    positionals: [
      { name: 'target', required: false, description: 'Only this target. Default: every target.' },
    ],
    options: [jsonOption('the status ({ watchdogPaused?, targets })'), ...CONNECTION_OPTIONS],
    examples: ['watchdog status', 'watchdog status checkout --json | jq .targets[0].knownGoodVersion'],
  },
  history: {
    name: 'history',
    summary: 'Show the audit log: decisions, rollback results, operator commands, rejected events.',
    description: [
      'In time order, oldest first, as the watchdog recorded them, with the IAM principal behind each operator command. Without --since, the last 24 hours; without --limit, the newest 50 entries.',
    ],
    positionals: [
      { name: 'target', required: false, description: "Only this target's entries. Default: every target." },
    ],
    options: [
      {
        name: 'since',
        value: '<when>',
        description: `Only entries from then on: how long ago (${DURATION_EXAMPLES}), or an ISO timestamp like 2026-03-01T10:00:00Z.`,
      },
      {
        name: 'limit',
        value: '<n>',
        description: `At most this many entries, the newest (1 to ${MAX_HISTORY_LIMIT}).`,
      },
      jsonOption('the entries'),
      ...CONNECTION_OPTIONS,
    ],
    examples: ['watchdog history checkout --since 2h', 'watchdog history --since 1d --json'],
  },
  pause: {
    name: 'pause',
    summary:
      'Stop automatic rollbacks of a target, or of every target, until `watchdog resume` or for a while.',
    description: [
      'While paused, every automatic action is held (alarm rollbacks and approval timeouts alike); alarms are still decided and recorded (as skip: paused), and each new incident is announced once. The pause itself is announced (kind paused), and so is its end (kind resumed). Operators can still approve and roll back by hand.',
      'With --for, the pause ends by itself: the sweep resumes the target within one sweep interval of the end and announces it.',
      AUDIT_NOTE,
    ],
    positionals: [
      {
        name: 'target',
        required: false,
        description: 'The target to pause. Without one, the whole watchdog.',
      },
    ],
    options: [
      REASON_OPTION,
      {
        name: 'for',
        value: '<duration>',
        description: `End the pause by itself after this long (${DURATION_EXAMPLES}; whole minutes, at most 30d). Default: until \`watchdog resume\`.`,
      },
      jsonOption('the result'),
      ...CONNECTION_OPTIONS,
    ],
    examples: [
      'watchdog pause checkout --reason "db migration" --for 2h',
      'watchdog pause --reason "game day"',
    ],
  },
  resume: {
    name: 'resume',
    summary: 'Resume a paused target (or the whole watchdog) and unfreeze its delivery pipeline.',
    description: [AUDIT_NOTE],
    positionals: [
      {
        name: 'target',
        required: false,
        description: 'The target to resume. Without one, the whole watchdog (the global pause).',
      },
    ],
    options: [jsonOption('the result'), ...CONNECTION_OPTIONS],
    examples: ['watchdog resume checkout', 'watchdog resume'],
  },
  approve: {
    name: 'approve',
    summary: 'Approve the rollback a target in approval mode is waiting for.',
    description: [
      'The watchdog rolls back to the version it proposed in its approval request (see `watchdog status`).',
      AUDIT_NOTE,
    ],
    positionals: [{ name: 'target', required: true, description: 'The target with a pending approval.' }],
    options: [jsonOption('the result'), ...CONNECTION_OPTIONS],
    examples: ['watchdog approve payments'],
  },
  rollback: {
    name: 'rollback',
    summary: 'Roll a target back now, to its newest known-good version or to --to.',
    description: [
      'The same claim, cooldown bookkeeping, verification and notifications as an automatic rollback. A version outside the known-good ledger is refused unless --force is given.',
      AUDIT_NOTE,
    ],
    positionals: [{ name: 'target', required: true, description: 'The target to roll back.' }],
    options: [
      {
        name: 'to',
        value: '<version>',
        description:
          'The version to roll back to (checkout:40, or a CodeDeploy revision). Default: the newest known-good version other than the current one.',
      },
      REASON_OPTION,
      { name: 'force', description: 'Allow a version outside the known-good ledger.' },
      jsonOption('the result'),
      ...CONNECTION_OPTIONS,
    ],
    examples: [
      'watchdog rollback checkout --reason "checkout:42 leaks connections"',
      'watchdog rollback checkout --to checkout:40 --reason "41 has the same bug" --force',
    ],
  },
  drill: {
    name: 'drill',
    summary: 'Rehearse: force a trigger alarm to ALARM and report what the watchdog decides, and how fast.',
    description: [
      'The watchdog records a drill and sets the alarm to ALARM (SetAlarmState); CloudWatch puts it back at its next evaluation. The decision is a dry run unless --live. The command waits for that decision and prints what the watchdog would have done (or did) and the time from alarm to decision; a `drill` notification goes out too.',
      AUDIT_NOTE,
    ],
    positionals: [{ name: 'target', required: true, description: 'The target to drill.' }],
    options: [
      { name: 'live', description: 'Act on the decision for real (roll back if that is the decision).' },
      {
        name: 'alarm',
        value: '<name>',
        description: "The trigger alarm to force. Default: the target's first alarm.",
      },
      {
        name: 'timeout',
        value: '<duration>',
        description: `How long to wait for the decision (${DURATION_HELP}). Default: ${DEFAULT_DRILL_TIMEOUT_MS / 1000}s.`,
      },
      jsonOption('{ drill, message, decision, alarmToDecisionMs }'),
      ...CONNECTION_OPTIONS,
    ],
    examples: ['watchdog drill checkout', 'watchdog drill checkout --alarm checkout-p99 --live'],
  },
  report: {
    name: 'report',
    summary:
      'Print one incident of a target: release, alarm, decisions, calls, recovery, and how long each took.',
    description: [
      'Read from the audit log: the release the alarm fired on (version, when, who deployed it when known), the first alarm (its data points and threshold), every decision and call with its reason, the rollback start and completion, the alarms back to OK, the verification, the deploy freeze and its resume; then time to detect (release → first ALARM), time to act (first ALARM → rollback decided) and time to recover (first ALARM → every trigger alarm OK again after the rollback). Routine skips (duplicates, superseded) are counted, not listed.',
      'Without --incident, the newest incident; the others are listed at the end. `watchdog history` shows the incident of each entry. A read command: the read-only operator URL serves it.',
    ],
    positionals: [{ name: 'target', required: true, description: 'The target whose incident to report.' }],
    options: [
      {
        name: 'incident',
        value: '<id>',
        description:
          'The incident: its id, or the id of any decision in it (history, notifications). Default: the newest.',
      },
      { name: 'markdown', description: 'Print the report as Markdown, for a post-incident review document.' },
      {
        name: 'html',
        value: '<file>',
        description:
          'Also write a self-contained HTML page to <file>: a timeline picture (versions serving, alarm states as bands, decisions and calls as marks) and the same facts.',
      },
      jsonOption('the report ({ report, incidents })'),
      ...CONNECTION_OPTIONS,
    ],
    examples: [
      'watchdog report checkout',
      'watchdog report checkout --incident 3f9c2a7d1b --markdown > review.md',
      'watchdog report checkout --html incident.html',
    ],
  },
};

/** A parsed operator command line: the request, and how to run it. */
export interface OperatorInvocation {
  readonly request: OperatorRequest;
  readonly json: boolean;
  /** `--stack`, `--region`, `--profile` as given; the caller supplies the defaults. */
  readonly stack: { readonly name?: string; readonly region?: string; readonly profile?: string };
  /** drill: how long to wait for the decision. */
  readonly timeoutMs: number;
  /** report: print Markdown instead of text, and/or write an HTML page to this file. */
  readonly report?: { readonly markdown: boolean; readonly html?: string };
}

export type OperatorArgsResult = ({ ok: true } & OperatorInvocation) | { ok: false; problems: string[] };

export interface OperatorArgsOptions {
  /**
   * The reason for pause and rollback when `--reason` is absent. The CLI requires `--reason`; the simulator
   * runs timeline commands like `["pause", "checkout"]` with e.g. "simulated operator".
   */
  readonly defaultReason?: string;
  /** Epoch milliseconds that `--since 2h` counts back from. @default Date.now() */
  readonly now?: () => number;
}

/** Request fields by the argument that sets them, to name problems the way the user typed them. */
const ARGUMENT_OF_FIELD: Readonly<Record<string, string>> = {
  target: '<target>',
  reason: '--reason',
  to: '--to',
  force: '--force',
  live: '--live',
  alarm: '--alarm',
  sinceMs: '--since',
  limit: '--limit',
  incident: '--incident',
};

function asArgumentProblem(problem: string): string {
  const m = /^\$\.(\w+): ([\s\S]*)$/.exec(problem);
  const argument = m?.[1] === undefined ? undefined : ARGUMENT_OF_FIELD[m[1]];
  return argument === undefined || m?.[2] === undefined ? problem : `${argument}: ${m[2]}`;
}

/**
 * Turns a parsed command line into an operator request. Every problem is reported at once, each naming the
 * argument (`--reason: ...`, `<target>: ...`); the request itself is checked by the same parser the operator
 * function uses.
 */
export function operatorInvocationFromArgs(
  command: OperatorCommand,
  args: ParsedArgs,
  options: OperatorArgsOptions = {},
): OperatorArgsResult {
  const problems: string[] = [];
  /** Request fields whose problem is already reported in command-line terms. */
  const reported = new Set<string>();
  const value = (name: string): string | undefined => {
    const v = args.options[name];
    return typeof v === 'string' ? v : undefined;
  };
  const target = args.positionals[0];
  const reason = value('reason') ?? options.defaultReason;
  const fields: Record<string, unknown> = { command };
  if (target !== undefined) fields.target = target;

  switch (command) {
    case 'status':
    case 'resume':
    case 'approve':
      break;
    case 'history': {
      const since = value('since');
      if (since !== undefined) {
        const sinceMs = parsePointInTime(since, (options.now ?? Date.now)());
        if (sinceMs === undefined)
          problems.push(
            `--since: must be how long ago (${DURATION_EXAMPLES}) or an ISO timestamp with a zone like 2026-03-01T10:00:00Z (got ${JSON.stringify(since)})`,
          );
        else fields.sinceMs = Math.max(0, sinceMs);
      }
      const limit = value('limit');
      if (limit !== undefined) {
        if (/^\d+$/.test(limit)) fields.limit = Number(limit);
        else
          problems.push(
            `--limit: must be a whole number from 1 to ${MAX_HISTORY_LIMIT} (got ${JSON.stringify(limit)})`,
          );
      }
      break;
    }
    case 'pause': {
      if (reason === undefined) {
        problems.push('--reason is required: say why, e.g. --reason "db migration"');
        reported.add('reason');
      } else fields.reason = reason;
      const duration = value('for');
      if (duration !== undefined) {
        const ms = parseDuration(duration);
        if (ms === undefined || ms < MINUTE_MS || ms % MINUTE_MS !== 0 || ms > MAX_PAUSE_MINUTES * MINUTE_MS)
          problems.push(
            `--for: must be ${DURATION_HELP} in whole minutes, from 1m to 30d (got ${JSON.stringify(duration)})`,
          );
        else fields.forMinutes = ms / MINUTE_MS;
        reported.add('forMinutes');
      }
      break;
    }
    case 'rollback':
      if (value('to') !== undefined) fields.to = value('to');
      if (reason === undefined) {
        problems.push('--reason is required: say why, e.g. --reason "checkout:42 leaks connections"');
        reported.add('reason');
      } else fields.reason = reason;
      if (args.options.force === true) fields.force = true;
      break;
    case 'report':
      if (value('incident') !== undefined) fields.incident = value('incident');
      break;
    case 'drill':
      if (args.options.live === true) fields.live = true;
      if (value('alarm') !== undefined) fields.alarm = value('alarm');
      break;
  }

  let timeoutMs = DEFAULT_DRILL_TIMEOUT_MS;
  const timeout = value('timeout');
  if (timeout !== undefined) {
    const ms = parseDuration(timeout);
    if (ms === undefined || ms < 1_000 || ms > MAX_DRILL_TIMEOUT_MS)
      problems.push(`--timeout: must be ${DURATION_HELP}, from 1s to 1h (got ${JSON.stringify(timeout)})`);
    else timeoutMs = ms;
  }
  const stackName = value('stack');
  if (stackName !== undefined && !STACK_NAME.test(stackName))
    problems.push(
      `--stack: must be a CloudFormation stack name (a letter, then letters, digits and "-", at most 128) or a stack ARN (got ${JSON.stringify(stackName)})`,
    );
  const region = value('region');
  if (region !== undefined && !REGION.test(region))
    problems.push(`--region: must be an AWS region like us-east-1 (got ${JSON.stringify(region)})`);
  const profile = value('profile');
  if (profile !== undefined && profile.trim() === '')
    problems.push('--profile: must be a profile name (got "")');

  // The request's own problems first: they concern the arguments the user typed first.
  const parsed = parseOperatorRequest(fields);
  if (!parsed.ok)
    problems.unshift(
      ...parsed.problems
        .filter((p) => ![...reported].some((field) => p.startsWith(`$.${field}:`)))
        .map(asArgumentProblem),
    );
  const html = value('html');
  if (html !== undefined && html.trim() === '') problems.push('--html: must be a file name (got "")');
  if (args.options.markdown === true && args.options.json === true)
    problems.push('--markdown and --json: give one of them (both print the report on stdout)');
  if (!parsed.ok || problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    ...(command === 'report'
      ? { report: { markdown: args.options.markdown === true, ...(html !== undefined ? { html } : {}) } }
      : {}),
    request: parsed.request,
    json: args.options.json === true,
    stack: {
      ...(stackName !== undefined ? { name: stackName } : {}),
      ...(region !== undefined ? { region } : {}),
      ...(profile !== undefined ? { profile } : {}),
    },
    timeoutMs,
  };
}

/**
 * Parses an operator command line (`["pause", "checkout", "--reason", "db migration"]` without the command
 * name: `argv` is what follows it) into an operator request. The simulator runs timeline `command` entries
 * through this, so they mean exactly what they mean at the terminal.
 */
export function parseOperatorArgs(
  command: OperatorCommand,
  argv: readonly string[],
  options: OperatorArgsOptions = {},
): OperatorArgsResult {
  const parsed = parseArgs(argv, OPERATOR_SPECS[command]);
  if (!parsed.ok) return { ok: false, problems: [parsed.problem] };
  if (parsed.args.help) return { ok: false, problems: ['--help is not a request'] };
  return operatorInvocationFromArgs(command, parsed.args, options);
}

/**
 * Parses a whole operator command line, command name first (`["approve", "payments"]`), as a scenario's
 * timeline `command` entry carries it.
 */
export function parseOperatorCommandLine(
  argv: readonly string[],
  options: OperatorArgsOptions = {},
): OperatorArgsResult {
  const [name, ...rest] = argv;
  const command = OPERATOR_COMMANDS.find((c) => c === name);
  if (command === undefined)
    return {
      ok: false,
      problems: [
        `unknown operator command ${JSON.stringify(name ?? '')}; expected one of ${OPERATOR_COMMANDS.join(', ')}`,
      ],
    };
  return parseOperatorArgs(command, rest, options);
}
