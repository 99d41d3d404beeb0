import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { parseWatchdogConfig } from '../lambda/boundary/config-schema';
import type { WatchdogConfig } from '../lambda/contract';
import { WatchdogStack } from '../lib';

/**
 * Synth at fleet scale (issue 7, item 2): WatchdogStack with N ECS targets of two alarms each, and the
 * CloudFormation, IAM, Lambda and EventBridge limits that grow with N.
 *
 * For timing fairness the app skips bundling (`aws:cdk:bundling-stacks: []`: esbuild's cost does not depend
 * on N) and registers no cdk-nag packs (bin/app.ts adds them; here the stack is built without buildApp), so
 * the time is CDK's own construct + synth work. The construct's own validation (validateWatchdog) still runs.
 * The feature flags of cdk.json are applied, as `cdk synth` would: `@aws-cdk/aws-iam:minimizePolicies`
 * changes the policy sizes measured here.
 */
export interface ScaleBenchResult {
  readonly targets: number;
  /** Resources in the stack template (CloudFormation: at most 500 per stack). */
  readonly resources: number;
  /** Size of the template file as synthesized (and uploaded). */
  readonly templateBytes: number;
  /** Largest sum of inline policies (AWS::IAM::Policy and Role.Policies) attached to one role; IAM: 10,240. */
  readonly maxPolicyBytes: number;
  /** Largest AWS::IAM::ManagedPolicy document; IAM: 6,144. */
  readonly maxManagedPolicyBytes: number;
  /** Most managed policies attached to one role; IAM's default quota: 10. */
  readonly maxManagedPoliciesPerRole: number;
  /** Most statements in one SQS queue policy; SQS: 20. */
  readonly maxQueuePolicyStatements: number;
  /** EventBridge rules (each adds a Lambda permission and a FailedInvocations alarm). */
  readonly rules: number;
  /** Largest Lambda environment, sum of key and value lengths; Lambda: 4 KB. */
  readonly envBytes: number;
  /** Longest EventBridge event pattern (JSON); EventBridge: 2,048 characters. */
  readonly maxPatternChars: number;
  /** Wall time of constructing the app and `app.synth()`. */
  readonly synthSeconds: number;
  /** Each limit above, checked. */
  readonly met: {
    readonly resources: boolean;
    readonly templateBytes: boolean;
    readonly managedPoliciesPerRole: boolean;
    readonly queuePolicyStatements: boolean;
    readonly policies: boolean;
    readonly env: boolean;
    readonly patterns: boolean;
  };
}

export const SCALE_LIMITS = {
  resources: 500,
  templateBytes: 1_000_000,
  managedPoliciesPerRole: 10,
  queuePolicyStatements: 20,
  roleInlinePolicyChars: 10_240,
  managedPolicyChars: 6_144,
  envBytes: 4_096,
  patternChars: 2_048,
} as const;

/**
 * Sizes are measured on the policies, environments and patterns as CloudFormation will resolve them, with
 * every token at its worst case: the same bounds lib/private/chunked-rules.ts splits by (pseudo parameters
 * at their longest value, any other reference at the 255 characters of a maximal AWS name). IAM counts
 * policy characters without whitespace, so documents are measured as compact JSON.
 */
const PSEUDO_PARAMETER_MAX_CHARS: Readonly<Record<string, number>> = {
  'AWS::Partition': 10,
  'AWS::Region': 16,
  'AWS::AccountId': 12,
  'AWS::URLSuffix': 16,
  'AWS::StackName': 128,
};
const REFERENCE_MAX_CHARS = 255;

const placeholder = (ref: unknown): string =>
  '-'.repeat(
    typeof ref === 'string' ? (PSEUDO_PARAMETER_MAX_CHARS[ref] ?? REFERENCE_MAX_CHARS) : REFERENCE_MAX_CHARS,
  );

/** Replaces CloudFormation intrinsics by worst-case strings, recursively. */
function worstCase(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(worstCase);
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1) {
    const [key, arg] = entries[0];
    switch (key) {
      case 'Ref':
        return placeholder(arg);
      case 'Fn::GetAtt':
      case 'Fn::ImportValue':
      case 'Fn::Select':
        return placeholder(undefined);
      case 'Fn::Join': {
        const [delimiter, parts] = arg as [string, unknown];
        return Array.isArray(parts)
          ? parts.map(worstCase).map(String).join(delimiter)
          : placeholder(undefined);
      }
      case 'Fn::Sub': {
        const template = typeof arg === 'string' ? arg : (arg as [string])[0];
        return template.replace(/\$\{([^}!]+)\}/g, (_m, name: string) => placeholder(name));
      }
    }
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, worstCase(v)]));
}

