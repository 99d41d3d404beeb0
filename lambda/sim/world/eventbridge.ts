import { ResourceNotFoundException, type PutEventsCommandInput } from '@aws-sdk/client-eventbridge';
import { QUARANTINE_SOURCE } from '../../contract';
import { simCommand, type SimCommands } from '../sim-commands';
import { SIM_ACCOUNT, stableUuid, type EventBridgeEvent } from './account';
import { isoSeconds } from '../time';
import type { WorldContext } from './world-context';

/**
 * The watchdog's version bus in one region of a scenario with several (README, "Simulator: several regions"):
 * PutEvents on it hands each entry, as EventBridge delivers it, to `route`, which the runner wires to the
 * bus's rules (forward to the other regions' buses, deliver checks to this region's acting handler).
 */
export class EventBridgeWorld {
  constructor(
    private readonly ctx: WorldContext,
    private readonly busName: string,
    private readonly route: (event: EventBridgeEvent) => void,
  ) {}

  commands(): SimCommands {
    return {
      PutEvents: simCommand<PutEventsCommandInput>({
        target: (input) => {
          const detail = input.Entries?.[0]?.Detail;
          try {
            const parsed: unknown = detail === undefined ? undefined : JSON.parse(detail);
            const target = (parsed as { target?: unknown } | undefined)?.target;
            return typeof target === 'string' ? target : undefined;
          } catch {
            return undefined;
          }
        },
        run: (input) => this.put(input),
      }),
    };
  }

  private put(input: PutEventsCommandInput): Record<string, unknown> {
    const entries = input.Entries ?? [];
    const ids: { EventId: string }[] = [];
    for (const entry of entries) {
      if (entry.EventBusName !== this.busName) {
        throw new ResourceNotFoundException({
          message: `Event bus ${String(entry.EventBusName)} does not exist.`,
          $metadata: {},
        });
      }
      const id = stableUuid(
        `version-bus:${this.ctx.region}`,
        this.ctx.next(`version-bus:${this.ctx.region}`),
      );
      ids.push({ EventId: id });
      if (entry.Source !== QUARANTINE_SOURCE) continue;
      this.route({
        version: '0',
        id,
        'detail-type': String(entry.DetailType),
        source: entry.Source,
        account: SIM_ACCOUNT,
        time: isoSeconds(this.ctx.clock.now()),
        region: this.ctx.region,
        resources: [],
        detail: JSON.parse(entry.Detail ?? '{}') as Record<string, unknown>,
      });
    }
    return { FailedEntryCount: 0, Entries: ids };
  }
}
