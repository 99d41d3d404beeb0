import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scenarioInput } from '../sim/support';
import { runCli, tempDir } from './support';
import { missingPeerMessage } from '../../../lambda/cli/commands/validate';

const repo = join(__dirname, '../../..');
const validConfig = {
  targets: [
    { id: 'checkout', type: 'ecs-service', cluster: 'prod', service: 'checkout', alarms: ['checkout-5xx'] },
  ],
};

describe('watchdog', () => {
  it('prints the command list for --help and exits 0', async () => {
    for (const argv of [['--help'], ['-h'], ['help']]) {
      const run = await runCli(argv);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^Usage: watchdog <command>/);
      expect(run.stdout).toMatch(/\n {2}simulate {2}Run a scenario offline/);
      expect(run.stdout).toMatch(/\n {2}validate {2}Check a watchdog config file/);
      expect(run.stdout).toContain('\nAgainst a deployed stack (AWS credentials from the usual chain');
      for (const command of ['status', 'history', 'pause', 'resume', 'approve', 'rollback', 'drill'])
        expect(run.stdout).toMatch(new RegExp(`\n {2}${command} +\\S`));
    }
  });

  it('prints the package version for --version', async () => {
    const { version } = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string };
    expect(await runCli(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('exits 2 without a command, or with an unknown one', async () => {
    expect(await runCli([])).toEqual({
      code: 2,
      stdout: '',
      stderr: expect.stringMatching(/^Usage: watchdog <command>/),
    });
    const unknown = await runCli(['deploy']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe(
      'watchdog: unknown command "deploy"; expected one of simulate, validate, status, history, pause, resume, approve, rollback, drill, report. Run `watchdog --help`.\n',
    );
  });

  it.each(['simulate', 'validate', 'status', 'history', 'pause', 'resume', 'approve', 'rollback', 'drill'])(
    'has --help on %s, with exit codes',
    async (command) => {
      for (const argv of [
        [command, '--help'],
        ['help', command],
      ]) {
        const run = await runCli(argv);
        expect(run.code).toBe(0);
        expect(run.stdout).toMatch(new RegExp(`^Usage: watchdog ${command} `));
        expect(run.stdout).toContain('\nExit codes:\n  0  ');
        expect(run.stdout).toContain('  2  ');
      }
    },
  );

  it('exits 2 on bad arguments, naming the problem and the usage', async () => {
    const run = await runCli(['simulate']);
    expect(run).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'watchdog simulate: missing <scenario.json>\nUsage: watchdog simulate <scenario.json> [--json] [--report]\nRun `watchdog simulate --help` for details.\n',
    });
    expect((await runCli(['simulate', 'x.json', '--yaml'])).code).toBe(2);
  });
});

describe('watchdog simulate', () => {
  it('exits 0 and prints the timeline when the expectations hold', async () => {
    const dir = tempDir({ 'ok.json': scenarioInput({ expect: { final: { checkout: 'checkout:41' } } }) });
    const run = await runCli(['simulate', 'ok.json'], { cwd: dir });
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^test scenario\n/);
    expect(run.stdout).toContain('  expect: passed\n');
    expect(run.stdout).not.toContain('\u001b[');
  });

  it('colours the timeline on a terminal unless NO_COLOR is set', async () => {
    const dir = tempDir({ 'ok.json': scenarioInput() });
    expect((await runCli(['simulate', 'ok.json'], { cwd: dir, isTTY: true })).stdout).toContain('\u001b[');
    expect(
      (await runCli(['simulate', 'ok.json'], { cwd: dir, isTTY: true, env: { NO_COLOR: '1' } })).stdout,
    ).not.toContain('\u001b[');
  });

  it('exits 1 when an expectation fails, and says which', async () => {
    const dir = tempDir({ 'bad.json': scenarioInput({ expect: { calls: { 'ecs:UpdateService': 1 } } }) });
    const run = await runCli(['simulate', 'bad.json', '--json'], { cwd: dir });
    expect(run.code).toBe(1);
    const output = JSON.parse(run.stdout);
    expect(output.expect).toEqual({ passed: false, failures: ['expected 1 ecs:UpdateService call, got 0'] });
  });

  it('exits 2 on an invalid scenario and lists every problem on stderr', async () => {
    const dir = tempDir({
      'invalid.json': scenarioInput({
        surprise: true,
        world: {
          ecsServices: [{ cluster: 'prod', service: 'checkout', taskDefinition: 'checkout:41' }],
          alarms: [{ name: 'checkout-5xx', watches: 'payments' }],
        },
        timeline: [{ at: 'soon', deploy: { target: 'payments', version: 'payments:2' } }],
      }),
    });
    const run = await runCli(['simulate', 'invalid.json'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.split('\n')).toEqual([
      'invalid.json: invalid scenario (4 problems):',
      '  - $.surprise: unknown key; valid keys here are "name", "description", "start", "config", "world", "timeline", "until", "expect"',
      '  - $.world.alarms[0].watches: unknown target "payments"; expected one of $.config.targets ids "checkout"',
      expect.stringMatching(
        /^ {2}- \$\.timeline\[0\]\.at: must be an offset from start like "\+90s".* \(got "soon"\)$/,
      ),
      '  - $.timeline[0].deploy.target: unknown target "payments"; expected one of $.config.targets ids "checkout"',
      '',
    ]);
  });

  it('exits 2 when the scenario file is missing or not JSON', async () => {
    const dir = tempDir({ 'broken.json': '{ nope' });
    expect((await runCli(['simulate', 'missing.json'], { cwd: dir })).stderr).toBe(
      'missing.json: invalid scenario (1 problem):\n  - missing.json: file not found\n',
    );
    const broken = await runCli(['simulate', 'broken.json'], { cwd: dir });
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/broken\.json: not valid JSON/);
  });
});