const jsonChars = (value: unknown): number => JSON.stringify(worstCase(value)).length;

interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

/** A role's logical id from a `Roles: [{ Ref }]` entry. */
const roleId = (role: unknown): string =>
  typeof role === 'object' && role !== null && typeof (role as { Ref?: unknown }).Ref === 'string'
    ? (role as { Ref: string }).Ref
    : JSON.stringify(role);

export function measureTemplate(template: { Resources?: Record<string, CfnResource> }) {
  const resources = Object.entries(template.Resources ?? {});
  const inlinePerRole = new Map<string, number>();
  const addInline = (role: string, chars: number) =>
    inlinePerRole.set(role, (inlinePerRole.get(role) ?? 0) + chars);
  let maxManagedPolicyBytes = 0;
  let maxQueuePolicyStatements = 0;
  let rules = 0;
  const managedPerRole = new Map<string, number>();
  let envBytes = 0;
  let maxPatternChars = 0;
  for (const [logicalId, { Type, Properties: props = {} }] of resources) {
    switch (Type) {
      case 'AWS::IAM::Policy':
        // One AWS::IAM::Policy can be attached to several roles; each of them carries its full size.
        for (const role of (props.Roles as unknown[] | undefined) ?? []) {
          addInline(roleId(role), jsonChars(props.PolicyDocument));
        }
        break;
      case 'AWS::IAM::Role':
        managedPerRole.set(
          logicalId,
          (managedPerRole.get(logicalId) ?? 0) +
            ((props.ManagedPolicyArns as unknown[] | undefined)?.length ?? 0),
        );
        for (const policy of (props.Policies as { PolicyDocument: unknown }[] | undefined) ?? []) {
          addInline(logicalId, jsonChars(policy.PolicyDocument));
        }
        break;
      case 'AWS::IAM::ManagedPolicy':
        maxManagedPolicyBytes = Math.max(maxManagedPolicyBytes, jsonChars(props.PolicyDocument));
        for (const role of (props.Roles as unknown[] | undefined) ?? []) {
          managedPerRole.set(roleId(role), (managedPerRole.get(roleId(role)) ?? 0) + 1);
        }
        break;
      case 'AWS::SQS::QueuePolicy': {
        const statements = (props.PolicyDocument as { Statement?: unknown[] }).Statement ?? [];
        maxQueuePolicyStatements = Math.max(maxQueuePolicyStatements, statements.length);
        break;
      }
      case 'AWS::Lambda::Function': {
        const variables = (props.Environment as { Variables?: Record<string, unknown> } | undefined)
          ?.Variables;
        const bytes = Object.entries(variables ?? {}).reduce(
          (sum, [key, value]) => sum + key.length + String(worstCase(value)).length,
          0,
        );
        envBytes = Math.max(envBytes, bytes);
        break;
      }
      case 'AWS::Events::Rule':
        rules += 1;
        if (props.EventPattern !== undefined) {
          maxPatternChars = Math.max(maxPatternChars, jsonChars(props.EventPattern));
        }
        break;
    }
  }
  return {
    resources: resources.length,
    maxPolicyBytes: Math.max(0, ...inlinePerRole.values()),
    maxManagedPolicyBytes,
    maxManagedPoliciesPerRole: Math.max(0, ...managedPerRole.values()),
    maxQueuePolicyStatements,
    rules,
    envBytes,
    maxPatternChars,
  };
}

/**
 * The grants a fleet of this size is benchmarked with: exact ARNs (the default) up to what they fit, ARN
 * patterns (grants by cluster and alarm-name pattern, which the user opts into) above.
 */
export const EXACT_GRANTS_UP_TO = 140;

