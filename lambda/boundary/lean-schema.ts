/**
 * A small schema toolkit for the parsers the Lambda handlers run (events, operator requests, SNS messages,
 * stream records). It exists for cold start: zod costs ~445 KB and tens of milliseconds in every bundle, and
 * the handlers need only a handful of its types. The CLI and synth keep zod (config-schema.ts, scenarios).
 *
 * It reproduces zod 4's behaviour exactly for what it offers, so the problems a rejected input gets are the
 * same text, paths and order as before (test/unit/boundary/lean-schema.test.ts compares the two on a corpus
 * of good and bad inputs):
 * - every problem is reported, in shape order, then unknown keys of a strict object, then object checks;
 * - a type mismatch stops the checks of its value and of every enclosing value, except length checks, which
 *   run on anything with a `length` (an array given where a string was due is also "too long");
 * - a failed check lets the later checks run; a failed integer check stops them all; an over-long array is
 *   reported once and its items are not read;
 * - string lengths count code points; a message given to a type (`string('must be ...')`) is also the
 *   message of its checks that have none; absent optional keys are left out of the output.
 * Inputs are parsed JSON: record keys are strings, objects are plain.
 */

/** The kinds of problem, named as zod names them. */
export type IssueCode =
  | 'invalid_type'
  | 'invalid_value'
  | 'too_big'
  | 'too_small'
  | 'invalid_format'
  | 'unrecognized_keys'
  | 'custom';

/** One problem: where (relative to the parsed value), what kind, and the message. */
export interface Issue {
  readonly code: IssueCode;
  readonly path: readonly PropertyKey[];
  readonly message: string;
  /** The unknown keys, for `unrecognized_keys`. */
  readonly keys?: readonly string[];
}

export type SafeParseResult<T> =
  | { readonly success: true; readonly data: T }
  | { readonly success: false; readonly issues: readonly Issue[] };

/**
 * How a problem affects what runs after it: `true` lets later checks run (a failed check), `false` stops
 * every later check (a failed integer check, an over-long array), absent stops all but length checks (a type
 * mismatch). zod calls this `continue`.
 */
type Flow = boolean | undefined;

/** An issue while parsing: its path grows as it passes up through the enclosing schemas. */
export interface WorkingIssue {
  code: IssueCode;
  path: PropertyKey[];
  message: string;
  keys?: string[];
  flow: Flow;
}

/** A value being parsed, the problems found so far, and whether a failed step stopped it. */
export interface Payload {
  value: unknown;
  issues: WorkingIssue[];
  stopped?: boolean;
}

/** Whether an issue from `from` on (or a stopped step) stops the checks that do not look at lengths. */
function halted(p: Payload, from = 0): boolean {
  return p.stopped === true || p.issues.slice(from).some((i) => i.flow !== true);
}

/** Whether a problem stops even length checks. */
function haltedOutright(p: Payload): boolean {
  return p.stopped === true || p.issues.some((i) => i.flow === false);
}

interface Check {
  /** Length checks run on any non-null value with a `length`, even after a type mismatch. */
  readonly length?: { readonly maximum?: number };
  /** Adds the check's problems to `p`; `typeError` is the owning schema's message, for checks without one. */
  readonly run: (p: Payload, typeError: string | undefined) => void;
}

function hasLength(value: unknown): boolean {
  return value !== null && value !== undefined && (value as { length?: unknown }).length !== undefined;
}

function runChecks(p: Payload, checks: readonly Check[], typeError: string | undefined): void {
  let stopped = halted(p);
  for (const check of checks) {
    if (check.length) {
      if (haltedOutright(p) || !hasLength(p.value)) continue;
    } else if (stopped) {
      continue;
    }
    const before = p.issues.length;
    check.run(p, typeError);
    if (!stopped) stopped = halted(p, before);
  }
}

