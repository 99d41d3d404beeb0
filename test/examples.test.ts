import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readScenarioFile } from '../lambda/sim/scenario-schema';
import { formatJson, simulate } from '../lambda/sim/simulate';

/**
 * Every example is an acceptance test of the watchdog: it runs through the simulator in-process and its
 * `expect` block must hold, with the same output on every run. The shared ECS scenarios of the project
 * brief run too, when that folder is present.
 */

const examplesDir = join(__dirname, '../examples');
const sharedDir = join(__dirname, '../../shared/scenarios');

const jsonFiles = (dir: string): string[] =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => join(dir, f));

/** Shared scenarios whose targets are all ECS services (CodeDeploy targets are not supported yet). */
function sharedEcsScenarios(): string[] {
  if (!existsSync(sharedDir)) return [];
  return jsonFiles(sharedDir).filter((file) => {
    const targets =
      (JSON.parse(readFileSync(file, 'utf8')) as { config?: { targets?: { type?: string }[] } }).config
        ?.targets ?? [];
    return targets.length > 0 && targets.every((t) => t.type === 'ecs-service');
  });
}

async function expectPasses(file: string): Promise<void> {
  const parsed = readScenarioFile(file);
  if (!parsed.ok) throw new Error(`${file} is invalid:\n${parsed.problems.join('\n')}`);
  const first = await simulate(parsed.scenario);
  expect(first.output.expect).toEqual({ passed: true, failures: [] });
  expect(first.output.errors).toEqual([]);
  const second = await simulate(parsed.scenario);
  expect(formatJson(second.output)).toBe(formatJson(first.output));
}

describe('examples/', () => {
  const files = jsonFiles(examplesDir);

  it('has the showcase and at least three scenarios of its own beyond the shared ones', () => {
    const names = files.map((f) => f.slice(examplesDir.length + 1));
    expect(names).toEqual(
      expect.arrayContaining([
        'checkout-bad-deploy.json',
        'duplicate-delivery.json',
        'cooldown.json',
        'dry-run.json',
      ]),
    );
  });

  it.each(files.map((f) => [f.slice(examplesDir.length + 1), f]))(
    '%s passes its expect, identically on every run',
    async (_name, file) => {
      await expectPasses(file);
    },
  );
});

const shared = sharedEcsScenarios();
(shared.length > 0 ? describe : describe.skip)('../shared/scenarios (ECS)', () => {
  it.each(shared.map((f) => [f.slice(sharedDir.length + 1), f]))(
    '%s passes its expect',
    async (_name, file) => {
      await expectPasses(file);
    },
  );
});
