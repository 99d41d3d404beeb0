import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * One identity-policy statement per role whose resources grow as targets are added: one ARN list per
 * statement keeps the policies compact (~130 characters per ARN against IAM's 10,240 per role, DESIGN.md
 * §7). The statements are attached on the first resource, so a watchdog without targets of some kind
 * carries no statement for them (IAM rejects a statement without resources). Repeated ARNs are kept once.
 */
export class GrowingGrant {
  private statements: iam.PolicyStatement[] | undefined;

  constructor(
    private readonly roles: readonly iam.IRole[],
    private readonly actions: readonly string[],
  ) {}

  public add(arn: string): void {
    this.statements ??= this.roles.map((role) => {
      const statement = new iam.PolicyStatement({ actions: [...this.actions] });
      role.addToPrincipalPolicy(statement);
      return statement;
    });
    for (const statement of this.statements) statement.addResources(arn);
  }
}
