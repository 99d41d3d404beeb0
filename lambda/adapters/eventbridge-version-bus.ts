import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { QUARANTINE_SOURCE } from '../contract';
import { RetryableError } from '../use-cases/errors';
import type { VersionBus, VersionBusEvent } from '../use-cases/ports';
import { classifyAwsError } from './aws-errors';

/** PutEvents takes at most 10 entries per call. */
const ENTRIES_PER_CALL = 10;

export interface EventBridgeVersionBusOptions {
  readonly client: EventBridgeClient;
  /** The stack's own version bus (ENV.versionBusName). */
  readonly busName: string;
  readonly region: string;
  readonly peers: readonly string[];
}

/**
 * VersionBus on the stack's own EventBridge bus. Only ever this region's bus: its rules forward to the other
 * regions (docs/architecture.md, "Regions"), so no handler makes a cross-region call. PutEvents can accept a
 * call and refuse some entries (`FailedEntryCount`): that is a failure too, retried later by whoever owes it.
 */
export class EventBridgeVersionBus implements VersionBus {
  readonly region: string;
  readonly peers: readonly string[];
  private readonly client: EventBridgeClient;
  private readonly busName: string;

  constructor(options: EventBridgeVersionBusOptions) {
    this.client = options.client;
    this.busName = options.busName;
    this.region = options.region;
    this.peers = options.peers;
  }

  /** With the client from a client factory (createClientFactory: the simulator's hook is installed there). */
  static create(
    factory: <C extends object>(name: string, make: (settings: Record<string, unknown>) => C) => C,
    options: Omit<EventBridgeVersionBusOptions, 'client'>,
  ): EventBridgeVersionBus {
    return new EventBridgeVersionBus({
      ...options,
      client: factory('events', (settings) => new EventBridgeClient(settings)),
    });
  }

  async put(events: readonly VersionBusEvent[]): Promise<void> {
    for (let i = 0; i < events.length; i += ENTRIES_PER_CALL) {
      const batch = events.slice(i, i + ENTRIES_PER_CALL);
      let answer;
      try {
        answer = await this.client.send(
          new PutEventsCommand({
            Entries: batch.map((e) => ({
              EventBusName: this.busName,
              Source: QUARANTINE_SOURCE,
              DetailType: e.detailType,
              Detail: JSON.stringify(e.detail),
            })),
          }),
        );
      } catch (error) {
        if (classifyAwsError(error) === 'retryable') {
          throw new RetryableError(`EventBridge PutEvents on ${this.busName} failed`, { cause: error });
        }
        throw error;
      }
      const failed = (answer.Entries ?? []).filter((e) => e.ErrorCode !== undefined);
      if ((answer.FailedEntryCount ?? 0) > 0 || failed.length > 0) {
        const codes = [...new Set(failed.map((e) => `${e.ErrorCode ?? '?'}: ${e.ErrorMessage ?? ''}`))];
        throw new RetryableError(
          `EventBridge refused ${answer.FailedEntryCount ?? failed.length} of ${batch.length} events on ${this.busName} (${codes.join('; ')})`,
        );
      }
    }
  }
}
