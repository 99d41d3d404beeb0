import { Fn, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import { maxResolvedLength } from './chunked-rules';

/**
 * Resource characters per statement, once tokens resolve. IAM allows 10,240 characters of inline policy per
 * role and 6,144 per managed policy (docs/architecture.md, "Scale limits"); when a role's inline policy is
 * full, CDK moves whole statements into overflow managed policies, but never splits one. Statements of this
 * size leave room for their actions and fit a managed policy each (5,314 characters at most, measured at
 * worst-case token lengths). Measured with exact grants (two alarms per ECS target): at 4,000 the operator
 * role needed 11 managed policies from 120 targets, at 5,200 it needs 10 up to 140 (2,000 and 2,800 pack
 * worse still).
 */
export const MAX_STATEMENT_RESOURCE_CHARS = 5200;

/**
 * `arn` as one `Fn::Sub` string when its only tokens are pseudo parameters (`AWS::Partition`, `AWS::Region`,
 * `AWS::AccountId`), else `arn` unchanged. Same value once CloudFormation resolves it, but a quarter of the
 * template bytes of the `Fn::Join` CDK writes: fleet templates are mostly ARN lists, and CloudFormation
 * refuses a template over 1,000,000 bytes (docs/architecture.md, "Scale limits").
 */
export function compactArn(scope: IConstruct, arn: string): string {
  const resolved: unknown = Stack.of(scope).resolve(arn);
  if (typeof resolved === 'string') return arn;
  const join = (resolved as { 'Fn::Join'?: unknown })['Fn::Join'];
  if (!Array.isArray(join) || join[0] !== '' || !Array.isArray(join[1])) return arn;
  let body = '';
  for (const part of join[1] as unknown[]) {
    // A literal "${" would be read as a variable: "${!" writes it literally.
    if (typeof part === 'string') body += part.replace(/\$\{/g, '${!');
    else {
      const ref = (part as { Ref?: unknown }).Ref;
      if (typeof ref !== 'string' || !ref.startsWith('AWS::') || Object.keys(part as object).length !== 1) {
        return arn;
      }
      body += `\${${ref}}`;
    }
  }
  return Fn.sub(body);
}

/**
 * Identity-policy statements whose resources grow as targets are added: one ARN list per statement keeps the
 * policies compact (~130 characters per ARN). The first resource attaches a statement to every role (so a
 * watchdog without targets of some kind carries none: IAM rejects a statement without resources); a new
 * statement starts when the current one would pass MAX_STATEMENT_RESOURCE_CHARS. Repeated ARNs are kept once.
 */
export class GrowingGrant {
  private current: { readonly statements: iam.PolicyStatement[]; chars: number } | undefined;
  private readonly arns = new Set<string>();

  constructor(
    private readonly roles: readonly iam.IRole[],
    private readonly actions: readonly string[],
  ) {}

  public add(arn: string): void {
    if (this.arns.has(arn) || this.roles.length === 0) return;
    this.arns.add(arn);
    // JSON quotes and the separating comma.
    const cost = maxResolvedLength(this.roles[0], arn) + 3;
    if (!this.current || this.current.chars + cost > MAX_STATEMENT_RESOURCE_CHARS) {
      this.current = {
        statements: this.roles.map((role) => {
          const statement = new iam.PolicyStatement({ actions: [...this.actions] });
          role.addToPrincipalPolicy(statement);
          return statement;
        }),
        chars: 0,
      };
    }
    const compact = compactArn(this.roles[0], arn);
    for (const statement of this.current.statements) statement.addResources(compact);
    this.current.chars += cost;
  }
}
