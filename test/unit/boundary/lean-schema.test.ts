import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { z } from 'zod';
import * as zm from 'zod/mini';
import * as newAudit from '../../../lambda/boundary/audit-stream';
import * as newAlarm from '../../../lambda/boundary/cloudwatch-alarm-notification';
import * as newEvents from '../../../lambda/boundary/events';
import * as v from '../../../lambda/boundary/lean-schema';
import * as newOperator from '../../../lambda/boundary/operator-request';
import * as newSns from '../../../lambda/boundary/sns-event';
import { mutatedArbitrary, singleMutations, mutate, SPECIAL_VALUES } from '../../support/json-mutations';
import * as oldAudit from '../../support/zod-boundary/audit-stream';
import * as oldAlarm from '../../support/zod-boundary/cloudwatch-alarm-notification';
import * as oldEvents from '../../support/zod-boundary/events';
import * as oldOperator from '../../support/zod-boundary/operator-request';
import * as oldSns from '../../support/zod-boundary/sns-event';

/**
 * The runtime parsers moved from zod to lean-schema.ts (cold start, issue 15) without changing a single
 * message: for a corpus of good inputs and bad variants of them, the zod parsers as they were
 * (test/support/zod-boundary) and the lean ones give the same result, the same problems in the same order, and
 * the same parsed values. Part one compares the toolkit with zod piece by piece on arbitrary JSON; part two
 * compares the parsers end to end on the fixtures, every single-field mutation of them, and random mutations.
 */

/** Inputs as the handlers get them: parsed JSON (own `__proto__` keys survive, as JSON.parse makes them). */
const json = (value: unknown): unknown =>
  value === undefined ? undefined : JSON.parse(JSON.stringify(value));

/**
 * Deep equality with prototypes and absent-versus-undefined keys, as node:util judges it. (Jest's
 * toStrictEqual also compares each object's `constructor` property, which fails two equal objects that both
 * carry an own `constructor` key.) A difference is shown as Jest's diff.
 */
function expectSame(actual: unknown, expected: unknown): void {
  if (isDeepStrictEqual(actual, expected)) return;
  expect(actual).toStrictEqual(expected);
  throw new Error('the results differ in their prototypes');
}

// ---- part one: the toolkit against zod ----

type Outcome =
  | { success: true; data: unknown }
  | { success: false; issues: Array<{ code: string; path: PropertyKey[]; message: string; keys?: unknown }> };

function zodOutcome(
  schema: { safeParse(input: unknown): z.ZodSafeParseResult<unknown> },
  input: unknown,
): Outcome {
  const r = schema.safeParse(input);
  if (r.success) return { success: true, data: r.data };
  return {
    success: false,
    issues: r.error.issues.map((i) => ({
      code: i.code,
      path: [...i.path],
      message: i.message,
      ...('keys' in i ? { keys: i.keys } : {}),
    })),
  };
}

function leanOutcome(schema: v.Schema<unknown>, input: unknown): Outcome {
  const r = schema.safeParse(input);
  if (r.success) return { success: true, data: r.data };
  return {
    success: false,
    issues: r.issues.map((i) => ({
      code: i.code,
      path: [...i.path],
      message: i.message,
      ...(i.keys ? { keys: i.keys } : {}),
    })),
  };
}

const leaf = fc.oneof(
  fc.jsonValue({ maxDepth: 1 }),
  fc.constantFrom(...SPECIAL_VALUES),
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
  fc.array(fc.oneof(fc.string({ maxLength: 4 }), fc.integer()), { maxLength: 5 }),
  fc.record({
    length: fc.oneof(fc.integer({ min: -1, max: 10 }), fc.string({ maxLength: 2 }), fc.constant(null)),
  }),
);
const KEYS = ['a', 'b', 'c', 't', 'list', 'o', 'x', 'y', 'length', '__proto__', 'constructor', '0'];
const objectInput = (depth: number): fc.Arbitrary<unknown> =>
  fc.dictionary(fc.constantFrom(...KEYS), depth > 0 ? fc.oneof(leaf, objectInput(depth - 1)) : leaf, {
    maxKeys: 6,
  });
const anyInput = fc.oneof(leaf, objectInput(2), fc.array(fc.oneof(leaf, objectInput(1)), { maxLength: 4 }));