describe('watchdog validate', () => {
  it('names where a CodeDeploy target acts, as it does for ECS', async () => {
    const dir = tempDir({
      'cd.json': {
        targets: [
          {
            id: 'payments',
            type: 'codedeploy',
            application: 'payments',
            deploymentGroup: 'payments-prod',
            alarms: ['payments-errors'],
          },
        ],
      },
    });
    const run = await runCli(['validate', 'cd.json'], { cwd: dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('  payments  codedeploy payments/payments-prod  alarms: payments-errors\n');
  });

  it('accepts a config with every kind of target and says where each acts', async () => {
    const dir = tempDir({
      'four.json': {
        targets: [
          {
            id: 'checkout',
            type: 'ecs-service',
            cluster: 'prod',
            service: 'checkout',
            alarms: ['checkout-5xx'],
          },
          {
            id: 'payments',
            type: 'codedeploy',
            application: 'payments',
            deploymentGroup: 'payments-prod',
            alarms: ['payments-errors'],
          },
          {
            id: 'checkout-api',
            type: 'lambda-alias',
            functionName: 'checkout-api',
            alias: 'live',
            alarms: ['checkout-api-errors'],
          },
          {
            id: 'checkout-flags',
            type: 'appconfig',
            application: 'checkout',
            environment: 'production',
            configurationProfile: 'feature-flags',
            alarms: ['checkout-5xx'],
          },
        ],
      },
    });
    const run = await runCli(['validate', 'four.json'], { cwd: dir });
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')[0]).toBe('four.json is valid: 4 targets');
    expect(run.stdout).toContain(
      '  checkout-api  lambda-alias checkout-api/live  alarms: checkout-api-errors\n',
    );
    expect(run.stdout).toContain(
      '  checkout-flags  appconfig checkout/production/feature-flags  alarms: checkout-5xx\n',
    );
  });

  it('exits 0 for a valid config and shows the resolved policy (default file name)', async () => {
    const dir = tempDir({ 'watchdog.config.json': validConfig });
    const run = await runCli(['validate'], { cwd: dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      'watchdog.config.json is valid: 1 target\n' +
        '  checkout  ecs-service prod/checkout  alarms: checkout-5xx\n' +
        '    mode auto, cooldown 15 min, bake 10 min, watch window 60 min, at most 2 rollbacks per 60 min\n',
    );
  });

  it('exits 2 for an invalid config and lists every problem by JSON path', async () => {
    const dir = tempDir({
      'bad.json': {
        targets: [{ ...validConfig.targets[0], id: 'Checkout', cooldownMinutes: -5, colour: 'red' }],
      },
    });
    const run = await runCli(['validate', 'bad.json'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stdout.split('\n')[0]).toBe('bad.json is invalid (3 problems):');
    expect(run.stdout).toContain('  - $.targets[0].id: ');
    expect(run.stdout).toContain('  - $.targets[0].cooldownMinutes: ');
    expect(run.stdout).toContain('  - $.targets[0].colour: unknown key');
  });

  it('prints data with --json', async () => {
    const dir = tempDir({ 'watchdog.config.json': validConfig });
    const run = await runCli(['validate', '--json'], { cwd: dir });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      file: 'watchdog.config.json',
      valid: true,
      problems: [],
      warnings: [],
      targets: [
        {
          id: 'checkout',
          type: 'ecs-service',
          alarms: ['checkout-5xx'],
          policy: expect.objectContaining({ mode: 'auto' }),
        },
      ],
    });
    const missing = await runCli(['validate', 'nope.json', '--json'], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(JSON.parse(missing.stdout)).toEqual({
      file: 'nope.json',
      valid: false,
      problems: ['nope.json: file not found'],
      warnings: [],
      targets: [],
    });
  });
});

describe('bin/watchdog.js', () => {
  it('runs the TypeScript CLI through tsx as a real process', () => {
    const result = spawnSync(process.execPath, [join(repo, 'bin/watchdog.js'), 'simulate', '--help'], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Usage: watchdog simulate <scenario\.json> \[--json\]/);
    expect(result.stderr).toBe('');
  });

  it('says a --profile that does not exist does not exist, through the real AWS wiring (exit 2)', () => {
    const home = tempDir({ config: '[profile oncall]\nregion = eu-west-1\n' });
    const result = spawnSync(
      process.execPath,
      [join(repo, 'bin/watchdog.js'), 'status', '--profile', 'nope'],
      {
        encoding: 'utf8',
        timeout: 30_000,
        env: {
          PATH: process.env.PATH,
          HOME: home,
          AWS_EC2_METADATA_DISABLED: 'true',
          AWS_CONFIG_FILE: join(home, 'config'),
          AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
        },
      },
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      `watchdog status: the AWS profile nope (--profile) does not exist: it is in neither ${join(home, 'config')} ` +
        `nor ${join(home, 'credentials')} (profiles there: oncall); check the name, or create it with ` +
        '`aws configure --profile nope` or `aws configure sso --profile nope`\n',
    );
  });

  it('tells an operator without AWS credentials what to do, through the real AWS wiring (exit 2)', () => {
    const home = tempDir({});
    const result = spawnSync(process.execPath, [join(repo, 'bin/watchdog.js'), 'status'], {
      encoding: 'utf8',
      timeout: 30_000,
      // No credentials anywhere: no env keys, an empty home (no ~/.aws), no instance metadata.
      env: {
        PATH: process.env.PATH,
        HOME: home,
        AWS_REGION: 'eu-west-1',
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_CONFIG_FILE: join(home, 'config'),
        AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
      },
    });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /^watchdog status: no AWS credentials found: set AWS_PROFILE or run `aws sso login` \(or pass --profile\)/,
    );
  });
});

describe('watchdog validate: what one stack holds', () => {
  const fleet = (targets: number, permissions?: Record<string, unknown>) => ({
    ...(permissions ? { permissions } : {}),
    targets: Array.from({ length: targets }, (_, i) => ({
      id: `svc-${i}`,
      type: 'ecs-service',
      cluster: 'production',
      service: `svc-${i}-api`,
      alarms: [`svc-${i}-api-http-5xx-rate`, `svc-${i}-api-p99-latency`],
    })),
  });

  it('exits 2 with the number and the fix for a fleet exact grants cannot hold, 0 once it opts into patterns', async () => {
    const dir = tempDir({
      'exact.json': fleet(300),
      'patterns.json': fleet(300, { ecs: 'clusters', alarmNamePatterns: ['svc-*'] }),
    });
    const exact = await runCli(['validate', 'exact.json'], { cwd: dir });
    expect(exact.code).toBe(2);
    expect(exact.stdout).toMatch(
      /- targets: 300 targets need \d+ managed policies on the OperatorHandler role, but IAM attaches at most 10 to a role; grant by pattern \(permissions: ecs "clusters", codeDeploy "applications", alarmNamePatterns\) or split the fleet across stacks/,
    );
    const patterns = await runCli(['validate', 'patterns.json'], { cwd: dir });
    expect(patterns.stdout.split('\n')[0]).toBe('patterns.json is valid: 300 targets');
    expect(patterns.stdout).not.toContain('warning:');
    expect(patterns.code).toBe(0);
  }, 120_000);

  it('warns, and stays valid, above the fleet size measured in one stack', async () => {
    const dir = tempDir({ 'big.json': fleet(1001, { ecs: 'clusters', alarmNamePatterns: ['svc-*'] }) });
    const run = await runCli(['validate', 'big.json', '--json'], { cwd: dir });
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout) as { valid: boolean; warnings: string[] };
    expect(json.valid).toBe(true);
    expect(json.warnings).toEqual([
      expect.stringMatching(
        /^1001 targets is more than the 1000 measured in one stack .* splitting the fleet across stacks/,
      ),
    ]);
  }, 120_000);
});

describe('validate without the construct library peers', () => {
  it('names the missing peer and what to install when aws-cdk-lib is not there', () => {
    const error = Object.assign(
      new Error("Cannot find module 'aws-cdk-lib'\nRequire stack:\n- /x/dist/cli/watchdog.js"),
      {
        code: 'MODULE_NOT_FOUND',
      },
    );
    expect(missingPeerMessage(error)).toBe(
      'validate builds the stack as `cdk synth` would, so it needs aws-cdk-lib and constructs (peer dependencies of ' +
        'rollback-watchdog), and aws-cdk-lib is not installed here: run it in your CDK app after ' +
        '`npm install aws-cdk-lib constructs`, or check the config with `npx cdk synth`',
    );
    const constructs = Object.assign(new Error("Cannot find module 'constructs'"), {
      code: 'MODULE_NOT_FOUND',
    });
    expect(missingPeerMessage(constructs)).toContain('and constructs is not installed here');
  });

  it('reports any other load failure as it is', () => {
    const other = Object.assign(new Error("Cannot find module './gone'"), { code: 'MODULE_NOT_FOUND' });
    expect(missingPeerMessage(other)).toBe("validate could not load the stack: Cannot find module './gone'");
    expect(missingPeerMessage(new SyntaxError('boom'))).toBe('validate could not load the stack: boom');
  });
});
