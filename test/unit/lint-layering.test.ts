import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

/**
 * The layering rules of eslint.config.mjs (docs/architecture.md, "Layers"), proved by linting one-line probe
 * files: every forbidden direction fails with the layering message, from a file directly in the layer and from
 * one two folders down; every allowed direction passes.
 *
 * The table below is the intended layering, written independently of the config, so loosening a rule there
 * fails here.
 */

const ROOT = resolve(__dirname, '../..');

const LAYERS = [
  'contract',
  'domain',
  'channels',
  'use-cases',
  'adapters',
  'boundary',
  'handlers',
  'cli',
  'sim',
  'kinds',
] as const;
type Layer = (typeof LAYERS)[number];

/** The other layers each layer may import. */
const MAY_IMPORT: Readonly<Record<Layer, readonly Layer[]>> = {
  contract: [],
  domain: ['contract'],
  channels: ['contract'],
  'use-cases': ['contract', 'domain', 'channels'],
  adapters: ['contract', 'domain', 'boundary', 'channels'],
  boundary: ['contract', 'domain'],
  handlers: ['contract', 'domain', 'boundary', 'use-cases', 'adapters', 'channels', 'kinds'],
  cli: ['contract', 'domain', 'boundary', 'adapters', 'sim', 'channels', 'kinds'],
  sim: ['contract', 'domain', 'boundary', 'use-cases', 'adapters', 'handlers', 'channels', 'kinds'],
  kinds: ['contract', 'domain', 'boundary', 'adapters', 'channels'],
};

const SDK_LAYERS: readonly Layer[] = ['adapters', 'sim', 'kinds'];

interface Probe {
  /** Where the probe file pretends to be. */
  readonly filePath: string;
  /** What it imports. */
  readonly source: string;
  /** `import type { X } from` instead of a side-effect import. */
  readonly typeOnly?: boolean;
}

interface LintedProbe extends Probe {
  readonly messages: ReadonlyArray<{ readonly ruleId: string | null; readonly message: string }>;
}

/** A probe from a file directly in `layer`, and one from a file two folders further down. */
function probesInto(layer: Layer, target: Layer): Probe[] {
  return [
    { filePath: `lambda/${layer}/probe.ts`, source: `../${target}/probe-target` },
    { filePath: `lambda/${layer}/nested/deeper/probe.ts`, source: `../../../${target}/nested/probe-target` },
  ];
}

const forbiddenPairs = LAYERS.flatMap((layer) =>
  LAYERS.filter((target) => target !== layer && !MAY_IMPORT[layer].includes(target)).map(
    (target) => [layer, target] as const,
  ),
);
const allowedPairs = LAYERS.flatMap((layer) => MAY_IMPORT[layer].map((target) => [layer, target] as const));

const FORBIDDEN: readonly Probe[] = [
  ...forbiddenPairs.flatMap(([layer, target]) => probesInto(layer, target)),
  // Type-only imports couple layers just the same.
  { filePath: 'lambda/use-cases/sub/probe.ts', source: '../../adapters/ecs-deployer', typeOnly: true },
  // The one exception is narrow: adapters may import use-cases/ports and use-cases/errors, nothing else.
  { filePath: 'lambda/adapters/probe.ts', source: '../use-cases/report' },
  { filePath: 'lambda/adapters/sub/probe.ts', source: '../../use-cases/slack-format', typeOnly: true },
  // Kinds implement the same ports, and build their simulated worlds from the simulator's toolkit only.
  { filePath: 'lambda/kinds/probe.ts', source: '../use-cases/report' },
  { filePath: 'lambda/kinds/lambda-alias/probe.ts', source: '../../sim/runner' },
  { filePath: 'lambda/kinds/probe.ts', source: '../sim/simulate' },
  // The config schema reads the kinds' config fragments, and nothing else of them.
  { filePath: 'lambda/boundary/probe.ts', source: '../kinds/registry' },
  { filePath: 'lambda/boundary/sub/probe.ts', source: '../../kinds/appconfig/deployer' },
  { filePath: 'lambda/boundary/probe.ts', source: '../kinds/lambda-alias/config' },
  { filePath: 'lambda/domain/probe.ts', source: 'zod' },
  { filePath: 'lambda/domain/sub/probe.ts', source: 'zod/mini' },
  ...LAYERS.filter((layer) => !SDK_LAYERS.includes(layer)).flatMap((layer): Probe[] => [
    { filePath: `lambda/${layer}/probe.ts`, source: '@aws-sdk/client-ecs' },
    { filePath: `lambda/${layer}/sub/probe.ts`, source: '@smithy/types', typeOnly: true },
  ]),
  { filePath: 'lib/probe.ts', source: '../lambda/handlers/runtime' },
  { filePath: 'lib/private/probe.ts', source: '../../lambda/boundary/config-schema' },
  { filePath: 'lib/private/probe.ts', source: '../../lambda/use-cases/ports', typeOnly: true },
  { filePath: 'lib/probe.ts', source: '@aws-sdk/client-ecs' },
];

