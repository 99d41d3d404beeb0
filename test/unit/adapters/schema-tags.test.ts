import { DescribeTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { EcsDeployer } from '../../../lambda/adapters/ecs-deployer';
import { schemaFactsOf, schemaFactsOfDescription } from '../../../lambda/adapters/schema-tags';
import { RetryableError, TargetInvalidError } from '../../../lambda/use-cases/errors';
import { awsError } from '../../support/aws-errors';
import { ecsTarget } from '../../support/domain-fixtures';

const tag = (key: string, value: string) => ({ key, value });

describe('schemaFactsOf', () => {
  it('reads both levels, and ignores other tags', () => {
    expect(
      schemaFactsOf([
        tag('team', 'payments'),
        tag('rollback-watchdog:schema', '8'),
        tag('rollback-watchdog:min-compatible-schema', ' 7 '),
      ]),
    ).toEqual({ schema: 8, minCompatibleSchema: 7 });
  });

  it('declares nothing without the tags, or with keys in another case', () => {
    expect(schemaFactsOf([])).toEqual({});
    expect(schemaFactsOf([tag('Rollback-Watchdog:Schema', '8')])).toEqual({});
  });

  it.each([['eight'], ['-1'], ['7.5'], [''], ['1e3'], ['1234567890']])(
    'reports a value that is not a whole number (%j) and ignores it, never throwing',
    (value) => {
      expect(schemaFactsOf([tag('rollback-watchdog:schema', value)])).toEqual({
        problems: [`rollback-watchdog:schema is ${JSON.stringify(value)}, not a whole number >= 0: ignored`],
      });
    },
  );

  it('reports a minimum above the version’s own schema and ignores the minimum', () => {
    expect(
      schemaFactsOf([
        tag('rollback-watchdog:schema', '7'),
        tag('rollback-watchdog:min-compatible-schema', '9'),
      ]),
    ).toEqual({
      schema: 7,
      problems: [
        'rollback-watchdog:min-compatible-schema 9 is above rollback-watchdog:schema 7: ignored (a version runs on its own schema)',
      ],
    });
  });

  it('keeps a reported value short', () => {
    const long = 'x'.repeat(256);
    expect(schemaFactsOf([tag('rollback-watchdog:schema', long)]).problems?.[0]).toBe(
      `rollback-watchdog:schema is "${'x'.repeat(40)}", not a whole number >= 0: ignored`,
    );
  });
});

describe('EcsDeployer.versionFacts', () => {
  const ecs = mockClient(ECSClient);
  const deployer = new EcsDeployer({ client: new ECSClient({ region: 'us-east-1' }) });
  beforeEach(() => ecs.reset());

  it('reads the task definition with its tags', async () => {
    ecs.on(DescribeTaskDefinitionCommand).resolves({
      taskDefinition: { family: 'checkout', revision: 42, status: 'ACTIVE' },
      tags: [tag('rollback-watchdog:schema', '8'), tag('rollback-watchdog:min-compatible-schema', '8')],
    });
    await expect(deployer.versionFacts(ecsTarget(), 'checkout:42')).resolves.toEqual({
      schema: 8,
      minCompatibleSchema: 8,
    });
    expect(ecs.commandCalls(DescribeTaskDefinitionCommand)[0]?.args[0].input).toEqual({
      taskDefinition: 'checkout:42',
      include: ['TAGS'],
    });
  });

  it('answers an untagged task definition (no tags field) with no facts', async () => {
    ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: { family: 'checkout', revision: 41 } });
    await expect(deployer.versionFacts(ecsTarget(), 'checkout:41')).resolves.toEqual({});
  });

  it('throws TargetInvalidError for a task definition ECS cannot describe or may not be read, RetryableError when throttled', async () => {
    ecs
      .on(DescribeTaskDefinitionCommand)
      .rejectsOnce(awsError('ClientException', { message: 'Unable to describe task definition.' }))
      .rejectsOnce(awsError('AccessDeniedException'))
      .rejectsOnce(awsError('ThrottlingException'));
    await expect(deployer.versionFacts(ecsTarget(), 'checkout:9')).rejects.toThrow(TargetInvalidError);
    await expect(deployer.versionFacts(ecsTarget(), 'checkout:9')).rejects.toThrow(TargetInvalidError);
    await expect(deployer.versionFacts(ecsTarget(), 'checkout:9')).rejects.toThrow(RetryableError);
  });
});

describe('schemaFactsOf: the release id', () => {
  it('reads it beside the schema levels, trimmed', () => {
    expect(
      schemaFactsOf([tag('rollback-watchdog:release', ' r42 '), tag('rollback-watchdog:schema', '8')]),
    ).toEqual({ schema: 8, release: 'r42' });
  });

  it('reports an empty, spaced or over-long id and ignores it, never throwing', () => {
    for (const value of ['', 'r 42', 'x'.repeat(129)]) {
      const facts = schemaFactsOf([tag('rollback-watchdog:release', value)]);
      expect(facts.release).toBeUndefined();
      expect(facts.problems).toEqual([
        `rollback-watchdog:release is ${JSON.stringify(value.slice(0, 40))}, not a release id of 1-128 characters without spaces: ignored`,
      ]);
    }
  });
});

describe('schemaFactsOfDescription (CodeDeploy)', () => {
  it('reads key=value pairs anywhere in the description', () => {
    expect(
      schemaFactsOfDescription(
        'Release payments@r8 (PR #123) rollback-watchdog:schema=8, rollback-watchdog:min-compatible-schema=7',
      ),
    ).toEqual({ schema: 8, minCompatibleSchema: 7 });
  });

  it('is nothing for a description that declares neither, or none at all', () => {
    expect(schemaFactsOfDescription('Release payments@r8')).toBeUndefined();
    expect(schemaFactsOfDescription(undefined)).toBeUndefined();
    expect(schemaFactsOfDescription('see rollback-watchdog:owner=42')).toBeUndefined();
  });

  it('reads a release id for release groups', () => {
    expect(schemaFactsOfDescription('Release r42 rollback-watchdog:release=2026-03-01.r42')).toEqual({
      release: '2026-03-01.r42',
    });
    expect(schemaFactsOfDescription('rollback-watchdog:release=')).toEqual({
      problems: [
        'rollback-watchdog:release is "", not a release id of 1-128 characters without spaces: ignored',
      ],
    });
  });

  it('reports a bad value, never throwing', () => {
    expect(schemaFactsOfDescription('rollback-watchdog:schema=eight')).toEqual({
      problems: ['rollback-watchdog:schema is "eight", not a whole number >= 0: ignored'],
    });
    expect(schemaFactsOfDescription('rollback-watchdog:schema=')).toEqual({
      problems: ['rollback-watchdog:schema is "", not a whole number >= 0: ignored'],
    });
  });
});