/** N ECS services, each guarded by two alarms of its own, with names of realistic length. */
export function fleetConfig(
  targets: number,
  permissions: WatchdogConfig['permissions'] = targets > EXACT_GRANTS_UP_TO
    ? { ecs: 'clusters', alarmNamePatterns: ['service-*'] }
    : undefined,
): WatchdogConfig {
  const input = {
    ...(permissions ? { permissions } : {}),
    targets: Array.from({ length: targets }, (_, i) => {
      const id = `service-${String(i).padStart(4, '0')}`;
      return {
        id,
        type: 'ecs-service',
        cluster: 'production',
        service: `${id}-api`,
        alarms: [`${id}-api-http-5xx-rate`, `${id}-api-p99-latency`],
      };
    }),
  };
  // Through the same parser as watchdog.config.json, so the benchmark cannot build a config the app rejects.
  const parsed = parseWatchdogConfig(input);
  if (!parsed.ok) throw new Error(`benchmark config is invalid:\n${parsed.problems.join('\n')}`);
  return parsed.config;
}

/** The `context` of cdk.json: the feature flags a real `cdk synth` runs with. */
function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(path.join(__dirname, '..', 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
}

export function synthOnce(
  targets: number,
  config: WatchdogConfig = fleetConfig(targets),
): ScaleBenchResult & { readonly grants: 'exact' | 'patterns' } {
  const { permissions } = config;
  const grants =
    permissions?.ecs === 'clusters' ||
    permissions?.codeDeploy === 'applications' ||
    (permissions?.alarmNamePatterns?.length ?? 0) > 0
      ? 'patterns'
      : 'exact';
  const outdir = mkdtempSync(path.join(tmpdir(), 'watchdog-scale-'));
  try {
    const t0 = process.hrtime.bigint();
    const app = new App({
      outdir,
      context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] },
    });
    const stack = new WatchdogStack(app, 'RollbackWatchdog', { config });
    const assembly = app.synth();
    const synthSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const artifact = assembly.getStackArtifact(stack.artifactId);
    const measured = measureTemplate(artifact.template as { Resources?: Record<string, CfnResource> });
    return {
      targets,
      grants,
      ...measured,
      templateBytes: statSync(artifact.templateFullPath).size,
      synthSeconds: Number(synthSeconds.toFixed(2)),
      met: {
        resources: measured.resources < SCALE_LIMITS.resources,
        templateBytes: statSync(artifact.templateFullPath).size < SCALE_LIMITS.templateBytes,
        managedPoliciesPerRole: measured.maxManagedPoliciesPerRole <= SCALE_LIMITS.managedPoliciesPerRole,
        queuePolicyStatements: measured.maxQueuePolicyStatements <= SCALE_LIMITS.queuePolicyStatements,
        policies:
          measured.maxPolicyBytes <= SCALE_LIMITS.roleInlinePolicyChars &&
          measured.maxManagedPolicyBytes <= SCALE_LIMITS.managedPolicyChars,
        env: measured.envBytes <= SCALE_LIMITS.envBytes,
        patterns: measured.maxPatternChars < SCALE_LIMITS.patternChars,
      },
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/**
 * Synth time per target of the largest size over that of the smallest: about 1 when synth grows linearly,
 * well above 1 when something in construction or synth is quadratic.
 */
export function synthGrowth(results: readonly ScaleBenchResult[]): number | undefined {
  if (results.length < 2) return undefined;
  const sorted = [...results].sort((a, b) => a.targets - b.targets);
  const perTarget = (r: ScaleBenchResult) => r.synthSeconds / r.targets;
  return Number((perTarget(sorted[sorted.length - 1]) / perTarget(sorted[0])).toFixed(2));
}

export async function benchScale(sizes: readonly number[]): Promise<ScaleBenchResult[]> {
  // Two unmeasured synths of the smallest size first: aws-cdk-lib loads its modules lazily and V8 optimizes
  // construct and synth code only after it has run a while. Measured on 2 cores: three 50-target synths in
  // a row took 6.9 s, 3.1 s, 0.6 s; without the warm-up the first size looks slower than a 4x larger one.
  const smallest = Math.min(...sizes);
  for (let i = 0; i < 2 && sizes.length > 0; i++) synthOnce(smallest);
  const results: ScaleBenchResult[] = [];
  for (const size of sizes) {
    results.push(synthOnce(size));
    // Give the event loop a turn between sizes (the caller may be reporting progress).
    await new Promise((resolve) => setImmediate(resolve));
  }
  return results;
}
