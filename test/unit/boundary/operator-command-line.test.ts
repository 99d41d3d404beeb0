import {
  DEFAULT_DRILL_TIMEOUT_MS,
  OPERATOR_SPECS,
  parseOperatorArgs,
  parseOperatorCommandLine,
} from '../../../lambda/boundary/operator-command-line';
import { OPERATOR_COMMANDS } from '../../../lambda/contract';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const now = () => NOW;

describe('parseOperatorArgs', () => {
  it.each([
    ['status', [], { command: 'status' }],
    ['status', ['checkout'], { command: 'status', target: 'checkout' }],
    ['history', [], { command: 'history' }],
    [
      'history',
      ['checkout', '--since', '2h'],
      { command: 'history', target: 'checkout', sinceMs: NOW - 7_200_000 },
    ],
    [
      'history',
      ['--since', '90s', '--limit', '20'],
      { command: 'history', sinceMs: NOW - 90_000, limit: 20 },
    ],
    ['history', ['--since=10m'], { command: 'history', sinceMs: NOW - 600_000 }],
    ['history', ['--since', '1d'], { command: 'history', sinceMs: NOW - 86_400_000 }],
    ['history', ['--since', '1h30m'], { command: 'history', sinceMs: NOW - 5_400_000 }],
    [
      'history',
      ['--since', '2026-03-01T10:00:00Z'],
      { command: 'history', sinceMs: Date.parse('2026-03-01T10:00:00Z') },
    ],
    [
      'pause',
      ['checkout', '--reason', 'db migration'],
      { command: 'pause', target: 'checkout', reason: 'db migration' },
    ],
    ['pause', ['--reason', 'game day'], { command: 'pause', reason: 'game day' }],
    [
      'pause',
      ['checkout', '--reason', 'db migration', '--for', '2h'],
      { command: 'pause', target: 'checkout', reason: 'db migration', forMinutes: 120 },
    ],
    ['pause', ['--reason', 'x', '--for', '30d'], { command: 'pause', reason: 'x', forMinutes: 43_200 }],
    ['resume', [], { command: 'resume' }],
    ['resume', ['checkout'], { command: 'resume', target: 'checkout' }],
    ['approve', ['payments'], { command: 'approve', target: 'payments' }],
    ['rollback', ['checkout', '--reason', 'x'], { command: 'rollback', target: 'checkout', reason: 'x' }],
    [
      'rollback',
      ['checkout', '--to', 'checkout:40', '--reason', 'x', '--force'],
      { command: 'rollback', target: 'checkout', to: 'checkout:40', reason: 'x', force: true },
    ],
    ['drill', ['checkout'], { command: 'drill', target: 'checkout' }],
    [
      'drill',
      ['checkout', '--live', '--alarm', 'checkout-p99'],
      { command: 'drill', target: 'checkout', live: true, alarm: 'checkout-p99' },
    ],
  ] as const)('%s %j', (command, argv, request) => {
    expect(parseOperatorArgs(command, argv, { now })).toEqual({
      ok: true,
      request,
      json: false,
      stack: {},
      timeoutMs: DEFAULT_DRILL_TIMEOUT_MS,
    });
  });

  it('reads --json, the stack options and the drill timeout', () => {
    expect(
      parseOperatorArgs(
        'drill',
        [
          'checkout',
          '--json',
          '--stack',
          'Watchdog-Prod',
          '--region',
          'eu-west-1',
          '--profile',
          'oncall',
          '--timeout',
          '5m',
        ],
        { now },
      ),
    ).toEqual({
      ok: true,
      request: { command: 'drill', target: 'checkout' },
      json: true,
      stack: { name: 'Watchdog-Prod', region: 'eu-west-1', profile: 'oncall' },
      timeoutMs: 300_000,
    });
    const arn =
      'arn:aws:cloudformation:eu-west-1:123456789012:stack/Watchdog/0f1e2d3c-aaaa-bbbb-cccc-000000000000';
    expect(parseOperatorArgs('status', ['--stack', arn])).toMatchObject({ ok: true, stack: { name: arn } });
  });

  it('requires --reason for pause and rollback at the terminal', () => {
    expect(parseOperatorArgs('pause', ['checkout'])).toEqual({
      ok: false,
      problems: ['--reason is required: say why, e.g. --reason "db migration"'],
    });
    expect(parseOperatorArgs('rollback', ['checkout', '--to', 'checkout:40'])).toEqual({
      ok: false,
      problems: ['--reason is required: say why, e.g. --reason "checkout:42 leaks connections"'],
    });
  });

  it('uses the default reason the simulator passes, unless --reason is given', () => {
    const options = { defaultReason: 'simulated operator' };
    expect(parseOperatorArgs('pause', ['checkout'], options)).toMatchObject({
      ok: true,
      request: { command: 'pause', target: 'checkout', reason: 'simulated operator' },
    });
    expect(parseOperatorArgs('rollback', ['checkout', '--to', 'checkout:40'], options)).toMatchObject({
      ok: true,
      request: { command: 'rollback', target: 'checkout', to: 'checkout:40', reason: 'simulated operator' },
    });
    expect(parseOperatorArgs('pause', ['checkout', '--reason', 'mine'], options)).toMatchObject({
      request: { reason: 'mine' },
    });
  });

  it('reports every problem with the values at once, named as typed', () => {
    expect(
      parseOperatorArgs(
        'rollback',
        [
          'Checkout',
          '--to',
          '',
          '--reason',
          '  ',
          '--stack',
          '9lives',
          '--region',
          'Europe',
          '--profile',
          '',
        ],
        { now },
      ),
    ).toEqual({
      ok: false,
      problems: [
        '<target>: must be a target id: lowercase letters, digits and "-" only ([a-z0-9-]+) (got "Checkout")',
        expect.stringMatching(/^--to: must be a non-empty version .* \(got ""\)$/),
        expect.stringMatching(
          /^--reason: must be a non-empty reason of at most 500 characters .* \(got " {2}"\)$/,
        ),
        expect.stringMatching(/^--stack: must be a CloudFormation stack name .* \(got "9lives"\)$/),
        '--region: must be an AWS region like us-east-1 (got "Europe")',
        '--profile: must be a profile name (got "")',
      ],
    });
    expect(parseOperatorArgs('drill', ['Checkout', '--timeout', '0s'])).toEqual({
      ok: false,
      problems: [
        '<target>: must be a target id: lowercase letters, digits and "-" only ([a-z0-9-]+) (got "Checkout")',
        '--timeout: must be a duration (90s, 10m, 2h, 1d, or combined like 1h30m), from 1s to 1h (got "0s")',
      ],
    });
    expect(parseOperatorArgs('history', ['--since', 'yesterday', '--limit', 'ten'], { now })).toEqual({
      ok: false,
      problems: [
        '--since: must be how long ago (90s, 10m, 2h, 1d, or combined like 1h30m) or an ISO timestamp with a zone like 2026-03-01T10:00:00Z (got "yesterday")',
        '--limit: must be a whole number from 1 to 1000 (got "ten")',
      ],
    });
    expect(parseOperatorArgs('history', ['--limit', '5000', '--since', '2026-03-01T10:00:00'])).toEqual({
      ok: false,
      problems: [
        '--limit: must be a whole number from 1 to 1000 (got 5000)',
        expect.stringMatching(/^--since: .*\(got "2026-03-01T10:00:00"\)$/),
      ],
    });
    for (const bad of ['90s', '0m', '31d', 'soon', '1m30s']) {
      expect(parseOperatorArgs('pause', ['checkout', '--reason', 'x', '--for', bad])).toEqual({
        ok: false,
        problems: [
          `--for: must be a duration (90s, 10m, 2h, 1d, or combined like 1h30m) in whole minutes, from 1m to 30d (got ${JSON.stringify(bad)})`,
        ],
      });
    }
    expect(parseOperatorArgs('drill', ['checkout', '--timeout', '2h', '--profile', ' '])).toEqual({
      ok: false,
      problems: [
        expect.stringMatching(/^--timeout: .*\(got "2h"\)$/),
        '--profile: must be a profile name (got "")',
      ],
    });
  });

  it('reports structural problems as the argument parser finds them', () => {
    expect(parseOperatorArgs('approve', [])).toEqual({ ok: false, problems: ['missing <target>'] });
    expect(parseOperatorArgs('status', ['a', 'b'])).toEqual({
      ok: false,
      problems: ['unexpected argument "b"'],
    });
    expect(parseOperatorArgs('resume', ['--reason', 'x'])).toEqual({
      ok: false,
      problems: ['unknown option --reason; valid options: --json, --stack, --region, --profile, --help'],
    });
    expect(parseOperatorArgs('status', ['--help'])).toEqual({
      ok: false,
      problems: ['--help is not a request'],
    });
  });
});