/** A schema: parses an unknown value into `T`, or says every way in which it is not one. */
export abstract class Schema<T> {
  /** The parsed type, for `Infer`; never set. */
  declare readonly _output: T;
  /** Whether an object may leave this key out. */
  readonly optionalKey: boolean = false;

  protected constructor(
    protected readonly checks: readonly Check[],
    /** The message for a value of the wrong type, and for this schema's checks that give none. */
    protected readonly error?: string,
  ) {}

  /** Parses the value's type and its parts, adding problems to `p` and leaving the output in `p.value`. */
  protected abstract parseType(p: Payload): void;

  /** The same schema with more checks. */
  protected abstract withChecks(checks: readonly Check[]): this;

  /** @internal parses `p` in place (used by enclosing schemas). */
  run(p: Payload): Payload {
    this.parseType(p);
    if (this.checks.length > 0) runChecks(p, this.checks, this.error);
    return p;
  }

  safeParse(input: unknown): SafeParseResult<T> {
    const p = this.run({ value: input, issues: [] });
    if (p.issues.length === 0) return { success: true, data: p.value as T };
    return {
      success: false,
      issues: p.issues.map(({ code, path, message, keys }) => ({
        code,
        path,
        message,
        ...(keys ? { keys } : {}),
      })),
    };
  }

  protected check(check: Check): this {
    return this.withChecks([...this.checks, check]);
  }

  /** Fails with `message` (or the schema's own) when `ok` is false; runs only on a value of the right type. */
  refine(ok: (value: T) => boolean, message?: string): this {
    return this.check({
      run: (p, typeError) => {
        if (!ok(p.value as T))
          p.issues.push({
            code: 'custom',
            path: [],
            message: message ?? typeError ?? 'Invalid input',
            flow: true,
          });
      },
    });
  }

  /** Adds any number of problems, each with its own path; runs only when nothing so far stopped the checks. */
  superRefine(refinement: (value: T, ctx: RefinementContext) => void): this {
    return this.check({
      run: (p) =>
        refinement(p.value as T, {
          addIssue: ({ path = [], message }) =>
            p.issues.push({ code: 'custom', path: [...path], message, flow: true }),
        }),
    });
  }

  /** The parsed value mapped by `fn`; `fn` never sees a value that had a problem. */
  transform<U>(fn: (value: T) => U): Schema<U> {
    return new PipeSchema(this, fn);
  }

  optional(): OptionalSchema<T> {
    return new OptionalSchema(this);
  }

  /** Absent or null, or else `T`. */
  nullish(): OptionalSchema<T | null> {
    return new OptionalSchema(new NullableSchema(this));
  }
}

export interface RefinementContext {
  addIssue(issue: { readonly path?: readonly PropertyKey[]; readonly message: string }): void;
}

export type Infer<S extends Schema<unknown>> = S['_output'];

// ---- messages (zod's English wording) ----

type Primitive = string | number | boolean | null;

function quote(value: Primitive): string {
  return typeof value === 'string' ? `"${value}"` : String(value);
}

/** zod's name for the type of a value in "received ...". */
function typeName(value: unknown): string {
  if (typeof value === 'number')
    return Number.isNaN(value) ? 'NaN' : Number.isFinite(value) ? 'number' : String(value);
  if (typeof value !== 'object') return typeof value;
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  const proto: unknown = Object.getPrototypeOf(value);
  const ctor = (value as { constructor?: { name?: string } }).constructor;
  return proto !== Object.prototype && 'constructor' in value && ctor ? String(ctor.name) : 'object';
}

function invalidType(expected: string, input: unknown): string {
  return `Invalid input: expected ${expected}, received ${typeName(input)}`;
}

const SIZED: Readonly<Record<string, string>> = { string: 'characters', array: 'items' };

function bound(kind: 'big' | 'small', origin: string, limit: number): string {
  const [word, op] = kind === 'big' ? ['Too big', '<='] : ['Too small', '>='];
  const unit = SIZED[origin];
  return unit
    ? `${word}: expected ${origin} to have ${op}${limit} ${unit}`
    : `${word}: expected ${origin} to be ${op}${limit}`;
}

