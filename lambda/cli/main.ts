import { commandHelp, parseArgs, usageLine } from '../boundary/command-line';
import type { Command } from './command';
import { approveCommand } from './commands/approve';
import { drillCommand } from './commands/drill';
import { historyCommand } from './commands/history';
import { pauseCommand } from './commands/pause';
import { reportCommand } from './commands/report';
import { resumeCommand } from './commands/resume';
import { rollbackCommand } from './commands/rollback';
import { simulateCommand } from './commands/simulate';
import { statusCommand } from './commands/status';
import { validateCommand } from './commands/validate';
import { EXIT, type CliIo } from './io';
import { CLI_VERSION } from './version';

/** Commands that run offline. */
const OFFLINE_COMMANDS: readonly Command[] = [simulateCommand, validateCommand];
/** Commands against a deployed stack, through its operator function. */
const OPERATOR_COMMANDS: readonly Command[] = [
  statusCommand,
  historyCommand,
  pauseCommand,
  resumeCommand,
  approveCommand,
  rollbackCommand,
  drillCommand,
  reportCommand,
];
const COMMANDS: readonly Command[] = [...OFFLINE_COMMANDS, ...OPERATOR_COMMANDS];

function generalHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.spec.name.length));
  return [
    'Usage: watchdog <command> [arguments] [--help]',
    '       watchdog --version',
    '',
    'Rollback Watchdog: rolls an ECS service or CodeDeploy deployment group back to its last known-good version when a guarding CloudWatch alarm fires after a release.',
    '',
    'Commands:',
    ...OFFLINE_COMMANDS.map((c) => `  ${c.spec.name.padEnd(width)}  ${c.spec.summary}`),
    '',
    'Against a deployed stack (AWS credentials from the usual chain; --stack, --region, --profile):',
    ...OPERATOR_COMMANDS.map((c) => `  ${c.spec.name.padEnd(width)}  ${c.spec.summary}`),
    '',
    'Run `watchdog <command> --help` for its arguments, options and exit codes.',
    'Installed from npm, the same command is also `rollback-watchdog` (`npx rollback-watchdog <command>` works',
    'outside a checkout too).',
    '',
  ].join('\n');
}

/**
 * The `watchdog` CLI: dispatches to a command and returns its exit code (0 ok, 1 expectation failed or
 * refused, 2 invalid input, 3 unavailable or internal error). Never calls process.exit, so tests run it
 * in-process.
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.stderr.write(generalHelp());
    return EXIT.invalidInput;
  }
  if (name === '--version') {
    io.stdout.write(`${CLI_VERSION}\n`);
    return EXIT.ok;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? COMMANDS.find((c) => c.spec.name === rest[0]) : undefined;
    io.stdout.write(topic ? commandHelp(topic.spec, topic.exitCodes) : generalHelp());
    return EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.spec.name === name);
  if (!command) {
    io.stderr.write(
      `watchdog: unknown command ${JSON.stringify(name)}; expected one of ${COMMANDS.map((c) => c.spec.name).join(', ')}. Run \`watchdog --help\`.\n`,
    );
    return EXIT.invalidInput;
  }
  const parsed = parseArgs(rest, command.spec);
  if (!parsed.ok) {
    io.stderr.write(
      `watchdog ${name}: ${parsed.problem}\nUsage: ${usageLine(command.spec)}\nRun \`watchdog ${name} --help\` for details.\n`,
    );
    return EXIT.invalidInput;
  }
  if (parsed.args.help) {
    io.stdout.write(commandHelp(command.spec, command.exitCodes));
    return EXIT.ok;
  }
  return command.run(parsed.args, io);
}

/** The real process's streams and environment. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}
