import { commandHelp, parseArgs, usageLine, type CommandSpec } from '../../../lambda/boundary/command-line';

const spec: CommandSpec = {
  name: 'rollback',
  summary: 'Roll a target back.',
  description: ['Longer text.'],
  positionals: [
    { name: 'target', required: true, description: 'The target id.' },
    { name: 'extra', required: false, description: 'Optional.' },
  ],
  options: [
    { name: 'json', description: 'JSON output.' },
    { name: 'reason', value: '<text>', description: 'Why.' },
  ],
  examples: ['watchdog rollback checkout --reason "bad deploy"'],
};

describe('parseArgs', () => {
  it('reads positionals, switches and valued options in any order', () => {
    expect(parseArgs(['--json', 'checkout', '--reason', 'bad deploy'], spec)).toEqual({
      ok: true,
      args: { help: false, positionals: ['checkout'], options: { json: true, reason: 'bad deploy' } },
    });
    expect(parseArgs(['checkout', '--reason=a=b', '--', '--json'], spec)).toEqual({
      ok: true,
      args: { help: false, positionals: ['checkout', '--json'], options: { reason: 'a=b' } },
    });
  });

  it('recognises --help and -h even when arguments are missing', () => {
    expect(parseArgs(['-h'], spec)).toEqual({ ok: true, args: { help: true, positionals: [], options: {} } });
    expect(parseArgs(['--bogus', '--help'], spec)).toEqual({
      ok: false,
      problem: expect.stringMatching(/^unknown option --bogus/),
    });
  });

  it.each([
    [[], 'missing <target>'],
    [['a', 'b', 'c'], 'unexpected argument "c"'],
    [['a', '--jsn'], 'unknown option --jsn; valid options: --json, --reason, --help'],
    [['a', '-j'], 'unknown option -j; valid options: --json, --reason, --help'],
    [['a', '--json=yes'], '--json takes no value'],
    [['a', '--reason'], '--reason needs a value: --reason <text>'],
    [['a', '--reason', '--json'], '--reason needs a value: --reason <text>'],
  ])('reports %j as: %s', (argv, problem) => {
    expect(parseArgs(argv, spec)).toEqual({ ok: false, problem });
  });
});

describe('help text', () => {
  it('has a usage line, every argument and option, exit codes and examples', () => {
    expect(usageLine(spec)).toBe('watchdog rollback <target> [extra] [--json] [--reason <text>]');
    const help = commandHelp(spec, ['0  done']);
    expect(help).toBe(
      [
        'Usage: watchdog rollback <target> [extra] [--json] [--reason <text>]',
        '',
        'Roll a target back.',
        '',
        'Longer text.',
        '',
        'Arguments and options:',
        '  <target>         The target id.',
        '  [extra]          Optional.',
        '  --json           JSON output.',
        '  --reason <text>  Why.',
        '  -h, --help       Show this help.',
        '',
        'Exit codes:',
        '  0  done',
        '',
        'Examples:',
        '  watchdog rollback checkout --reason "bad deploy"',
        '',
      ].join('\n'),
    );
  });
});