function lengthOrigin(value: unknown): string {
  return Array.isArray(value) ? 'array' : typeof value === 'string' ? 'string' : 'unknown';
}

/** Length in code points for a string (a surrogate pair counts once), else the value's own `length`. */
function lengthOf(value: unknown): number {
  if (typeof value !== 'string') return (value as { length: number }).length;
  let count = value.length;
  for (let i = 0; i < value.length - 1; i++) {
    const pair = (value.charCodeAt(i) & 0xfc00) === 0xd800 && (value.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
    if (pair) {
      count--;
      i++;
    }
  }
  return count;
}

function maxLength(maximum: number, message: string | undefined, flow: Flow = true): Check {
  return {
    length: { maximum },
    run: (p, typeError) => {
      if (lengthOf(p.value) <= maximum) return;
      const origin = lengthOrigin(p.value);
      p.issues.push({
        code: 'too_big',
        path: [],
        message: message ?? typeError ?? bound('big', origin, maximum),
        flow,
      });
    },
  };
}

function minLength(minimum: number, message: string | undefined): Check {
  return {
    length: {},
    run: (p, typeError) => {
      if (lengthOf(p.value) >= minimum) return;
      const origin = lengthOrigin(p.value);
      p.issues.push({
        code: 'too_small',
        path: [],
        message: message ?? typeError ?? bound('small', origin, minimum),
        flow: true,
      });
    },
  };
}

// ---- scalar types ----

/** The issue of a value that is not of the scalar type `expected`; the schema's own message wins. */
function pushInvalidType(p: Payload, expected: string, error: string | undefined): void {
  p.issues.push({
    code: 'invalid_type',
    path: [],
    message: error ?? invalidType(expected, p.value),
    flow: undefined,
  });
}

export class StringSchema extends Schema<string> {
  constructor(checks: readonly Check[] = [], error?: string) {
    super(checks, error);
  }

  protected parseType(p: Payload): void {
    if (typeof p.value !== 'string') pushInvalidType(p, 'string', this.error);
  }

  protected withChecks(checks: readonly Check[]): this {
    return new StringSchema(checks, this.error) as this;
  }

  /** At least `n` characters (code points). */
  min(n: number, message?: string): this {
    return this.check(minLength(n, message));
  }

  /** At most `n` characters (code points). */
  max(n: number, message?: string): this {
    return this.check(maxLength(n, message));
  }

  regex(pattern: RegExp, message?: string): this {
    return this.check({
      run: (p, typeError) => {
        pattern.lastIndex = 0;
        if (pattern.test(p.value as string)) return;
        p.issues.push({
          code: 'invalid_format',
          path: [],
          message: message ?? typeError ?? `Invalid string: must match pattern ${String(pattern)}`,
          flow: true,
        });
      },
    });
  }
}

export class NumberSchema extends Schema<number> {
  constructor(checks: readonly Check[] = [], error?: string) {
    super(checks, error);
  }

  /** A finite number: NaN and the infinities are refused. */
  protected parseType(p: Payload): void {
    if (typeof p.value !== 'number' || !Number.isFinite(p.value)) pushInvalidType(p, 'number', this.error);
  }

  protected withChecks(checks: readonly Check[]): this {
    return new NumberSchema(checks, this.error) as this;
  }

  /** A safe integer; a fraction stops the later checks. */
  int(message?: string): this {
    return this.check({
      run: (p, typeError) => {
        const value = p.value as number;
        const say = (fallback: string) => message ?? typeError ?? fallback;
        if (!Number.isInteger(value)) {
          p.issues.push({
            code: 'invalid_type',
            path: [],
            message: say(invalidType('int', value)),
            flow: false,
          });
        } else if (value > Number.MAX_SAFE_INTEGER) {
          const text = say(bound('big', 'int', Number.MAX_SAFE_INTEGER));
          p.issues.push({ code: 'too_big', path: [], message: text, flow: true });
        } else if (value < Number.MIN_SAFE_INTEGER) {
          const text = say(bound('small', 'int', Number.MIN_SAFE_INTEGER));
          p.issues.push({ code: 'too_small', path: [], message: text, flow: true });
        }
      },
    });
  }

  /** At least `n` (inclusive). */
  min(n: number, message?: string): this {
    return this.check({
      run: (p, typeError) => {
        if ((p.value as number) >= n) return;
        p.issues.push({
          code: 'too_small',
          path: [],
          message: message ?? typeError ?? bound('small', 'number', n),
          flow: true,
        });
      },
    });
  }

  /** At most `n` (inclusive). */
  max(n: number, message?: string): this {
    return this.check({
      run: (p, typeError) => {
        if ((p.value as number) <= n) return;
        p.issues.push({
          code: 'too_big',
          path: [],
          message: message ?? typeError ?? bound('big', 'number', n),
          flow: true,
        });
      },
    });
  }
}

export class BooleanSchema extends Schema<boolean> {
  constructor(checks: readonly Check[] = [], error?: string) {
    super(checks, error);
  }

  protected parseType(p: Payload): void {
    if (typeof p.value !== 'boolean') pushInvalidType(p, 'boolean', this.error);
  }

  protected withChecks(checks: readonly Check[]): this {
    return new BooleanSchema(checks, this.error) as this;
  }
}

/** One of the given values (one value: a literal; several: an enum). */
export class ValuesSchema<T extends Primitive> extends Schema<T> {
  constructor(
    readonly values: readonly T[],
    checks: readonly Check[] = [],
    error?: string,
  ) {
    super(checks, error);
  }

  protected parseType(p: Payload): void {
    if ((this.values as readonly unknown[]).includes(p.value)) return;
    const message =
      this.values.length === 1
        ? `Invalid input: expected ${quote(this.values[0])}`
        : `Invalid option: expected one of ${this.values.map(quote).join('|')}`;
    p.issues.push({ code: 'invalid_value', path: [], message: this.error ?? message, flow: undefined });
  }

  protected withChecks(checks: readonly Check[]): this {
    return new ValuesSchema(this.values, checks, this.error) as this;
  }
}

/** Anything; kept as it is. */
export class UnknownSchema extends Schema<unknown> {
  constructor(checks: readonly Check[] = []) {
    super(checks);
  }

  protected parseType(): void {}

  protected withChecks(checks: readonly Check[]): this {
    return new UnknownSchema(checks) as this;
  }
}

// ---- wrappers ----

export class OptionalSchema<T> extends Schema<T | undefined> {
  override readonly optionalKey = true;

  constructor(
    readonly inner: Schema<T>,
    checks: readonly Check[] = [],
  ) {
    super(checks);
  }

  protected parseType(p: Payload): void {
    if (p.value !== undefined) this.inner.run(p);
  }

  protected withChecks(checks: readonly Check[]): this {
    return new OptionalSchema(this.inner, checks) as this;
  }
}

export class NullableSchema<T> extends Schema<T | null> {
  override readonly optionalKey: boolean;

  constructor(
    readonly inner: Schema<T>,
    checks: readonly Check[] = [],
  ) {
    super(checks);
    this.optionalKey = inner.optionalKey;
  }

  protected parseType(p: Payload): void {
    if (p.value !== null) this.inner.run(p);
  }

  protected withChecks(checks: readonly Check[]): this {
    return new NullableSchema(this.inner, checks) as this;
  }
}

class PipeSchema<In, Out> extends Schema<Out> {
  constructor(
    private readonly input: Schema<In>,
    private readonly fn: (value: In) => Out,
    checks: readonly Check[] = [],
  ) {
    super(checks);
  }

  /** Any problem but an unknown key stops the pipe: the transform never sees a value that failed. */
  protected parseType(p: Payload): void {
    this.input.run(p);
    if (p.issues.some((i) => i.code !== 'unrecognized_keys')) p.stopped = true;
    else p.value = this.fn(p.value as In);
  }

  protected withChecks(checks: readonly Check[]): this {
    return new PipeSchema(this.input, this.fn, checks) as this;
  }
}

// ---- containers ----

/** Runs `schema` on `value` alone and returns its problems with `key` put in front of their paths. */
function runPart(schema: Schema<unknown>, value: unknown, key: PropertyKey): Payload {
  const part = schema.run({ value, issues: [] });
  for (const issue of part.issues) issue.path.unshift(key);
  return part;
}

export class ArraySchema<T> extends Schema<T[]> {
  constructor(
    readonly element: Schema<T>,
    checks: readonly Check[] = [],
  ) {
    super(checks);
  }

  protected parseType(p: Payload): void {
    const input = p.value;
    if (!Array.isArray(input)) {
      p.issues.push({
        code: 'invalid_type',
        path: [],
        message: invalidType('array', input),
        flow: undefined,
      });
      return;
    }
    if (this.reportedTooLong(p, input)) return;
    const out: unknown[] = new Array<unknown>(input.length);
    for (let i = 0; i < input.length; i++) {
      const part = runPart(this.element, input[i], i);
      p.issues.push(...part.issues);
      out[i] = part.value;
    }
    p.value = out;
  }

  /**
   * An array longer than a leading `max` check allows is reported by that check alone, and nothing else runs:
   * a huge list costs one problem, not one per item.
   */
  private reportedTooLong(p: Payload, input: readonly unknown[]): boolean {
    for (const check of this.checks) {
      if (!check.length) break;
      const { maximum } = check.length;
      if (maximum === undefined || input.length <= maximum) continue;
      const before = p.issues.length;
      check.run(p, this.error);
      p.issues[before].flow = false;
      return true;
    }
    return false;
  }

  protected withChecks(checks: readonly Check[]): this {
    return new ArraySchema(this.element, checks) as this;
  }

  min(n: number, message?: string): this {
    return this.check(minLength(n, message));
  }

  max(n: number, message?: string): this {
    return this.check(maxLength(n, message));
  }
}

export type Shape = Readonly<Record<string, Schema<unknown>>>;

type OptionalKeys<S extends Shape> = {
  [K in keyof S]: S[K] extends { readonly optionalKey: true } ? K : never;
}[keyof S];

type Flatten<T> = { [K in keyof T]: T[K] };

export type ObjectOutput<S extends Shape> = Flatten<
  { -readonly [K in Exclude<keyof S, OptionalKeys<S>>]: Infer<S[K]> } & {
    -readonly [K in OptionalKeys<S>]?: Infer<S[K]>;
  }
>;

/** Unknown keys: kept as they are (`loose`, AWS adds fields over time) or each a problem (`strict`). */
type UnknownKeys = 'loose' | 'strict';

export class ObjectSchema<S extends Shape, T> extends Schema<T> {
  constructor(
    readonly shape: S,
    private readonly unknownKeys: UnknownKeys,
    checks: readonly Check[] = [],
  ) {
    super(checks);
  }

  protected parseType(p: Payload): void {
    const input = p.value;
    if (!isPlainRecord(input)) {
      p.issues.push({
        code: 'invalid_type',
        path: [],
        message: invalidType('object', input),
        flow: undefined,
      });
      return;
    }
    const out: Record<string, unknown> = {};
    for (const [key, schema] of Object.entries(this.shape)) {
      if (key === '__proto__') continue;
      const present = key in input;
      const part = runPart(schema, input[key], key);
      if (schema.optionalKey) {
        // An absent optional key is left out, whatever its schema made of `undefined`.
        if (!present) continue;
        p.issues.push(...part.issues);
        out[key] = part.value;
        continue;
      }
      p.issues.push(...part.issues);
      if (!present && part.issues.length === 0) {
        p.issues.push({
          code: 'invalid_type',
          path: [key],
          message: invalidType('nonoptional', undefined),
          flow: undefined,
        });
      }
      if (present) out[key] = part.value;
    }
    this.unknownKeysOf(p, input, out);
    p.value = out;
  }

  private unknownKeysOf(p: Payload, input: Record<string, unknown>, out: Record<string, unknown>): void {
    const unknown: string[] = [];
    for (const key in input) {
      if (Object.prototype.hasOwnProperty.call(this.shape, key)) continue;
      if (this.unknownKeys === 'strict') unknown.push(key);
      // Never copied: assigning `__proto__` would replace the output's prototype.
      else if (key !== '__proto__') out[key] = input[key];
    }
    if (unknown.length === 0) return;
    p.issues.push({
      code: 'unrecognized_keys',
      path: [],
      keys: unknown,
      message: `Unrecognized key${unknown.length > 1 ? 's' : ''}: ${unknown.map((k) => quote(k)).join(', ')}`,
      // It describes the input, not the value: the object's own checks still run.
      flow: true,
    });
  }

  protected withChecks(checks: readonly Check[]): this {
    return new ObjectSchema<S, T>(this.shape, this.unknownKeys, checks) as this;
  }
}

/** String keys to values of one schema (JSON objects have no other keys). */
export class RecordSchema<T> extends Schema<Record<string, T>> {
  constructor(
    readonly valueSchema: Schema<T>,
    checks: readonly Check[] = [],
  ) {
    super(checks);
  }

  protected parseType(p: Payload): void {
    const input = p.value;
    if (!isPlainRecord(input)) {
      p.issues.push({
        code: 'invalid_type',
        path: [],
        message: invalidType('record', input),
        flow: undefined,
      });
      return;
    }
    const out: Record<string, T> = {};
    for (const key of Object.keys(input)) {
      if (key === '__proto__') continue;
      const part = runPart(this.valueSchema, input[key], key);
      p.issues.push(...part.issues);
      out[key] = part.value as T;
    }
    p.value = out;
  }

  protected withChecks(checks: readonly Check[]): this {
    return new RecordSchema(this.valueSchema, checks) as this;
  }
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---- constructors ----

/** A string; `error` replaces the type message and the message of checks that give none. */
export function string(error?: string): StringSchema {
  return new StringSchema([], error);
}

/** A finite number. */
export function number(error?: string): NumberSchema {
  return new NumberSchema([], error);
}

export function boolean(error?: string): BooleanSchema {
  return new BooleanSchema([], error);
}

/** Exactly `value`. */
export function literal<const T extends Primitive>(value: T): ValuesSchema<T> {
  return new ValuesSchema<T>([value]);
}

/** One of `values`. */
export function enumOf<const T extends string>(
  values: readonly [T, ...T[]],
  error?: string,
): ValuesSchema<T> {
  return new ValuesSchema<T>(values, [], error);
}

export function unknown(): UnknownSchema {
  return new UnknownSchema();
}

export function array<T>(element: Schema<T>): ArraySchema<T> {
  return new ArraySchema(element);
}

/** An object whose other keys are kept as they are. */
export function looseObject<S extends Shape>(
  shape: S,
): ObjectSchema<S, ObjectOutput<S> & Record<string, unknown>> {
  return new ObjectSchema(shape, 'loose');
}

/** An object in which any other key is a problem (`unrecognized_keys`). */
export function strictObject<S extends Shape>(shape: S): ObjectSchema<S, ObjectOutput<S>> {
  return new ObjectSchema(shape, 'strict');
}

export function record<T>(value: Schema<T>): RecordSchema<T> {
  return new RecordSchema(value);
}
