import {
  ENV,
  OperatorTransportError,
  regionFromEnvironment,
  type OperatorCommand,
  type OperatorError,
  type OperatorRequest,
  type OperatorResponse,
  type OperatorTransportErrorKind,
  type StackLocation,
} from '../contract';
import { usageLine } from '../boundary/command-line';
import type { Command } from './command';
import { EXIT, type CliIo } from './io';
import {
  DEFAULT_STACK_NAME,
  OPERATOR_SPECS,
  operatorInvocationFromArgs,
  type OperatorInvocation,
} from '../boundary/operator-command-line';
import type { OperatorEnvironment } from './operator-client';
import { awsOperatorEnvironment } from './operator-environment';
import { createSpinner, type Spinner } from './spinner';

/** The request type of one operator command. */
export type RequestOf<C extends OperatorCommand> = Extract<OperatorRequest, { readonly command: C }>;

/** What an operator command's body works with: its parsed invocation, a connected client, the terminal. */
export interface OperatorSession<C extends OperatorCommand = OperatorCommand> {
  readonly io: CliIo;
  readonly invocation: OperatorInvocation & { readonly request: RequestOf<C> };
  readonly environment: OperatorEnvironment;
  readonly location: StackLocation;
  readonly spinner: Spinner;
  /**
   * Sends `request`; the spinner says `waiting` until the next output. Transport failures throw
   * `OperatorTransportError`.
   */
  send(request: OperatorRequest, waiting: string): Promise<OperatorResponse>;
  /** Reports an operator error (stderr, and stdout with --json) and returns its exit code. */
  fail(error: OperatorError): number;
  /** Writes data: the result as JSON with --json, else `human()`. */
  print(json: unknown, human: () => string): void;
}

/** Exit code for each operator error code (1 refused, 2 invalid input, 3 unavailable). */
export const EXIT_FOR_OPERATOR_ERROR: Readonly<Record<OperatorError['code'], number>> = {
  'invalid-request': EXIT.invalidInput,
  'unknown-target': EXIT.invalidInput,
  'not-found': EXIT.refused,
  refused: EXIT.refused,
  unavailable: EXIT.unavailable,
};

/** Exit code for each transport failure: the local setup (2) or the other side (3). */
export const EXIT_FOR_TRANSPORT_ERROR: Readonly<Record<OperatorTransportErrorKind, number>> = {
  'no-credentials': EXIT.invalidInput,
  'no-region': EXIT.invalidInput,
  'unknown-profile': EXIT.invalidInput,
  'stack-not-found': EXIT.invalidInput,
  'not-a-watchdog-stack': EXIT.invalidInput,
  forbidden: EXIT.invalidInput,
  throttled: EXIT.unavailable,
  unreachable: EXIT.unavailable,
  'bad-response': EXIT.unavailable,
  aws: EXIT.unavailable,
};

/** The "Exit codes" section of every operator command's help. */
export const OPERATOR_EXIT_CODES: readonly string[] = [
  '0  done',
  '1  the watchdog refused the command (e.g. a version outside the known-good ledger without --force), or found nothing to act on',
  '2  invalid arguments or an unknown target; no AWS credentials or region; the stack is missing; or IAM denied the call',
  '3  the operator function could not be reached or failed, or (drill) no decision came in time',
];

/** A hint after an operator error, when there is an obvious next step. */
function hintFor(request: OperatorRequest, error: OperatorError): string | undefined {
  if (error.code === 'unknown-target') return 'Run `watchdog status` to list the targets.';
  if (
    error.code === 'refused' &&
    request.command === 'rollback' &&
    request.to !== undefined &&
    !request.force
  )
    return `If ${request.to} is outside the known-good ledger and you are sure, add --force.`;
  if (error.code === 'unavailable')
    return 'Try again in a moment; if it persists, check the operator function logs.';
  return undefined;
}

/**
 * An operator command: parses its arguments into a request, finds the stack, then runs `body` with a connected
 * client. Problems, transport failures and operator errors all end as a message on stderr and an exit code.
 */
export function operatorCommand<C extends OperatorCommand>(
  name: C,
  body: (session: OperatorSession<C>) => Promise<number>,
): Command {
  const spec = OPERATOR_SPECS[name];
  return {
    spec,
    exitCodes: OPERATOR_EXIT_CODES,
    async run(args, io) {
      const environment = io.operator ?? awsOperatorEnvironment();
      const parsed = operatorInvocationFromArgs(name, args, { now: () => environment.now() });
      if (!parsed.ok) {
        const [first] = parsed.problems;
        io.stderr.write(
          parsed.problems.length === 1 && first !== undefined
            ? `watchdog ${name}: ${first}\n`
            : `watchdog ${name}: ${parsed.problems.length} problems:\n${parsed.problems.map((p) => `  - ${p}\n`).join('')}`,
        );
        io.stderr.write(`Usage: ${usageLine(spec)}\nRun \`watchdog ${name} --help\` for details.\n`);
        return EXIT.invalidInput;
      }
      // The request was parsed for this command, so its `command` is `name`.
      const { ok: _ok, ...rest } = parsed;
      const invocation = rest as OperatorInvocation & { readonly request: RequestOf<C> };
      // The AWS CLI's order; the SDK reads AWS_REGION only, and the profile's region when given none.
      const region = invocation.stack.region ?? regionFromEnvironment(io.env);
      const location: StackLocation = {
        stackName: invocation.stack.name ?? nonEmpty(io.env[ENV.stackName]) ?? DEFAULT_STACK_NAME,
        ...(region !== undefined ? { region } : {}),
        ...(invocation.stack.profile !== undefined ? { profile: invocation.stack.profile } : {}),
      };
      const spinner = createSpinner(io.stderr, io.stderr.isTTY === true && !invocation.json);
      try {
        spinner.update(`finding the watchdog stack ${location.stackName}…`);
        const client = await environment.connect(location);
        const session: OperatorSession<C> = {
          io,
          invocation,
          environment,
          location,
          spinner,
          send(request, waiting) {
            spinner.update(waiting);
            return client.send(request);
          },
          fail(error) {
            spinner.stop();
            if (invocation.json) io.stdout.write(`${JSON.stringify({ error }, null, 2)}\n`);
            const hint = hintFor(invocation.request, error);
            io.stderr.write(`watchdog ${name}: ${error.message} (${error.code})\n${hint ? `${hint}\n` : ''}`);
            return EXIT_FOR_OPERATOR_ERROR[error.code] ?? EXIT.unavailable;
          },
          print(json, human) {
            spinner.stop();
            io.stdout.write(invocation.json ? `${JSON.stringify(json, null, 2)}\n` : human());
          },
        };
        return await body(session);
      } catch (error) {
        spinner.stop();
        if (error instanceof OperatorTransportError) {
          io.stderr.write(`watchdog ${name}: ${error.message}\n`);
          return EXIT_FOR_TRANSPORT_ERROR[error.kind];
        }
        io.stderr.write(
          `watchdog ${name}: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
        );
        return EXIT.unavailable;
      } finally {
        spinner.stop();
      }
    },
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