const ALLOWED: readonly Probe[] = [
  ...allowedPairs.flatMap(([layer, target]) => probesInto(layer, target)),
  ...LAYERS.map((layer) => ({ filePath: `lambda/${layer}/sub/probe.ts`, source: './sibling' })),
  { filePath: 'lambda/adapters/probe.ts', source: '../use-cases/ports', typeOnly: true },
  { filePath: 'lambda/adapters/sub/probe.ts', source: '../../use-cases/errors' },
  { filePath: 'lambda/kinds/probe.ts', source: '../use-cases/ports', typeOnly: true },
  { filePath: 'lambda/kinds/appconfig/probe.ts', source: '../../use-cases/errors' },
  { filePath: 'lambda/kinds/lambda-alias/probe.ts', source: '../../sim/sim-commands' },
  { filePath: 'lambda/kinds/lambda-alias/probe.ts', source: '../../sim/world/world-context' },
  { filePath: 'lambda/boundary/probe.ts', source: '../kinds/config-registry' },
  ...SDK_LAYERS.map((layer) => ({ filePath: `lambda/${layer}/probe.ts`, source: '@aws-sdk/client-ecs' })),
  { filePath: 'lambda/boundary/probe.ts', source: 'zod' },
  { filePath: 'lib/probe.ts', source: '../lambda/contract' },
  { filePath: 'lib/private/probe.ts', source: '../../lambda/contract/table', typeOnly: true },
];

/**
 * Lints every probe through ESLint's Node API with the project's own eslint.config.mjs, in a child Node
 * process: ESLint loads a flat config with a dynamic import(), which Jest's module sandbox cannot run. The
 * type-checked rules are switched off (typescript-eslint's disableTypeChecked): building the type-checked
 * program takes most of a minute, and the layering rules need no types.
 */
function lint(probes: readonly Probe[]): LintedProbe[] {
  const script = `
    import { ESLint } from 'eslint';
    import tseslint from 'typescript-eslint';
    let input = '';
    for await (const chunk of process.stdin) input += chunk;
    const eslint = new ESLint({ cwd: process.cwd(), overrideConfig: tseslint.configs.disableTypeChecked });
    const linted = [];
    for (const probe of JSON.parse(input)) {
      const code = probe.typeOnly
        ? "import type { Probe } from '" + probe.source + "';\\nexport type Probed = Probe;\\n"
        : "import '" + probe.source + "';\\n";
      const [result] = await eslint.lintText(code, { filePath: probe.filePath });
      linted.push({ ...probe, messages: result.messages.map((m) => ({ ruleId: m.ruleId, message: m.message })) });
    }
    process.stdout.write(JSON.stringify(linted));
  `;
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: ROOT,
    input: JSON.stringify(probes),
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(output) as LintedProbe[];
}

const describeProbe = (p: Probe) => `${p.filePath} ${p.typeOnly ? 'import type' : 'import'} '${p.source}'`;

let results: ReadonlyMap<string, LintedProbe>;

beforeAll(() => {
  const linted = lint([...FORBIDDEN, ...ALLOWED]);
  results = new Map(linted.map((p) => [describeProbe(p), p]));
});

function resultOf(probe: Probe): LintedProbe {
  const linted = results.get(describeProbe(probe));
  if (!linted) throw new Error(`no lint result for ${describeProbe(probe)}`);
  return linted;
}

/** The layer (or lib/) a probe file pretends to be in, as the messages name it. */
function fromOf(probe: Probe): string {
  const layer = /^lambda\/([^/]+)\//.exec(probe.filePath)?.[1];
  return layer === undefined ? 'lib/' : `lambda/${layer}`;
}

describe('layering: every forbidden direction fails with the layering message', () => {
  it('covers every pair of layers that may not meet, at two depths', () => {
    expect(forbiddenPairs).toHaveLength(52);
    expect(forbiddenPairs).toContainEqual(['sim', 'cli']);
    expect(forbiddenPairs).not.toContainEqual(['cli', 'sim']);
  });

  it.each(FORBIDDEN.map((p) => [describeProbe(p), p] as const))('%s', (_name, probe) => {
    const { messages } = resultOf(probe);
    expect(messages).toHaveLength(1);
    const [problem] = messages;
    expect(problem?.ruleId).toBe('no-restricted-imports');
    expect(problem?.message).toContain(`Layering: ${fromOf(probe)} may not import`);
    expect(problem?.message).toContain('docs/architecture.md, "Layers"');
  });

  it('names the layer that was reached, whatever the depth', () => {
    const nested = resultOf({
      filePath: 'lambda/use-cases/nested/deeper/probe.ts',
      source: '../../../adapters/nested/probe-target',
    });
    expect(nested.messages[0]?.message).toContain(
      'Layering: lambda/use-cases may not import lambda/adapters:',
    );
    const sdk = resultOf({ filePath: 'lambda/handlers/probe.ts', source: '@aws-sdk/client-ecs' });
    expect(sdk.messages[0]?.message).toContain('may not import the AWS SDK');
  });
});

describe('layering: allowed directions pass', () => {
  it.each(ALLOWED.map((p) => [describeProbe(p), p] as const))('%s', (_name, probe) => {
    expect(resultOf(probe).messages).toEqual([]);
  });
});