describe('parseOperatorCommandLine', () => {
  it('reads the command name first, as scenario timeline entries carry it', () => {
    expect(
      parseOperatorCommandLine(['pause', 'checkout'], { defaultReason: 'simulated operator' }),
    ).toMatchObject({
      ok: true,
      request: { command: 'pause', target: 'checkout', reason: 'simulated operator' },
    });
    expect(parseOperatorCommandLine(['approve', 'payments'])).toMatchObject({
      ok: true,
      request: { command: 'approve', target: 'payments' },
    });
    expect(
      parseOperatorCommandLine(['rollback', 'checkout', '--to', 'checkout:40'], { defaultReason: 'sim' }),
    ).toMatchObject({
      ok: true,
      request: { command: 'rollback', target: 'checkout', to: 'checkout:40', reason: 'sim' },
    });
    expect(parseOperatorCommandLine(['simulate', 'x.json'])).toEqual({
      ok: false,
      problems: [
        'unknown operator command "simulate"; expected one of status, history, pause, resume, approve, rollback, drill, report',
      ],
    });
    expect(parseOperatorCommandLine([]).ok).toBe(false);
  });
});

describe('OPERATOR_SPECS', () => {
  it('has a spec for every operator command, each with the stack options, an example and the reason marked required', () => {
    for (const command of OPERATOR_COMMANDS) {
      const spec = OPERATOR_SPECS[command];
      expect(spec.name).toBe(command);
      expect(spec.options.map((o) => o.name)).toEqual(
        expect.arrayContaining(['json', 'stack', 'region', 'profile']),
      );
      expect(spec.examples.length).toBeGreaterThan(0);
      const reason = spec.options.find((o) => o.name === 'reason');
      expect(reason?.required === true).toBe(command === 'pause' || command === 'rollback');
    }
  });
});
