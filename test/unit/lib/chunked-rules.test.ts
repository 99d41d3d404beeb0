import { App, ArnFormat, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import { ChunkedRules, maxResolvedLength } from '../../../lib/private/chunked-rules';

describe('maxResolvedLength', () => {
  const stack = new Stack(new App(), 'Stack');

  it('is the length of a literal', () => {
    expect(maxResolvedLength(stack, 'checkout-5xx')).toBe(12);
  });

  it('bounds pseudo parameters by their longest values', () => {
    const arn = stack.formatArn({
      service: 'ecs',
      resource: 'service',
      resourceName: 'prod/web',
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    // "arn::ecs:::service/prod/web" plus partition 10, region 16, account 12.
    expect(maxResolvedLength(stack, arn)).toBe('arn::ecs:::service/prod/web'.length + 10 + 16 + 12);
  });

  it('bounds any other token by the longest AWS resource name', () => {
    const alarm = new cloudwatch.Alarm(stack, 'Alarm', {
      metric: new cloudwatch.Metric({ namespace: 'N', metricName: 'M' }),
      threshold: 1,
      evaluationPeriods: 1,
    });
    expect(maxResolvedLength(stack, `${alarm.alarmName}-x`)).toBe(255 + 2);
  });
});

describe('ChunkedRules', () => {
  function build(values: string[]) {
    const stack = new Stack(new App(), 'Stack');
    const base = { source: ['test'] };
    const rules = new ChunkedRules(
      stack,
      (i) => new events.Rule(stack, `Rule${i}`, { eventPattern: base }),
      JSON.stringify({ ...base, detail: { name: [] } }).length,
      (value) => ({ detail: { name: [value] } }),
    );
    values.forEach((v) => rules.add(v));
    const patterns = Object.values(Template.fromStack(stack).findResources('AWS::Events::Rule')).map(
      (r) => (r as { Properties: { EventPattern: { detail: { name: string[] } } } }).Properties.EventPattern,
    );
    return { rules, patterns };
  }

  it('keeps a short list in one rule, without duplicates', () => {
    const { rules, patterns } = build(['a', 'b', 'a']);
    expect(rules.rules).toHaveLength(1);
    expect(patterns).toEqual([{ source: ['test'], detail: { name: ['a', 'b'] } }]);
  });

  it('starts a new rule before a pattern could pass 2,048 characters', () => {
    const values = Array.from({ length: 60 }, (_, i) => `${'x'.repeat(90)}-${i}`);
    const { rules, patterns } = build(values);
    expect(rules.rules.length).toBe(patterns.length);
    expect(patterns.length).toBeGreaterThanOrEqual(3);
    for (const pattern of patterns) expect(JSON.stringify(pattern).length).toBeLessThanOrEqual(2048);
    expect(patterns.flatMap((p) => p.detail.name)).toEqual(values);
  });
});
