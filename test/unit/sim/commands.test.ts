import type { WatchdogRuntime } from '../../../lambda/handlers/runtime';
import { SIMULATED_OPERATOR_ARN } from '../../../lambda/sim/entry-points';
import { renderTimeline } from '../../../lambda/sim/render';
import { displayArgs } from '../../../lambda/sim/runner';
import { formatJson, simulate } from '../../../lambda/sim/simulate';
import type { InvocationTrace } from '../../../lambda/sim/trace';
import { runCli, tempDir } from '../cli/support';
import { scenarioInput, validScenario } from './support';

/** Timeline `command` entries: run through the operator entry point as an authorised operator. */

const invocations = (trace: readonly { kind: string }[]): InvocationTrace[] =>
  trace.filter((r): r is InvocationTrace => r.kind === 'invocation');

describe('timeline commands', () => {
  it('runs a command at its time as the simulated operator: pause stops the rollback of a bad deploy', async () => {
    const { output, run } = await simulate(
      validScenario({
        timeline: [
          { at: '+0s', command: ['pause', 'checkout'] },
          { at: '+1m', deploy: { target: 'checkout', version: 'checkout:42' } },
          { at: '+10m', command: ['history', 'checkout', '--since', '15m'] },
        ],
      }),
    );
    expect(output.decisions.map((d) => [d.at, d.outcome, d.reason])).toEqual([
      ['2026-03-01T10:02:00.000Z', 'skip', 'paused'],
    ]);
    expect(output.calls.filter((c) => c.api !== 'sns:Publish')).toEqual([]);
    expect(output.final).toEqual({ checkout: 'checkout:42' });

    expect(output.commands.map((c) => Object.keys(c))).toEqual([
      ['at', 'command', 'ok', 'result'],
      ['at', 'command', 'ok', 'result'],
    ]);
    expect(output.commands[0]).toEqual({
      at: '2026-03-01T10:00:00.000Z',
      command: ['pause', 'checkout'],
      ok: true,
      result: {
        target: 'checkout',
        done: true,
        message: 'checkout is paused: no automatic rollback until `watchdog resume checkout`.',
      },
    });
    // The audit names the fixed operator, and a pause without --reason gets the simulator's default reason.
    const history = output.commands[1];
    expect(history?.ok).toBe(true);
    const items = (history as { result: { kind: string; by?: string; detail: string }[] }).result;
    expect(items[0]).toEqual(
      expect.objectContaining({
        kind: 'operator',
        by: SIMULATED_OPERATOR_ARN,
        detail: expect.stringContaining('Reason: simulated operator'),
      }),
    );
    expect(items.map((i) => i.kind)).toEqual(['operator', 'decision']);

    const operator = invocations(run.trace).filter((r) => r.handler === 'onOperator');
    expect(operator.map((r) => [r.subject, r.attempt, r.command?.index])).toEqual([
      ['pause checkout', 1, 0],
      ['history checkout --since 15m', 1, 2],
    ]);
    expect(output.errors).toEqual([]);
    expect(output.expect.passed).toBe(true);
  });

  it('shows a refused command in the timeline and in `commands`, without failing the run', async () => {
    const result = await simulate(
      validScenario({
        timeline: [
          { at: '+0s', deploy: { target: 'checkout', version: 'checkout:42' } },
          { at: '+5m', command: ['approve', 'checkout'] },
          { at: '+6m', command: ['rollback', 'checkout', '--to', 'checkout:40'] },
        ],
        expect: { final: { checkout: 'checkout:41' } },
      }),
    );
    const { output } = result;
    expect(output.commands).toEqual([
      {
        at: '2026-03-01T10:05:00.000Z',
        command: ['approve', 'checkout'],
        ok: false,
        error: { code: 'refused', message: 'no rollback of checkout is awaiting approval' },
      },
      {
        at: '2026-03-01T10:06:00.000Z',
        command: ['rollback', 'checkout', '--to', 'checkout:40'],
        ok: false,
        error: {
          code: 'refused',
          message:
            'checkout:40 is not a known-good version of checkout; pass --force to roll back to it anyway',
        },
      },
    ]);
    expect(output.expect).toEqual({ passed: true, failures: [] });
    expect(output.errors).toEqual([]);
    const plain = renderTimeline(result.run, output, result.timings, { color: false });
    expect(plain).toContain(
      '  +6m      10:06:00  command    rollback checkout --to checkout:40  → refused: checkout:40 is not a known-good version of checkout; pass --force to roll back to it anyway\n',
    );
  });

  it('runs commands due at the same moment in file order, before the sweep of that moment', async () => {
    const { output } = await simulate(
      validScenario({
        timeline: [
          { at: '+5m', command: ['status', 'checkout'] },
          { at: '+5m', command: ['pause', '--reason', 'game day'] },
          { at: '+5m', command: ['status'] },
        ],
      }),
    );
    const statuses = output.commands
      .filter((c) => c.command[0] === 'status')
      .map((c) => (c as { result: { watchdogPaused?: { reason: string } } }).result.watchdogPaused);
    expect(statuses).toEqual([undefined, expect.objectContaining({ reason: 'game day' })]);
  });

  it('answers `unavailable` when the operator function fails, without Lambda retries (a synchronous call)', async () => {
    const { output, run } = await simulate(
      validScenario({ timeline: [{ at: '+3m', command: ['status'] }] }),
      {
        runtime: (real): WatchdogRuntime => ({
          ...real,
          onOperator: () => Promise.reject(new Error('state table unavailable')),
        }),
      },
    );
    expect(output.commands).toEqual([
      {
        at: '2026-03-01T10:03:00.000Z',
        command: ['status'],
        ok: false,
        error: {
          code: 'unavailable',
          message: 'the operator function failed unexpectedly (Error: state table unavailable)',
        },
      },
    ]);
    const operator = invocations(run.trace).filter((r) => r.handler === 'onOperator');
    expect(operator.map((r) => [r.attempt, r.error])).toEqual([[1, 'Error: state table unavailable']]);
    expect(output.failureDestination).toEqual([]);
  });

  it('gives byte-identical JSON for a scenario with commands on every run', async () => {
    const scenario = validScenario({
      timeline: [
        { at: '+0s', deploy: { target: 'checkout', version: 'checkout:42' } },
        { at: '+20m', command: ['history'] },
        { at: '+21m', command: ['status'] },
        { at: '+22m', command: ['drill', 'checkout'] },
      ],
    });
    const first = formatJson((await simulate(scenario)).output);
    expect(formatJson((await simulate(scenario)).output)).toBe(first);
    expect(JSON.parse(first).commands).toHaveLength(3);
  });

  it('quotes arguments with spaces when it shows a command line', () => {
    expect(displayArgs(['pause', 'checkout', '--reason', 'db migration'])).toBe(
      'pause checkout --reason "db migration"',
    );
    expect(displayArgs(['rollback', 'payments', '--to', 'payments@r7'])).toBe(
      'rollback payments --to payments@r7',
    );
  });

  it('rejects a command the CLI would not accept before anything runs (exit 2, at its JSON path)', async () => {
    const dir = tempDir({
      'bad.json': scenarioInput({
        timeline: [
          { at: '+1m', command: ['approve'] },
          { at: '+2m', command: ['pause', 'checkout', '--force'] },
        ],
      }),
    });
    const run = await runCli(['simulate', 'bad.json'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('$.timeline[0].command: ');
    expect(run.stderr).toContain('$.timeline[1].command: ');
  });
});
