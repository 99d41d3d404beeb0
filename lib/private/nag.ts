import { Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

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
  return flatten(Stack.of(scope).resolve(value));
}
