import { cpus, totalmem } from 'node:os';
import { COLD_START_TARGET_RATIO, benchColdStart } from './cold-start';
import { costModel } from './cost';
import { benchCriticalPath } from './critical-path';
import { benchRollbackCompletion } from './rollback-completion';
import { benchScale } from './scale';
import { benchAlarmStorm, benchSimulator } from './simulator';
import { benchSweep } from './sweep';
import { benchThroughput } from './throughput';

/**
 * `npm run bench [-- --quick] [-- --json]`: measurements that never run in `npm test` (timings on a shared
 * machine are not pass/fail material). Each section reports its figures and whether its target was met;
 * the exit code is 1 when a target was missed. BENCHMARKS.md records a full run.
 */
async function main(argv: readonly string[]): Promise<number> {
  const json = argv.includes('--json');
  const quick = argv.includes('--quick');
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const say = (line: string) => {
    if (!json) process.stdout.write(`${line}\n`);
  };

  say(
    `Rollback Watchdog benchmarks (${quick ? 'quick' : 'full'}) on ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
  );

  const critical = await benchCriticalPath();
  const {
    ecsInProgress,
    ecsCompleted,
    codeDeployActive,
    codeDeployCompleted,
    codeDeployFirstSight,
    coldConfig,
  } = critical;
  const criticalPathRoundTrips = {
    ecsInProgress,
    ecsCompleted,
    codeDeployActive,
    codeDeployCompleted,
    codeDeployFirstSight,
    coldConfig,
  };
  const criticalMet = critical.met;
  say(
    `critical path (sequential AWS round trips before the rollback call, warm, target <= 3): ${fmt(criticalPathRoundTrips)} ${ok(criticalMet)}`,
  );

  const coldStart = await benchColdStart({ quick });
  const initRatio = Object.fromEntries(Object.entries(coldStart).map(([h, r]) => [h, r.initRatio]));
  const bundleBytes = Object.fromEntries(Object.entries(coldStart).map(([h, r]) => [h, r.bundleBytes]));
  const sourceMapBytes = Object.fromEntries(Object.entries(coldStart).map(([h, r]) => [h, r.sourceMapBytes]));
  const coldMet = Object.values(coldStart).every((r) => r.met);
  say(
    `cold start (init time / floor of the same SDK clients, target <= ${COLD_START_TARGET_RATIO}): ${fmt(initRatio)} ${ok(coldMet)}`,
  );
  say(`  bundle bytes: ${fmt(bundleBytes)}`);
  say(`  source map bytes: ${fmt(sourceMapBytes)}`);

  const throughput = await benchThroughput({ quick });
  const decisionsPerSecond = {
    engine: throughput.engineDecisionsPerSecond,
    useCase: throughput.useCaseDecisionsPerSecond,
  };
  const throughputMet = throughput.engineMet && throughput.useCaseMet;
  say(
    `decision throughput (one core, target >= 50,000/s): engine ${ok(throughput.engineMet)} ${decisionsPerSecond.engine}/s, use case with lean fakes ${ok(throughput.useCaseMet)} ${decisionsPerSecond.useCase}/s`,
  );

  const simulator = await benchSimulator(quick ? 20 : 50, 8);
  say(
    `simulator: ${simulator.events} events over ${simulator.targets} targets in ${simulator.seconds} s (${simulator.eventsPerSecond}/s) ${quick ? '' : ok(simulator.met)}`,
  );

  const alarmStorm = await benchAlarmStorm(quick ? 20 : 200, 2, 13);
  say(
    `alarm storm: ${alarmStorm.events} events, ${alarmStorm.targets} targets x ${alarmStorm.alarmsPerTarget} alarms, ${alarmStorm.deliveries} deliveries each: ${alarmStorm.rollbacks} rollbacks, ${alarmStorm.eventsPerSecond} events/s, peak RSS ${alarmStorm.peakRssMb} MB ${ok(alarmStorm.exactlyOnePerIncident)}`,
  );

  // Up to EXACT_GRANTS_UP_TO targets with exact grants (the default), above with grants by pattern.
  const scale = await benchScale(quick ? [50, 1000] : [50, 140, 500, 1000]);
  for (const row of scale) say(`scale: ${fmt(row)}`);
  const scaleMet = scale.every((r) => Object.values(r.met).every(Boolean) && r.synthSeconds < 60);
  say(
    `  targets: every size within CloudFormation (< 500 resources, < 1 MB), IAM (<= 10 managed policies per role, policies within size), EventBridge (< 2,048 chars), SQS (<= 20 statements), Lambda env (4 KB), synth < 60 s ${ok(scaleMet)}`,
  );
  const templateMet = scale.every((r) => r.templateBytes <= 1_000_000);

  // The worst case: 1,000 targets that all need a look. Quick runs assume 20 ms per AWS call, full ones 50 ms.
  const sweepResult = await benchSweep(1000, undefined, quick ? 20 : 50);
  const sweepMet = sweepResult.withinInterval && sweepResult.peakEcsCallsInOneSecond <= 20;
  say(
    `sweep: ${sweepResult.targets} targets needing a look, ${sweepResult.concurrency} at a time, ${sweepResult.latencyMs} ms per call: ${sweepResult.seconds} s (interval 300 s); calls/s ${fmt(sweepResult.callsPerSecond)}; peak ECS calls of one API in one second ${sweepResult.peakEcsCallsInOneSecond} ${ok(sweepMet)}`,
  );

  // Simulated time, so the same on every machine and in quick runs.
  const rollback = await benchRollbackCompletion();
  const rollbackCompletionSeconds = rollback.servesAllTraffic;
  const rollbackDeploymentCompletedSeconds = rollback.completed;
  say(
    `rollback completion (simulated s from decision to the known-good version serving all traffic): ${fmt(rollbackCompletionSeconds)} ${ok(rollback.met)}`,
  );
  say(
    `  until the rollback deployment completed (ECS's bake included): ${fmt(rollbackDeploymentCompletedSeconds)}`,
  );
  say(`  service settings: ${JSON.stringify(rollback.settings)}`);

  const cost = costModel();
  for (const row of cost)
    say(
      `cost: ${row.targets} targets, ${row.alarmTransitionsPerDay} transitions and ${row.deploymentsPerDay} deployments a day: ~$${row.monthlyUsd.toFixed(2)}/month`,
    );

  const met = {
    criticalPath: criticalMet,
    coldStart: coldMet,
    throughput: throughputMet,
    simulator: quick || simulator.met,
    alarmStorm: alarmStorm.exactlyOnePerIncident,
    scale: scaleMet,
    templateSize: templateMet,
    sweep: sweepMet,
    rollbackCompletion: rollback.met,
  };
  if (json) {
    const machine = {
      cpus: cpus().length,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
    };
    process.stdout.write(
      `${JSON.stringify({ machine, quick, criticalPathRoundTrips, initRatio, bundleBytes, sourceMapBytes, coldStart, decisionsPerSecond, simulator, alarmStorm, scale, sweep: sweepResult, rollbackCompletionSeconds, rollbackDeploymentCompletedSeconds, rollbackBenchSettings: rollback.settings, cost, met }, null, 2)}\n`,
    );
  }
  return Object.values(met).every(Boolean) ? 0 : 1;
}

function fmt(o: object): string {
  return Object.entries(o)
    .filter(([, v]) => typeof v !== 'object')
    .map(([k, v]) => `${k}=${typeof v === 'number' ? Math.round(v * 100) / 100 : String(v)}`)
    .join(' ');
}

function ok(met: boolean): string {
  return met ? '(met)' : '(NOT met)';
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(2);
  },
);
