import {
  CONFIG_TOKEN_MARKER,
  CONFIG_WRITER_PROPERTY,
  DEFAULT_POLICY,
  type RuntimeConfig,
} from '../../../lambda/contract';
import { runtimeConfigProblems } from '../../../lambda/adapters/dynamodb-config-source';
import {
  CONFIG_PHYSICAL_ID,
  writeRuntimeConfig,
  type WriteRuntimeConfigDeps,
} from '../../../lambda/use-cases/write-runtime-config';
import type { CustomResourceResponse } from '../../../lambda/use-cases/ports';
import { RecordingTelemetry } from '../../support/fakes';

const ACCOUNT = CONFIG_TOKEN_MARKER(0);
const REGION = CONFIG_TOKEN_MARKER(1);
const CLUSTER = CONFIG_TOKEN_MARKER(2);

/** The asset as lib/private/config-asset.ts stages it: deploy-time values as markers. */
const ASSET = {
  schemaVersion: 1,
  account: ACCOUNT,
  region: REGION,
  maxEventAgeMinutes: 60,
  sweepIntervalMinutes: 5,
  targets: [
    {
      id: 'web',
      type: 'ecs-service',
      cluster: CLUSTER,
      service: 'web',
      alarms: ['web-5xx', CLUSTER],
      policy: DEFAULT_POLICY,
    },
  ],
};

function setup(asset: string = JSON.stringify(ASSET)) {
  const written: { tableName: string; config: RuntimeConfig }[] = [];
  const responses: { url: string; response: CustomResourceResponse }[] = [];
  const reads: string[] = [];
  const telemetry = new RecordingTelemetry();
  const deps: WriteRuntimeConfigDeps = {
    assets: {
      readText: (bucket, key) => {
        reads.push(`s3://${bucket}/${key}`);
        return Promise.resolve(asset);
      },
    },
    writer: {
      write: (tableName, config) => {
        written.push({ tableName, config });
        return Promise.resolve();
      },
    },
    responses: {
      send: (url, response) => {
        responses.push({ url, response });
        return Promise.resolve();
      },
    },
    telemetry,
    problemsOf: runtimeConfigProblems,
  };
  return { deps, written, responses, reads, telemetry };
}

const event = (requestType: string, properties: Record<string, unknown> = {}) => ({
  RequestType: requestType,
  ResponseURL: 'https://cloudformation-responses.example/abc',
  StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/RollbackWatchdog/1',
  RequestId: 'req-1',
  LogicalResourceId: 'WatchdogRuntimeConfig',
  ResourceType: 'Custom::WatchdogRuntimeConfig',
  ResourceProperties: {
    ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:writer',
    [CONFIG_WRITER_PROPERTY.bucket]: 'assets-bucket',
    [CONFIG_WRITER_PROPERTY.key]: 'abc.json',
    [CONFIG_WRITER_PROPERTY.tableName]: 'state-table',
    [CONFIG_WRITER_PROPERTY.substitutions]: ['123456789012', 'us-east-1', 'prod-cluster'],
    ...properties,
  },
});

