import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { EventBridgeVersionBus } from '../../../lambda/adapters/eventbridge-version-bus';
import { QUARANTINE_DETAIL_TYPE, QUARANTINE_SOURCE } from '../../../lambda/contract';
import { RetryableError } from '../../../lambda/use-cases/errors';
import type { VersionBusEvent } from '../../../lambda/use-cases/ports';
import { awsError } from '../../support/aws-errors';

const eventbridge = mockClient(EventBridgeClient);
const bus = () =>
  new EventBridgeVersionBus({
    client: new EventBridgeClient({ region: 'us-east-1' }),
    busName: 'RollbackWatchdog-versions',
    region: 'us-east-1',
    peers: ['eu-west-1'],
  });

const quarantine = (n: number): VersionBusEvent => ({
  detailType: QUARANTINE_DETAIL_TYPE.quarantine,
  detail: {
    from: 'us-east-1',
    target: 'checkout',
    version: `checkout:${n}`,
    decisionId: `d-${n}`,
    cause: 'alarm',
    at: '2026-03-01T10:05:00.000Z',
    why: 'rolled back',
  },
});

beforeEach(() => eventbridge.reset());

describe('EventBridgeVersionBus', () => {
  it('puts each event on the own bus only, with the watchdog source and the detail as JSON', async () => {
    eventbridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: '1' }] });
    await bus().put([quarantine(42)]);
    expect(eventbridge).toHaveReceivedCommandWith(PutEventsCommand, {
      Entries: [
        {
          EventBusName: 'RollbackWatchdog-versions',
          Source: QUARANTINE_SOURCE,
          DetailType: QUARANTINE_DETAIL_TYPE.quarantine,
          Detail: JSON.stringify(quarantine(42).detail),
        },
      ],
    });
  });

  it('sends at most 10 entries per call (PutEvents limit)', async () => {
    eventbridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [] });
    await bus().put(Array.from({ length: 12 }, (_, i) => quarantine(i)));
    const calls = eventbridge.commandCalls(PutEventsCommand);
    expect(calls.map((c) => c.args[0].input.Entries?.length)).toEqual([10, 2]);
  });

  it('fails when EventBridge refuses some entries of an accepted call, naming the error codes', async () => {
    eventbridge.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' }],
    });
    await expect(bus().put([quarantine(42)])).rejects.toThrow(/refused 1 of 1 events.*ThrottlingException/);
  });

  it('turns throttling into a RetryableError and lets a permission error through as it is', async () => {
    eventbridge.on(PutEventsCommand).rejects(awsError('ThrottlingException'));
    await expect(bus().put([quarantine(42)])).rejects.toBeInstanceOf(RetryableError);
    eventbridge.reset();
    eventbridge.on(PutEventsCommand).rejects(awsError('AccessDeniedException'));
    await expect(bus().put([quarantine(42)])).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });
});
