import * as cdk from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** A finding of a validation rule pack (cdk-nag 3, aws-cdk-lib's own) that does not apply, and why. */
export interface Acknowledgement {
  readonly id: string;
  readonly reason: string;
}

/**
 * Records acknowledgements on `scope` with aws-cdk-lib's `Validations` API, which cdk-nag 3 and aws-cdk-lib's
 * synth-time validation read. aws-cdk-lib releases before 2.252 have no such API (nor a rule pack that reads
 * it; cdk-nag 3 itself needs 2.257): there this records nothing and the construct still synthesizes, which
 * lets apps on those releases use it (the peer dependency range in package.json).
 */
export function acknowledge(scope: IConstruct, ...acknowledgements: Acknowledgement[]): void {
  const { Validations } = cdk as Partial<Pick<typeof cdk, 'Validations'>>;
  Validations?.of(scope).acknowledge(...acknowledgements);
}

type Cfn = unknown;

const isObject = (v: Cfn): v is Record<string, Cfn> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function flatten(node: Cfn): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/}/g, '>');
  if (isObject(node)) {
    const join = node['Fn::Join'];
    if (Array.isArray(join)) {
      const [delimiter, items] = join as [string, Cfn[]];
      return items.map(flatten).join(delimiter);
    }
    if ('Fn::Sub' in node) return flatten(node['Fn::Sub']);
    const getAtt = node['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return `<${flatten(getAtt[0])}.${flatten(getAtt[1])}>`;
    if ('Fn::ImportValue' in node) return flatten(node['Fn::ImportValue']);
    if ('Ref' in node) return `<${flatten(node.Ref)}>`;
  }
  return JSON.stringify(node);
}

/**
 * How cdk-nag names a value inside a finding id, e.g. `arn:<AWS::Partition>:ecs:...` for a token ARN, so
 * that a finding about one specific wildcard ARN can be acknowledged by its exact id (cdk-nag 3 matches
 * finding ids exactly). Mirrors cdk-nag's flattenCfnReference.
 */
export function nagFindingValue(scope: IConstruct, value: string): string {
  return flatten(cdk.Stack.of(scope).resolve(value));
}
