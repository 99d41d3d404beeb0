import type {
  HandlerExecutionContext,
  InitializeHandler,
  InitializeHandlerArguments,
  InitializeHandlerOutput,
  MetadataBearer,
} from '@smithy/types';
import type { AwsClientName, ConfigurableAwsClient } from '../../lambda/adapters/aws-clients';

/** Answers one non-DynamoDB call (`operation` without the `Command` suffix); `undefined` means "not modelled". */
export type CannedAnswer = (
  service: AwsClientName,
  operation: string,
  input: Record<string, unknown>,
) => Record<string, unknown> | undefined;

export interface LatencyProbe {
  /** Added to every AWS call, DynamoDB included, before it is answered. */
  latencyMs: number;
  /** The world the non-DynamoDB calls are answered from. */
  answer: CannedAnswer;
  /** Every call as it reaches the SDK's initialize step (before the added latency), in order. */
  readonly calls: { readonly api: string; readonly at: number }[];
  /**
   * How long each added wait actually lasted: timers fire a little late (about a millisecond), which over
   * several round trips would otherwise read as a fraction of an extra one.
   */
  readonly waited: number[];
}

export const LATENCY_MIDDLEWARE_NAME = 'benchLatency';

/**
 * For `createAwsClients({ configure })`: every call waits `probe.latencyMs` at the SDK's initialize step, then
 * DynamoDB goes on to the embedded dynalite and everything else is answered by `probe.answer`. Answering at the
 * initialize step (as the simulator does) keeps serialization, signing and retries out of the measurement, so
 * the only time on the critical path is the latency we add and the watchdog's own CPU work.
 */
export function installLatency(client: ConfigurableAwsClient, service: AwsClientName, probe: LatencyProbe) {
  let requests = 0;
  client.middlewareStack.add(
    (next: InitializeHandler<object, MetadataBearer>, context: HandlerExecutionContext) =>
      async (args: InitializeHandlerArguments<object>): Promise<InitializeHandlerOutput<MetadataBearer>> => {
        const operation = (context.commandName ?? 'UnknownCommand').replace(/Command$/, '');
        probe.calls.push({ api: `${service}:${operation}`, at: performance.now() });
        if (probe.latencyMs > 0) {
          const before = performance.now();
          await sleep(probe.latencyMs);
          probe.waited.push(performance.now() - before);
        }
        if (service === 'dynamodb') return next(args);
        const output = probe.answer(service, operation, args.input as Record<string, unknown>);
        if (output === undefined) throw new Error(`${service}:${operation} is not modelled by the benchmark`);
        requests += 1;
        const $metadata = { httpStatusCode: 200, requestId: `bench-${service}-${requests}`, attempts: 1 };
        return { output: { ...output, $metadata }, response: undefined };
      },
    { step: 'initialize', name: LATENCY_MIDDLEWARE_NAME },
  );
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
