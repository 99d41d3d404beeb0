import type * as events from 'aws-cdk-lib/aws-events';
import type { Construct } from 'constructs';
import type { PermissionsConfig, TargetConfig } from '../../lambda/contract';

/**
 * The CDK side of one target kind (docs/architecture.md, "Target kinds"): the IAM grants and EventBridge rules
 * its targets need, and how a config-file target becomes a construct target. `RollbackWatchdog` reads the
 * registry (`./registry.ts`) and hands each target of the kind to `protect`, with a context that grows grants
 * and rules as targets are added; the construct's core never names a kind.
 */
export interface CdkTargetKind {
  readonly type: TargetConfig['type'];
  /** Grants and rules for one more target of this kind. `resource` is the target's identity fields (may hold tokens). */
  protect(ctx: KindProtectContext, target: KindTargetRef): void;
  /** Synth-time problems of one target (`<target id>: ...` is prefixed by the caller). */
  problems?(target: KindTargetRef): string[];
}

/** A target as the CDK side sees it: its id and the identity fields of its kind (`functionName`, `alias`). */
export interface KindTargetRef {
  readonly id: string;
  readonly type: TargetConfig['type'];
  readonly resource: Readonly<Record<string, string>>;
}

/** Which of the watchdog's roles a grant goes to. */
export type KindRoles =
  /** Alarm handler, sweep and operator: they roll back. */
  | 'acting'
  /** Deployment handler and read-only operator: they only read. */
  | 'reading'
  /** Every role that sends notifications (change descriptions read the platform). */
  | 'announcing';

export interface KindProtectContext {
  readonly scope: Construct;
  /** `permissions` of the config (how far grants reach). */
  readonly permissions: PermissionsConfig;
  /** `arn:<partition>:<service>:<region>:<account>:<resource>` of the watchdog's stack. */
  arn(parts: {
    readonly service: string;
    readonly resource: string;
    readonly resourceName?: string;
    readonly sep: '/' | ':';
  }): string;
  /**
   * Grants `actions` on `resource` to `roles`. Grants of one `key` share statements (new ones start as a
   * statement fills up), so a fleet of targets stays within IAM's policy size.
   */
  grant(key: string, roles: KindRoles, actions: readonly string[], resource: string): void;
  /**
   * Routes events matching `rule.pattern` plus `{ [field]: [value] }` to the deployment handler. Rules of one
   * `rule.id` share EventBridge rules (a new one starts as a pattern fills up).
   */
  route(
    rule: KindRule,
    value: string,
    matcher?: { readonly pattern: events.EventPattern; readonly extraChars: number },
  ): void;
  /**
   * Runs `build` once per watchdog (`key`), for resources every target of a kind shares (AppConfig's zero-bake
   * deployment strategy); `build` gets the watchdog's scope.
   */
  once(key: string, build: (scope: Construct) => void): void;
  /** Sets an environment variable on every watchdog function (what `KindEnv.env` reads at run time). */
  environment(name: string, value: string): void;
  /** Acknowledges a cdk-nag wildcard finding once per `key`, on the given roles, with the reason. */
  acknowledge(key: string, roles: KindRoles, finding: { readonly id: string; readonly reason: string }): void;
}

export interface KindRule {
  /** Construct id of the first rule (`LambdaAliasCallRule`); later ones get 2, 3, ... */
  readonly id: string;
  readonly description: string;
  /** The base pattern, without the per-target value. */
  readonly pattern: events.EventPattern;
  /** The fragment that adds one value, merged into the pattern. */
  patternFor(value: string): events.EventPattern;
  /** JSON length of the base pattern with an empty value list, for chunking. */
  readonly baseChars: number;
}
