import { checkExpectations } from './expect';
import { observe, toOutput, type SimulationOutput } from './output';
import { runScenario, type RunOptions, type SimulationRun } from './runner';
import type { Scenario } from './scenario';
import { rollbackTimings, type RollbackTiming } from './summary';

export interface SimulationResult {
  /** The `--json` output (docs/architecture.md, "Output and expect"). */
  readonly output: SimulationOutput;
  /** The full run, for the readable timeline. */
  readonly run: SimulationRun;
  readonly timings: readonly RollbackTiming[];
}

/** Runs a validated scenario and checks its `expect` block. */
export async function simulate(scenario: Scenario, options?: RunOptions): Promise<SimulationResult> {
  const run = await runScenario(scenario, options);
  const observed = observe(run);
  const failures = checkExpectations(scenario.expect, observed);
  const output = toOutput(observed, { passed: failures.length === 0, failures });
  return {
    output: run.reports ? { ...output, reports: run.reports } : output,
    run,
    timings: rollbackTimings(run, observed.decisions),
  };
}

/** The `--json` text: byte-identical for the same scenario on every run. */
export function formatJson(output: SimulationOutput): string {
  return `${JSON.stringify(output, null, 2)}\n`;
}
