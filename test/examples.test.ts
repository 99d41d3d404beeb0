import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readScenarioFile } from '../lambda/sim/scenario-schema';
import { formatJson, simulate } from '../lambda/sim/simulate';

/**
 * Every example is an acceptance test of the watchdog: it runs through the simulator in-process and its
 * `expect` block must hold, with the same output on every run. The shared scenarios of the project brief
 * (ECS and CodeDeploy) run too, when that folder is present.
 */

const examplesDir = join(__dirname, '../examples');
const sharedDir = join(__dirname, '../../shared/scenarios');

const jsonFiles = (dir: string): string[] =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => join(dir, f));

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

  it('has the showcase, the operator scenarios and at least three of its own beyond the shared ones', () => {
    const names = files.map((f) => f.slice(examplesDir.length + 1));
    expect(names).toEqual(
      expect.arrayContaining([
        'checkout-bad-deploy.json',
        'duplicate-delivery.json',
        'cooldown.json',
        'dry-run.json',
        'codedeploy-stop-with-rollback.json',
        'codedeploy-redeploy-after-completion.json',
        'codedeploy-lost-success-event.json',
        'pause-blocks-rollback.json',
        'approval-mode.json',
        'approval-timeout-hold.json',
        'manual-rollback.json',
        'deploy-freeze.json',
        'verification-escalation.json',
        'drill.json',
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

const shared = existsSync(sharedDir) ? jsonFiles(sharedDir) : [];
(shared.length > 0 ? describe : describe.skip)('../shared/scenarios', () => {
  it.each(shared.map((f) => [f.slice(sharedDir.length + 1), f]))(
    '%s passes its expect, identically on every run',
    async (_name, file) => {
      await expectPasses(file);
    },
  );
});