/** Pairs of equivalent schemas, one per rule the parsers rely on. */
const PAIRS: ReadonlyArray<readonly [string, z.ZodType | zm.ZodMiniType, v.Schema<unknown>]> = [
  ['string', z.string(), v.string()],
  ['string with its own message', z.string({ error: 'E' }), v.string('E')],
  ['string min/max (code points)', z.string().min(2).max(5), v.string().min(2).max(5)],
  [
    'string: type message for checks without one',
    z.string({ error: 'T' }).min(2).max(5, { error: 'M' }).regex(/^a/),
    v.string('T').min(2).max(5, 'M').regex(/^a/),
  ],
  ['string regex', z.string().regex(/^\d+$/), v.string().regex(/^\d+$/)],
  [
    'string refine after a failed check',
    z
      .string()
      .max(3, { message: 'M' })
      .refine((s) => s !== 'ab', { message: 'R' }),
    v
      .string()
      .max(3, 'M')
      .refine((s) => s !== 'ab', 'R'),
  ],
  [
    'refine without a message',
    z.string().refine((s) => s.length !== 1),
    v.string().refine((s) => s.length !== 1),
  ],
  ['number', z.number(), v.number()],
  [
    'whole number with one message',
    z.number({ error: 'N' }).int({ error: 'N' }).min(0, { error: 'N' }).max(10, { error: 'N' }),
    v.number('N').int('N').min(0, 'N').max(10, 'N'),
  ],
  ['whole number, zod messages', z.number().int().min(-5).max(5), v.number().int().min(-5).max(5)],
  ['boolean', z.boolean({ error: 'B' }), v.boolean('B')],
  ['literal', z.literal('a'), v.literal('a')],
  ['enum', z.enum(['a', 'b', 'ALARM']), v.enumOf(['a', 'b', 'ALARM'])],
  ['enum with a message (mini)', zm.enum(['OK', 'ALARM'], { error: 'S' }), v.enumOf(['OK', 'ALARM'], 'S')],
  ['array', z.array(z.number()), v.array(v.number())],
  [
    'array: an over-long one is reported once',
    z
      .array(z.string().max(2))
      .max(2, 'too many')
      .min(1)
      .refine((a) => a[0] !== 'x', 'first'),
    v
      .array(v.string().max(2))
      .max(2, 'too many')
      .min(1)
      .refine((a) => a[0] !== 'x', 'first'),
  ],
  ['array min then max', z.array(z.string()).min(1).max(3), v.array(v.string()).min(1).max(3)],
  [
    'loose object, optional and nullish keys',
    z.looseObject({ a: z.string(), b: z.number().optional(), c: z.string().nullish() }),
    v.looseObject({ a: v.string(), b: v.number().optional(), c: v.string().nullish() }),
  ],
  [
    'loose object with an object check',
    z.looseObject({ a: z.string().min(2), b: z.array(z.string()) }).superRefine((o, ctx) => {
      if (o.b[0] !== o.a) ctx.addIssue({ code: 'custom', path: ['b', 0], message: 'must be a' });
    }),
    v.looseObject({ a: v.string().min(2), b: v.array(v.string()) }).superRefine((o, ctx) => {
      if (o.b[0] !== o.a) ctx.addIssue({ path: ['b', 0], message: 'must be a' });
    }),
  ],
  [
    'strict object',
    z.strictObject({ a: z.literal('x'), b: z.boolean().optional() }),
    v.strictObject({ a: v.literal('x'), b: v.boolean().optional() }),
  ],
  [
    'strict object: unknown keys let the object checks run',
    z.strictObject({ a: z.string() }).refine((o) => o.a.length > 1, 'short'),
    v.strictObject({ a: v.string() }).refine((o) => o.a.length > 1, 'short'),
  ],
  [
    'string: type message for a max check without one',
    z
      .string({ error: 'T' })
      .max(3)
      .regex(/^[a-z]*$/),
    v
      .string('T')
      .max(3)
      .regex(/^[a-z]*$/),
  ],
  ['record', z.record(z.string(), z.string()), v.record(v.string())],
  [
    'record of records',
    z.record(z.string(), z.record(z.string(), z.unknown())),
    v.record(v.record(v.unknown())),
  ],
  [
    'transform',
    z.looseObject({
      t: z
        .string()
        .transform((s) => s.length)
        .optional(),
    }),
    v.looseObject({
      t: v
        .string()
        .transform((s) => s.length)
        .optional(),
    }),
  ],
  [
    'nested',
    z.looseObject({ o: z.looseObject({ list: z.array(z.looseObject({ y: z.string().min(1) })).max(3) }) }),
    v.looseObject({ o: v.looseObject({ list: v.array(v.looseObject({ y: v.string().min(1) })).max(3) }) }),
  ],
];

