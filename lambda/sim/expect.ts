import type { Observed } from './output';
import type { Expectations } from './scenario';

/** How many non-matching items a failure message lists, so a long run still gives a readable sentence. */
const MAX_LISTED = 6;

/**
 * Checks a scenario's `expect` block (docs/architecture.md, "Output and expect") and returns one human
 * sentence per failure, naming what was expected and what happened. Anything the simulator could not run
 * fails the run too: a scenario that did not run as written proves nothing.
 */
export function checkExpectations(expect: Expectations | undefined, observed: Observed): string[] {
  const failures: string[] = observed.errors.map(
    (e) => `the scenario did not run as written: ${e.source}: ${e.message}`,
  );
  if (!expect) return failures;

  for (const [api, expected] of Object.entries(expect.calls ?? {})) {
    const actual = observed.calls.filter((c) => c.api === api).length;
    if (actual !== expected) failures.push(`expected ${times(expected, `${api} call`)}, got ${actual}`);
  }

  for (const [target, expected] of Object.entries(expect.final ?? {})) {
    for (const [key, actual] of regional(observed.final, target)) {
      if (actual !== expected)
        failures.push(`expected ${key} to run ${expected} at the end, it runs ${actual || 'nothing'}`);
    }
  }

  for (const { count, ...fields } of expect.decisions ?? []) {
    const matched = observed.decisions.filter((d) => matches(d, fields)).length;
    if (matched !== count) {
      failures.push(
        `expected ${times(count, 'decision')} matching ${JSON.stringify(fields)}, got ${matched}; decisions were: ${list(
          observed.decisions.map((d) => `${d.target} ${d.outcome} (${d.reason}) at ${d.at}`),
        )}`,
      );
    }
  }

  for (const { count, ...fields } of expect.notifications ?? []) {
    const matched = observed.notifications.filter((n) => matches(n, fields)).length;
    if (matched !== count) {
      failures.push(
        `expected ${times(count, 'notification')} matching ${JSON.stringify(fields)}, got ${matched}; notifications were: ${list(
          observed.notifications.map((n) => `${n.kind} for ${n.target} at ${n.at}`),
        )}`,
      );
    }
  }

  for (const { count, ...fields } of expect.ledger ?? []) {
    const matched = observed.ledger.filter((e) => matches(e, fields)).length;
    if (matched !== count) {
      failures.push(
        `expected ${times(count, 'ledger entry', 'ledger entries')} matching ${JSON.stringify(fields)}, got ${matched}; the ledgers were: ${list(
          observed.ledger.map(
            (e) =>
              `${e.target} ${e.version} ${e.status}${e.deployedBy ? ` (deployed by ${e.deployedBy})` : ''}`,
          ),
        )}`,
      );
    }
  }

  for (const [alarm, expected] of Object.entries(expect.alarms ?? {})) {
    for (const [key, actual] of regional(observed.alarms, alarm)) {
      if (actual !== expected)
        failures.push(`expected alarm ${key} to end ${expected}, it ends ${actual ?? 'missing'}`);
    }
  }
  return failures;
}

/**
 * The values an expectation key names: the key itself, or, in a run of several regions (keys `name@region`),
 * the name in every region it exists in. A name found nowhere gives one missing value.
 */
function regional(values: Readonly<Record<string, string>>, key: string): [string, string | undefined][] {
  if (Object.hasOwn(values, key)) return [[key, values[key]]];
  const inRegions = Object.entries(values).filter(([k]) => k.startsWith(`${key}@`));
  return inRegions.length > 0 ? inRegions : [[key, undefined]];
}

/** An item matches when every field the expectation names is equal. */
function matches(item: object, fields: Readonly<Record<string, unknown>>): boolean {
  const values = item as Record<string, unknown>;
  return Object.entries(fields).every(([key, value]) => value === undefined || values[key] === value);
}

function times(count: number, what: string, plural = `${what}s`): string {
  return `${count} ${count === 1 ? what : plural}`;
}

function list(items: readonly string[]): string {
  if (items.length === 0) return 'none';
  const shown = items.slice(0, MAX_LISTED).join(', ');
  return items.length > MAX_LISTED ? `${shown} and ${items.length - MAX_LISTED} more` : shown;
}
