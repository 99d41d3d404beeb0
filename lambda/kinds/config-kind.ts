import type { z } from 'zod';
import type { RuntimePolicy, RuntimeTarget, TargetConfig } from '../contract';

/**
 * The config-file side of one target kind: its part of the schema (zod: the CLI and synth only, never a Lambda
 * bundle) and how a validated target becomes a runtime target. `lambda/boundary/config-schema.ts` reads the
 * registry (`./config-registry.ts`).
 */
export interface ConfigKind<C extends TargetConfig = TargetConfig, R extends RuntimeTarget = RuntimeTarget> {
  readonly type: C['type'];
  /**
   * The target's strict object schema: `common` holds the fields every kind has (`id`, `alarms`, the policy
   * fields, `freeze`, `runbookUrl`); add the kind's identity fields, each with a message naming the fix.
   */
  schema(common: z.core.$ZodShape): z.ZodType;
  /** The identity fields, for the "did you mean" list of allowed keys. */
  readonly identityFields: readonly string[];
  /**
   * Two targets must not protect the same resource: the key (equal keys collide), the field a duplicate is
   * reported on, and the resource in words. Reads the raw input: undefined when the fields are not strings.
   */
  resourceOf(
    raw: Readonly<Record<string, unknown>>,
  ): { key: string; field: string; what: string } | undefined;
  /** The runtime target: `common` is everything but the identity fields, resolved. */
  resolve(target: C, common: CommonRuntimeFields): R;
}

export interface CommonRuntimeFields {
  readonly id: string;
  readonly alarms: readonly string[];
  readonly policy: RuntimePolicy;
  readonly freeze?: { readonly pipeline: string; readonly stage: string };
  readonly runbookUrl?: string;
}
