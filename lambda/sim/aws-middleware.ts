import type {
  HandlerExecutionContext,
  InitializeHandler,
  InitializeHandlerArguments,
  InitializeHandlerOutput,
  MetadataBearer,
} from '@smithy/types';
import type { AwsClientName, ConfigurableAwsClient } from '../adapters/aws-clients';
import { isMutatingApi, type FaultSpec, type MutatingApi } from './scenario';
import { SimulatorGapError } from './world/world-context';
import type { CommandTable } from './world/world';

export const SIMULATOR_MIDDLEWARE_NAME = 'watchdogSimulator';

/** Operations that only read; every other operation counts as a write. */
const READ_OPERATION = /^(Get|BatchGet|TransactGet|Describe|List|Query|Scan)/;

export interface MutatingCall {
  readonly api: MutatingApi;
  readonly target: string | undefined;
  /** The input exactly as the SDK received it, as JSON. */
  readonly params: unknown;
  /** `Name: message` when the call failed. */
  readonly error?: string;
}

/** Where the middleware reports what the watchdog called. */
export interface CallObserver {
  /** Every call the watchdog makes, DynamoDB and reads included. */
  counted(api: string, kind: 'read' | 'write'): void;
  /** Each mutating call (`calls`, docs/architecture.md, "Output and expect"), successful or not. */
  mutating(call: MutatingCall): void;
  /** The watchdog called something the simulator does not model. */
  gap(api: string, message: string): void;
}

/**
 * Answers the client's calls from the simulated account at the SDK's initialize step: before serialization,
 * signing and retries, so the real adapter code runs and no request leaves the process. DynamoDB calls are
 * counted and passed on to the embedded dynalite. `createAwsClients` calls this once per client.
 */
export function installSimulator(
  client: ConfigurableAwsClient,
  service: AwsClientName,
  table: CommandTable,
  observer: CallObserver,
  faults: readonly FaultSpec[] = [],
): void {
  let requests = 0;
  client.middlewareStack.add(
    (next: InitializeHandler<object, MetadataBearer>, context: HandlerExecutionContext) =>
      async (args: InitializeHandlerArguments<object>): Promise<InitializeHandlerOutput<MetadataBearer>> => {
        const operation = (context.commandName ?? 'UnknownCommand').replace(/Command$/, '');
        const api = `${service}:${operation}`;
        observer.counted(api, READ_OPERATION.test(operation) ? 'read' : 'write');
        if (service === 'dynamodb') return next(args);

        const command = table[service]?.[operation];
        if (!command) {
          const message = `${api} is not modelled by the simulator`;
          observer.gap(api, message);
          throw new SimulatorGapError(message);
        }
        const input = args.input;
        const record = (error?: unknown) => {
          if (!isMutatingApi(api)) return;
          observer.mutating({
            api,
            target: command.target?.(input),
            params: toJson(input),
            ...(error === undefined ? {} : { error: describe(error) }),
          });
        };
        let output: Record<string, unknown>;
        try {
          const target = command.target?.(input);
          const fault = faults.find((f) => f.api === api && (f.target === undefined || f.target === target));
          if (fault) throw faultError(fault);
          output = command.run(input);
        } catch (error) {
          record(error);
          if (error instanceof SimulatorGapError) observer.gap(api, error.message);
          throw error;
        }
        record();
        requests += 1;
        const $metadata = {
          httpStatusCode: 200,
          requestId: `sim-${service}-${requests}`,
          attempts: 1,
          totalRetryDelay: 0,
        };
        return { output: { ...output, $metadata }, response: undefined };
      },
    { step: 'initialize', name: SIMULATOR_MIDDLEWARE_NAME },
  );
}

/** The error a scenario's fault throws, shaped like the SDK's service exceptions (a 4xx from the client). */
function faultError(fault: FaultSpec): Error {
  return Object.assign(new Error(fault.message ?? `${fault.api} failed (simulated fault)`), {
    name: fault.error,
    $fault: 'client',
    $metadata: { httpStatusCode: 400, attempts: 1, totalRetryDelay: 0 },
  });
}

/** A deep copy as JSON: what was sent, frozen at the moment of the call (Dates become ISO strings). */
function toJson(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
