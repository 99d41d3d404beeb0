import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A fresh copy of a fixture event (from ../shared/events), to vary per test. */
export function fixtureEvent(name: string): Record<string, any> {
  return JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'events', `${name}.json`), 'utf8'));
}

/** The metric-alarm fixture retargeted at `alarmName`, transitioning to `value` at `at`. */
export function alarmEvent(
  alarmName: string,
  value: 'ALARM' | 'OK' | 'INSUFFICIENT_DATA',
  at: Date,
  overrides: { account?: string; region?: string; id?: string } = {},
): Record<string, any> {
  const e = fixtureEvent('cloudwatch-alarm-state-change');
  const account = overrides.account ?? '123456789012';
  const region = overrides.region ?? 'us-east-1';
  e.id = overrides.id ?? `evt-${alarmName}-${value}-${at.getTime()}`;
  e.account = account;
  e.region = region;
  e.time = at.toISOString().replace(/\.\d{3}Z$/, 'Z');
  e.resources = [`arn:aws:cloudwatch:${region}:${account}:alarm:${alarmName}`];
  e.detail.alarmName = alarmName;
  e.detail.state.value = value;
  e.detail.state.timestamp = at.toISOString().replace('Z', '+0000');
  e.detail.previousState.value = value === 'ALARM' ? 'OK' : 'ALARM';
  e.detail.previousState.timestamp = new Date(at.getTime() - 600_000).toISOString().replace('Z', '+0000');
  return e;
}