describe('writeRuntimeConfig (the config writer custom resource)', () => {
  it.each(['Create', 'Update'])(
    '%s: reads the asset, substitutes the deploy-time values, writes the item and answers SUCCESS',
    async (requestType) => {
      const { deps, written, responses, reads } = setup();

      await writeRuntimeConfig(deps, event(requestType));

      expect(reads).toEqual(['s3://assets-bucket/abc.json']);
      expect(written).toEqual([
        {
          tableName: 'state-table',
          config: {
            ...ASSET,
            account: '123456789012',
            region: 'us-east-1',
            targets: [{ ...ASSET.targets[0], cluster: 'prod-cluster', alarms: ['web-5xx', 'prod-cluster'] }],
          },
        },
      ]);
      expect(responses).toEqual([
        {
          url: 'https://cloudformation-responses.example/abc',
          response: {
            Status: 'SUCCESS',
            PhysicalResourceId: CONFIG_PHYSICAL_ID,
            StackId: event('Create').StackId,
            RequestId: 'req-1',
            LogicalResourceId: 'WatchdogRuntimeConfig',
          },
        },
      ]);
    },
  );

  it('Delete: leaves the item (the table outlives the stack) and answers SUCCESS with the same id', async () => {
    const { deps, written, responses, reads } = setup();

    await writeRuntimeConfig(deps, { ...event('Delete'), PhysicalResourceId: 'CONFIG#CURRENT' });

    expect(reads).toEqual([]);
    expect(written).toEqual([]);
    expect(responses.map((r) => r.response)).toMatchObject([
      { Status: 'SUCCESS', PhysicalResourceId: 'CONFIG#CURRENT' },
    ]);
  });

  it('never writes an item the functions would refuse: FAILED with every problem, nothing written', async () => {
    const broken = { ...ASSET, schemaVersion: 2, targets: [{ ...ASSET.targets[0], alarms: 'web-5xx' }] };
    const { deps, written, responses, telemetry } = setup(JSON.stringify(broken));

    await writeRuntimeConfig(deps, event('Update'));

    expect(written).toEqual([]);
    const [{ response }] = responses;
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toContain('$.schemaVersion: expected 1, got 2');
    expect(response.Reason).toContain('$.targets[0].alarms: expected an array of alarm names');
    expect(telemetry.logs).toEqual([
      expect.objectContaining({ level: 'error', message: 'runtime config not written' }),
    ]);
  });

  it('answers FAILED when a marker has no substitution, or the asset is not JSON', async () => {
    const short = setup();
    await writeRuntimeConfig(
      short.deps,
      event('Create', { [CONFIG_WRITER_PROPERTY.substitutions]: ['123456789012', 'us-east-1'] }),
    );
    expect(short.responses[0].response).toMatchObject({ Status: 'FAILED' });
    expect(short.responses[0].response.Reason).toContain('deploy-time value 2, but only 2 were given');

    const notJson = setup('{"schemaVersion":');
    await writeRuntimeConfig(notJson.deps, event('Create'));
    expect(notJson.responses[0].response.Reason).toContain('s3://assets-bucket/abc.json is not JSON');
    expect(notJson.written).toEqual([]);
  });

  it('answers FAILED naming a missing property, and when the asset cannot be read', async () => {
    const missing = setup();
    await writeRuntimeConfig(
      missing.deps,
      event('Create', { [CONFIG_WRITER_PROPERTY.tableName]: undefined }),
    );
    expect(missing.responses[0].response.Reason).toContain('property TableName must be a non-empty string');

    const unreadable = setup();
    unreadable.deps = {
      ...unreadable.deps,
      assets: { readText: () => Promise.reject(new Error('AccessDenied: s3:GetObject')) },
    };
    await writeRuntimeConfig(unreadable.deps, event('Create'));
    expect(unreadable.responses[0].response).toMatchObject({ Status: 'FAILED' });
    expect(unreadable.responses[0].response.Reason).toContain('AccessDenied: s3:GetObject');
  });

  it('throws (so Lambda retries) only when the response cannot be delivered', async () => {
    const { deps } = setup();
    const failing = { ...deps, responses: { send: () => Promise.reject(new Error('socket hang up')) } };

    await expect(writeRuntimeConfig(failing, event('Create'))).rejects.toThrow('socket hang up');
  });

  it('rejects an event that is not a custom resource request, naming what is missing', async () => {
    const { deps, responses } = setup();

    await expect(writeRuntimeConfig(deps, { RequestType: 'Patch' })).rejects.toThrow(
      'missing or invalid: ResponseURL, StackId, RequestId, LogicalResourceId, RequestType',
    );
    expect(responses).toEqual([]);
  });
});
