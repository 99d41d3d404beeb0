import { resolve } from 'node:path';
import { readConfigFile, resolveRuntimeConfig } from '../../boundary/config-schema';
import {
  MEASURED_FLEET_TARGETS,
  operatorUrlRegionProblem,
  regionFromEnvironment,
  type WatchdogConfig,
  TARGET_IDENTITY_FIELDS,
} from '../../contract';
import type { Command } from '../command';
import { EXIT } from '../io';

/**
 * lib/ pulls in aws-cdk-lib, a second or more of loading that no other command needs: loaded on first use.
 * (A CommonJS require: the CLI runs under tsx's CommonJS hook, which dynamic import() bypasses.)
 */
function loadSynthProblems(): (config: WatchdogConfig) => string[] {
  let stack: typeof import('../../../lib/watchdog-stack');
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    stack = require('../../../lib/watchdog-stack') as typeof import('../../../lib/watchdog-stack');
  } catch (error) {
    throw new Error(missingPeerMessage(error), { cause: error });
  }
  return stack.synthProblems;
}

/**
 * The installed CLI leaves aws-cdk-lib and constructs (the construct library's peer dependencies) to the app it
 * runs in; `validate` builds the stack, so it needs them. Any other load failure is reported as it is.
 */
export function missingPeerMessage(error: unknown): string {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const text = typeof message === 'string' ? message : String(error);
  const missing = /Cannot find module '((?:aws-cdk-lib|constructs)[^']*)'/.exec(text)?.[1];
  if (code !== 'MODULE_NOT_FOUND' || missing === undefined)
    return `validate could not load the stack: ${text}`;
  return (
    `validate builds the stack as \`cdk synth\` would, so it needs aws-cdk-lib and constructs (peer dependencies of ` +
    `rollback-watchdog), and ${missing} is not installed here: run it in your CDK app after ` +
    '`npm install aws-cdk-lib constructs`, or check the config with `npx cdk synth`'
  );
}

/** The account and region only label the resolved config here; validation does not depend on them. */
const PLACEHOLDER_ENV = { account: '000000000000', region: 'us-east-1' };

export const validateCommand: Command = {
  spec: {
    name: 'validate',
    summary: 'Check a watchdog config file and show the policy every target gets.',
    description: [
      'Reads the file with the same schema the CDK app and `watchdog simulate` use. Unknown keys are errors, and every problem is listed with its JSON path and what would be valid.',
      'A valid file is then built into the stack as `cdk synth` would build it (without bundling): a fleet larger than one stack holds (IAM managed policies per role, CloudFormation resources per stack) is invalid, with the number and the fix.',
      'With a region (--region, else AWS_REGION or AWS_DEFAULT_REGION, where `cdk deploy` would deploy), also checks that the watchdog can run there: its operator entry point is a Lambda function URL, which some regions do not have.',
    ],
    positionals: [
      { name: 'config', required: false, description: 'The config file. Default: watchdog.config.json' },
    ],
    options: [
      {
        name: 'region',
        value: '<region>',
        description:
          'The region to deploy to. Default: AWS_REGION, else AWS_DEFAULT_REGION, else not checked. Not used for a config that lists its regions.',
      },
      {
        name: 'json',
        description: 'Print { file, valid, problems, targets, region, regions } as JSON.',
      },
    ],
    examples: [
      'watchdog validate',
      'watchdog validate path/to/watchdog.config.json --json',
      'watchdog validate --region eu-west-1',
    ],
  },
  exitCodes: [
    '0  the config is valid',
    '2  the config is invalid, missing or not JSON, the region cannot run the watchdog, or the arguments are wrong',
  ],

  run(args, io) {
    const file = args.positionals[0] ?? 'watchdog.config.json';
    const read = readConfigFile(resolve(io.cwd, file));
    // A valid file must also fit one stack: the same check synth runs (loaded only here, it needs the CDK).
    const beyond = read.ok ? loadSynthProblems()(read.config) : [];
    const parsed = read.ok && beyond.length > 0 ? { ok: false as const, problems: beyond } : read;
    const regionOption = args.options.region;
    // A config that lists its regions deploys there, whatever region the shell targets.
    const listed = read.ok ? read.config.regions : undefined;
    const homeRegion = read.ok ? read.config.homeRegion : undefined;
    const region =
      listed !== undefined
        ? undefined
        : typeof regionOption === 'string'
          ? regionOption
          : regionFromEnvironment(io.env);
    const regionProblem = region === undefined ? undefined : operatorUrlRegionProblem(region);
    const problems = [
      ...(parsed.ok ? [] : parsed.problems.map((p) => p.replace(resolve(io.cwd, file), file))),
      ...(regionProblem ? [regionProblem] : []),
    ];
    const valid = problems.length === 0;
    const targets = parsed.ok ? resolveRuntimeConfig(parsed.config, PLACEHOLDER_ENV).targets : [];
    // resolveRuntimeConfig keeps the file's order: the region of each target, with `regions`.
    const placement = (i: number): string | undefined =>
      listed === undefined || !parsed.ok ? undefined : (parsed.config.targets[i]?.region ?? 'every region');
    const warnings =
      valid && targets.length > MEASURED_FLEET_TARGETS
        ? [
            `${targets.length} targets is more than the ${MEASURED_FLEET_TARGETS} measured in one stack (synth time, template size, a sweep within its interval); it fits, but consider splitting the fleet across stacks (-c config=fleet-a.json -c stackName=WatchdogA)`,
          ]
        : [];
    if (args.options.json === true) {
      const json = {
        file,
        valid,
        problems,
        warnings,
        targets: targets.map(({ id, type, alarms, policy }, i) => ({
          id,
          type,
          alarms,
          policy,
          ...(placement(i) !== undefined ? { region: placement(i) } : {}),
        })),
        ...(region !== undefined ? { region } : {}),
        ...(listed !== undefined ? { regions: listed } : {}),
      };
      io.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    } else if (valid) {
      const where =
        region !== undefined
          ? ` (region ${region})`
          : listed !== undefined
            ? ` in ${listed.length} region${listed.length === 1 ? '' : 's'} (${listed.join(', ')}), one stack each${
                listed.length > 1
                  ? `; home ${homeRegion ?? listed[0]}; a version rolled back in one region is quarantined in the others`
                  : ''
              }`
            : '';
      io.stdout.write(
        `${file} is valid: ${targets.length} target${targets.length === 1 ? '' : 's'}${where}\n`,
      );
      for (const warning of warnings) io.stdout.write(`  warning: ${warning}\n`);
      targets.forEach((t, i) => {
        // Where the watchdog will act: the cluster and service, the application and deployment group, ...
        const where =
          TARGET_IDENTITY_FIELDS[t.type]
            .map((f) => String((t as unknown as Record<string, unknown>)[f]))
            .join('/') + (placement(i) !== undefined ? ` in ${placement(i)}` : '');
        const p = t.policy;
        io.stdout.write(
          `  ${t.id}  ${t.type} ${where}  alarms: ${t.alarms.join(', ')}\n` +
            `    mode ${p.mode}, cooldown ${p.cooldownMinutes} min, bake ${p.bakeMinutes} min, watch window ${p.watchWindowMinutes} min, ` +
            `at most ${p.maxRollbacks.count} rollbacks per ${p.maxRollbacks.windowMinutes} min\n`,
        );
      });
    } else {
      io.stdout.write(
        `${file} is invalid (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n`,
      );
      for (const problem of problems) io.stdout.write(`  - ${problem}\n`);
    }
    return Promise.resolve(valid ? EXIT.ok : EXIT.invalidInput);
  },
};