describe('lean-schema against zod, rule by rule', () => {
  it.each(PAIRS)('%s: same outcome on arbitrary JSON', (_name, zodSchema, leanSchema) => {
    fc.assert(
      fc.property(anyInput, (raw) => {
        const input = json(raw);
        expectSame(leanOutcome(leanSchema, input), zodOutcome(zodSchema as unknown as z.ZodType, input));
      }),
      { numRuns: 400 },
    );
  });

  it('reports a value that is absent from an object under a non-optional key', () => {
    const input = { b: 1 };
    expectSame(
      leanOutcome(v.looseObject({ a: v.unknown() }), input),
      zodOutcome(z.looseObject({ a: z.unknown() }), input),
    );
  });
});

// ---- part two: the parsers end to end ----

const FIXTURES = join(__dirname, '..', '..', 'fixtures');
const readJson = (...parts: string[]): Record<string, any> =>
  JSON.parse(readFileSync(join(FIXTURES, ...parts), 'utf8'));
const EVENT_FIXTURES = readdirSync(join(FIXTURES, 'events')).map((f) => readJson('events', f));
const SNS_FIXTURES = readdirSync(join(FIXTURES, 'sns')).map((f) => readJson('sns', f));
const ALARM_MESSAGES = SNS_FIXTURES.map((e) => JSON.parse(e.Records[0].Sns.Message as string));
/** The clock for the future-timestamp rule: after every fixture. */
const NOW = Date.parse('2026-03-01T10:10:00Z');

const CHATBOT = {
  version: '1.0',
  source: 'custom',
  content: {
    title: 'Rolling back checkout',
    description: 'What fired: checkout-5xx',
    nextSteps: ['npx watchdog status checkout'],
    keywords: ['checkout', 'rollback-started'],
  },
  metadata: {
    threadId: 'checkout',
    additionalContext: { kind: 'rollback-started', target: 'checkout' },
  },
};
const withMessage = (event: Record<string, any>, message: unknown): Record<string, any> => {
  const copy = structuredClone(event);
  copy.Records[0].Sns.Message = typeof message === 'string' ? message : JSON.stringify(message);
  copy.Records[0].Sns.MessageAttributes = { severity: { Type: 'String', Value: 'critical' } };
  return copy;
};
const CHATBOT_EVENT = withMessage(SNS_FIXTURES[0], CHATBOT);
const SNS_EVENTS = [...SNS_FIXTURES, CHATBOT_EVENT];

const OPERATOR_REQUESTS = [
  { command: 'status' },
  { command: 'status', target: 'checkout' },
  { command: 'history', target: 'checkout', sinceMs: 1_772_359_262_000, limit: 10 },
  { command: 'pause', target: 'checkout', reason: 'incident 42', forMinutes: 60 },
  { command: 'resume' },
  { command: 'approve', target: 'checkout' },
  { command: 'rollback', target: 'checkout', to: 'checkout:41', reason: 'bad deploy', force: true },
  { command: 'drill', target: 'checkout', live: false, alarm: 'checkout-5xx' },
];

const streamRecord = (sequenceNumber: string) => ({
  eventID: `e-${sequenceNumber}`,
  eventName: 'INSERT',
  eventSource: 'aws:dynamodb',
  dynamodb: {
    ApproximateCreationDateTime: 1772359262,
    NewImage: { pk: { S: 'AUDIT#checkout' }, entry: { M: { type: { S: 'operator' } } } },
    SequenceNumber: sequenceNumber,
  },
});
const STREAM_EVENTS = [{ Records: [streamRecord('11'), streamRecord('12')] }];

/** A parser pair, the good inputs it accepts, and the inputs its bad variants are made from. */
interface Case {
  readonly name: string;
  readonly good: readonly unknown[];
  readonly bases: readonly unknown[];
  readonly before: (input: unknown) => unknown;
  readonly after: (input: unknown) => unknown;
}

/** Wraps an alarm notification body as the parser gets it: a string, at its path in the SNS event. */
const AT = ['Records', 0, 'Sns', 'Message'];
const asBody = (message: unknown): string =>
  typeof message === 'string' ? message : JSON.stringify(message ?? null);
/** The audit stream parser throws for a non-event: the outcome is the error's message. */
const outcomeOf = (parse: () => unknown): unknown => {
  try {
    return { returned: parse() };
  } catch (error) {
    return { threw: String(error) };
  }
};

const EVENT_PARSERS = [
  ['parseAlarmEvent', 'aws.cloudwatch'],
  ['parseEcsDeploymentEvent', 'aws.ecs'],
  ['parseCodeDeployEvent', 'aws.codedeploy'],
] as const;

