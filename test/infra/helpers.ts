import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stage, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { readConfigFile } from '../../lambda/boundary/config-schema';
import {
  CONFIG_WRITER_PROPERTY,
  CONFIG_WRITER_RESOURCE_TYPE,
  configTokenIndex,
  type RuntimeConfig,
  type WatchdogConfig,
} from '../../lambda/contract';

export const REPO_ROOT = join(__dirname, '..', '..');
export const EXAMPLE_CONFIG_FILE = join(REPO_ROOT, 'watchdog.config.json');

/** Infra tests assert on templates; the one real bundling test lives in bundling.test.ts. */
export function appWithoutBundling(context: Record<string, unknown> = {}): App {
  return new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
}

export function exampleConfig(): WatchdogConfig {
  const result = readConfigFile(EXAMPLE_CONFIG_FILE);
  if (!result.ok) throw new Error(`example config is invalid:\n${result.problems.join('\n')}`);
  return result.config;
}

/** Values substituted for pseudo parameters when a test evaluates CloudFormation expressions. */
export const PSEUDO = {
  'AWS::Partition': 'aws',
  'AWS::Region': 'us-east-1',
  'AWS::AccountId': '123456789012',
};

/**
 * Evaluates the intrinsics CDK emits for strings (Fn::Join, Ref, Fn::GetAtt, Fn::ImportValue, Fn::Select of
 * Fn::Split, Fn::Sub of references) into a plain string: pseudo parameters become PSEUDO values, other references `<LogicalId>` /
 * `<LogicalId.Attr>`, imports `<import:Name>`, selections `<source>.split(delimiter)[index]`.
 */
export function evaluate(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) {
    const v = value as Record<string, unknown>;
    if (Array.isArray(v['Fn::Join'])) {
      const [delimiter, parts] = v['Fn::Join'] as [string, unknown[]];
      return parts.map(evaluate).join(delimiter);
    }
    if (typeof v.Ref === 'string') return (PSEUDO as Record<string, string>)[v.Ref] ?? `<${v.Ref}>`;
    if (typeof v['Fn::Sub'] === 'string') {
      return v['Fn::Sub'].replace(/\$\{([^}]+)\}/g, (_m, name: string) => evaluate({ Ref: name }));
    }
    if (Array.isArray(v['Fn::GetAtt'])) return `<${(v['Fn::GetAtt'] as string[]).join('.')}>`;
    if (typeof v['Fn::ImportValue'] === 'string') return `<import:${v['Fn::ImportValue']}>`;
    if (Array.isArray(v['Fn::Select'])) {
      const [index, list] = v['Fn::Select'] as [number, Record<string, unknown>];
      const [delimiter, source] = list['Fn::Split'] as [string, unknown];
      return `${evaluate(source)}.split(${delimiter})[${index}]`;
    }
  }
  throw new Error(`cannot evaluate ${JSON.stringify(value)}`);
}

export interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource?: unknown;
  readonly Principal?: unknown;
  readonly Condition?: unknown;
}

export const asList = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** Every policy statement in the template: identity policies, roles' inline policies and resource policies. */
export function allStatements(template: Template): { resource: string; statement: Statement }[] {
  const out: { resource: string; statement: Statement }[] = [];
  for (const [logicalId, resource] of Object.entries(
    template.toJSON().Resources as Record<string, unknown>,
  )) {
    const props = (resource as { Properties?: Record<string, unknown> }).Properties ?? {};
    const documents = [
      props.PolicyDocument,
      props.KeyPolicy,
      props.AssumeRolePolicyDocument,
      ...asList(props.Policies as { PolicyDocument: unknown }[] | undefined).map((p) => p.PolicyDocument),
    ];
    for (const doc of documents) {
      for (const statement of asList((doc as { Statement?: Statement[] } | undefined)?.Statement)) {
        out.push({ resource: logicalId, statement });
      }
    }
  }
  return out;
}

/** Statements of the identity policies attached to the role of the function with logical id `functionId`. */
export function roleStatements(template: Template, functionId: string): Statement[] {
  const resources = template.toJSON().Resources as Record<
    string,
    { Type: string; Properties: Record<string, any> }
  >;
  const roleId = resources[functionId].Properties.Role['Fn::GetAtt'][0] as string;
  return Object.values(resources)
    .filter(
      (r) =>
        r.Type === 'AWS::IAM::Policy' &&
        (r.Properties.Roles as { Ref: string }[]).some((ref) => ref.Ref === roleId),
    )
    .flatMap((r) => r.Properties.PolicyDocument.Statement as Statement[]);
}

export function logicalIdOf(stack: Stack, construct: { node: { defaultChild?: unknown } }): string {
  return stack.getLogicalId(construct.node.defaultChild as never);
}

/**
 * The RuntimeConfig the stack's config writer puts into the table: the staged asset file of the synthesized
 * assembly, with each deploy-time marker replaced by its substitution evaluated as `evaluate` does (pseudo
 * parameters as PSEUDO, references as `<LogicalId>`).
 */
export function writtenConfig(stack: Stack, template: Template = Template.fromStack(stack)): RuntimeConfig {
  const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: any }>;
  const writers = Object.values(resources).filter((r) => r.Type === CONFIG_WRITER_RESOURCE_TYPE);
  if (writers.length !== 1)
    throw new Error(`expected one ${CONFIG_WRITER_RESOURCE_TYPE}, found ${writers.length}`);
  const properties = writers[0].Properties as Record<string, unknown>;
  const key = properties[CONFIG_WRITER_PROPERTY.key] as string;
  const substitutions = (properties[CONFIG_WRITER_PROPERTY.substitutions] as unknown[]).map(evaluate);
  const assembly = Stage.of(stack)!.synth();
  const staged = readFileSync(join(assembly.directory, `asset.${key}`), 'utf8');
  return JSON.parse(staged, (_key, value: unknown) => {
    if (typeof value !== 'string') return value;
    const index = configTokenIndex(value);
    return index === undefined ? value : substitutions[index];
  }) as RuntimeConfig;
}

/**
 * What cdk-nag's AwsSolutions and Serverless packs find under `scope`, one line per rule and resource path (the
 * packs the project holds to zero findings); empty when clean.
 */
export function nagFindings(scope: IConstruct): string[] {
  return [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((pack) =>
    pack
      .validateScope(scope)
      .violations.map((v) => `${v.ruleName} ${v.violatingResources.map((r) => r.constructPath).join(', ')}`),
  );
}
