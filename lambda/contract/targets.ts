import type { PolicyConfig } from './config-file';
import type { FreezeConfig, RuntimePolicy } from './runtime-config';

/*
 * The kinds of target (docs/architecture.md, "Target kinds"): their names, the fields that name each one's
 * resource, and each one's shape in the config file and at run time. A new kind adds its entries here; the rest
 * of what it needs lives in lambda/kinds/<kind> and lib/kinds/<kind>.ts.
 */

export const TARGET_TYPES = ['ecs-service', 'codedeploy', 'lambda-alias', 'appconfig'] as const;
export type TargetType = (typeof TARGET_TYPES)[number];

/**
 * The string fields that name each kind's resource, in the order people say them; the runtime config check
 * requires them, and each kind (lambda/kinds) matches events by them.
 */
export const TARGET_IDENTITY_FIELDS: { readonly [K in TargetType]: readonly string[] } = {
  'ecs-service': ['cluster', 'service'],
  codedeploy: ['application', 'deploymentGroup'],
  'lambda-alias': ['functionName', 'alias'],
  appconfig: ['application', 'environment', 'configurationProfile'],
};

export interface EcsServiceTargetConfig extends PolicyConfig {
  readonly id: string;
  readonly type: 'ecs-service';
  /** Cluster name. */
  readonly cluster: string;
  /** Service name. */
  readonly service: string;
  readonly alarms: readonly string[];
  readonly freeze?: FreezeConfig;
  /** An https link to the target's runbook, shown first among every message's links. */
  readonly runbookUrl?: string;
  /**
   * The region the target is in, one of the config's `regions`. Absent: it is in every region the watchdog
   * runs in (the same target id in several regions is one logical service).
   */
  readonly region?: string;
}

export interface CodeDeployTargetConfig extends PolicyConfig {
  readonly id: string;
  readonly type: 'codedeploy';
  readonly application: string;
  readonly deploymentGroup: string;
  readonly alarms: readonly string[];
  readonly freeze?: FreezeConfig;
  /** An https link to the target's runbook, shown first among every message's links. */
  readonly runbookUrl?: string;
  /**
   * The region the target is in, one of the config's `regions`. Absent: it is in every region the watchdog
   * runs in (the same target id in several regions is one logical service).
   */
  readonly region?: string;
}

/** A Lambda function's alias: its versions are the function's published versions. */
export interface LambdaAliasTargetConfig extends PolicyConfig {
  readonly id: string;
  readonly type: 'lambda-alias';
  /** Function name (not an ARN). */
  readonly functionName: string;
  /** Alias name. */
  readonly alias: string;
  readonly alarms: readonly string[];
  readonly freeze?: FreezeConfig;
  /** An https link to the target's runbook, shown first among every message's links. */
  readonly runbookUrl?: string;
  /**
   * The region the target is in, one of the config's `regions`. Absent: it is in every region the watchdog
   * runs in (the same target id in several regions is one logical service).
   */
  readonly region?: string;
}

/**
 * An AppConfig configuration profile deployed to one environment: its versions are the profile's hosted
 * configuration versions. Each of the three is a name or an id (AppConfig's 7-character ids); ids let IAM be
 * scoped to the environment and profile (README, "AppConfig").
 */
export interface AppConfigTargetConfig extends PolicyConfig {
  readonly id: string;
  readonly type: 'appconfig';
  readonly application: string;
  readonly environment: string;
  readonly configurationProfile: string;
  readonly alarms: readonly string[];
  readonly freeze?: FreezeConfig;
  /** An https link to the target's runbook, shown first among every message's links. */
  readonly runbookUrl?: string;
  /**
   * The region the target is in, one of the config's `regions`. Absent: it is in every region the watchdog
   * runs in (the same target id in several regions is one logical service).
   */
  readonly region?: string;
}

export type TargetConfig =
  EcsServiceTargetConfig | CodeDeployTargetConfig | LambdaAliasTargetConfig | AppConfigTargetConfig;

export interface RuntimeEcsTarget {
  readonly id: string;
  readonly type: 'ecs-service';
  /** Cluster name. */
  readonly cluster: string;
  /** Service name. */
  readonly service: string;
  /** Names of the CloudWatch alarms (metric or composite) that guard this target. */
  readonly alarms: readonly string[];
  readonly policy: RuntimePolicy;
  readonly freeze?: FreezeConfig;
  /** An https link to the target's runbook, shown first among every message's links. */
  readonly runbookUrl?: string;
}

export interface RuntimeCodeDeployTarget {
  readonly id: string;
  readonly type: 'codedeploy';
  /** CodeDeploy application name. */
  readonly application: string;
  /** Deployment group name (ECS blue/green, Lambda alias or EC2/on-premises). */
  readonly deploymentGroup: string;
  readonly alarms: readonly string[];
  readonly policy: RuntimePolicy;
  readonly freeze?: FreezeConfig;
  /** An https link to the target's runbook, shown first among every message's links. */
  readonly runbookUrl?: string;
}

export interface RuntimeLambdaAliasTarget {
  readonly id: string;
  readonly type: 'lambda-alias';
  /** Function name. */
  readonly functionName: string;
  /** Alias name. */
  readonly alias: string;
  readonly alarms: readonly string[];
  readonly policy: RuntimePolicy;
  readonly freeze?: FreezeConfig;
  /** An https link to the target's runbook, shown first among every message's links. */
  readonly runbookUrl?: string;
}

export interface RuntimeAppConfigTarget {
  readonly id: string;
  readonly type: 'appconfig';
  /** Application name or id. */
  readonly application: string;
  /** Environment name or id. */
  readonly environment: string;
  /** Configuration profile name or id. */
  readonly configurationProfile: string;
  readonly alarms: readonly string[];
  readonly policy: RuntimePolicy;
  readonly freeze?: FreezeConfig;
  /** An https link to the target's runbook, shown first among every message's links. */
  readonly runbookUrl?: string;
}

export type RuntimeTarget =
  RuntimeEcsTarget | RuntimeCodeDeployTarget | RuntimeLambdaAliasTarget | RuntimeAppConfigTarget;