const CASES: readonly Case[] = [
  ...EVENT_PARSERS.flatMap(([fn, source]) => {
    // CloudTrail records of the same sources (who deployed) are another parser's, with no zod original.
    const events = EVENT_FIXTURES.filter(
      (e) => e.source === source && e['detail-type'] !== 'AWS API Call via CloudTrail',
    );
    return [
      {
        name: fn,
        good: events,
        bases: events,
        before: (e: unknown) => oldEvents[fn](e),
        after: (e: unknown) => newEvents[fn](e),
      },
      {
        name: `${fn} with a clock`,
        good: events,
        bases: events,
        before: (e: unknown) => oldEvents[fn](e, { now: NOW }),
        after: (e: unknown) => newEvents[fn](e, { now: NOW }),
      },
    ];
  }),
  {
    name: 'parseOperatorRequest',
    good: OPERATOR_REQUESTS,
    bases: OPERATOR_REQUESTS,
    before: (r) => oldOperator.parseOperatorRequest(r),
    after: (r) => newOperator.parseOperatorRequest(r),
  },
  {
    name: 'parseSnsChatbotEvent',
    good: [CHATBOT_EVENT],
    bases: SNS_EVENTS,
    before: (e) => oldSns.parseSnsChatbotEvent(e),
    after: (e) => newSns.parseSnsChatbotEvent(e),
  },
  {
    name: 'parseSnsForwarderEvent',
    good: SNS_EVENTS,
    bases: SNS_EVENTS,
    before: (e) => oldAlarm.parseSnsForwarderEvent(e),
    after: (e) => newAlarm.parseSnsForwarderEvent(e),
  },
  {
    name: 'parseCloudWatchAlarmNotification',
    good: ALARM_MESSAGES,
    bases: ALARM_MESSAGES,
    before: (m) => oldAlarm.parseCloudWatchAlarmNotification(asBody(m), AT),
    after: (m) => newAlarm.parseCloudWatchAlarmNotification(asBody(m), AT),
  },
  {
    name: 'parseSnsChatbotEvent (the message)',
    good: [CHATBOT],
    bases: [CHATBOT],
    before: (m) => oldSns.parseSnsChatbotEvent(withMessage(SNS_FIXTURES[0], asBody(m))),
    after: (m) => newSns.parseSnsChatbotEvent(withMessage(SNS_FIXTURES[0], asBody(m))),
  },
  {
    name: 'parseSnsForwarderEvent (the message)',
    good: [...ALARM_MESSAGES, CHATBOT],
    bases: [...ALARM_MESSAGES, CHATBOT],
    before: (m) => oldAlarm.parseSnsForwarderEvent(withMessage(SNS_FIXTURES[0], asBody(m))),
    after: (m) => newAlarm.parseSnsForwarderEvent(withMessage(SNS_FIXTURES[0], asBody(m))),
  },
  {
    name: 'parseAuditStreamEvent',
    good: STREAM_EVENTS,
    bases: STREAM_EVENTS,
    before: (e) => outcomeOf(() => oldAudit.parseAuditStreamEvent(e)),
    after: (e) => outcomeOf(() => newAudit.parseAuditStreamEvent(e)),
  },
];

describe.each(CASES)('$name: lean parser against the zod one', ({ good, bases, before, after }) => {
  it('accepts every good input with the same value', () => {
    for (const base of good) {
      const expected = before(json(base));
      expect(JSON.stringify(expected)).not.toMatch(/"ok":false/);
      expectSame(after(json(base)), expected);
    }
  });

  it('gives the same result for every single-field mutation (drop, wrong type, too long, extra key)', () => {
    let rejected = 0;
    for (const base of bases) {
      for (const { path, mutation } of singleMutations(base)) {
        const input = mutate(base, path, mutation);
        const expected = before(input);
        if (JSON.stringify(expected)?.includes('"ok":false') || JSON.stringify(expected)?.includes('threw'))
          rejected++;
        // The path and mutation in both, so that a difference names them.
        const where = { path, mutation: JSON.stringify(mutation).slice(0, 120) };
        expectSame({ ...where, result: after(input) }, { ...where, result: expected });
      }
    }
    // The corpus exercises rejections, not just acceptances.
    expect(rejected).toBeGreaterThan(bases.length * 10);
  });

  it('gives the same result for random combinations of mutations', () => {
    fc.assert(
      fc.property(mutatedArbitrary(bases), (input) => {
        expectSame(after(input), before(input));
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same result for arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), (input) => {
        expectSame(after(input), before(input));
      }),
      { numRuns: 200 },
    );
  });
});
