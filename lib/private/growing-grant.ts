import * as iam from 'aws-cdk-lib/aws-iam';
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
    for (const statement of this.current.statements) statement.addResources(arn);
    this.current.chars += cost;
  }
}
