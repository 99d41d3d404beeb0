import {
  PipelineNotFoundException,
  StageNotFoundException,
  ValidationException,
  type DisableStageTransitionCommandInput,
  type EnableStageTransitionCommandInput,
} from '@aws-sdk/client-codepipeline';
import type { PipelineSpec } from '../scenario';
import { simCommand, type SimCommands } from '../sim-commands';
import { SIM_ACCOUNT } from './account';
import type { WorldContext } from './world-context';
import { CODEPIPELINE_NAME_PATTERN } from '../../contract';

/** CodePipeline's request constraints (API reference, DisableStageTransition / EnableStageTransition). */
const NAME = CODEPIPELINE_NAME_PATTERN;
const REASON = /^[a-zA-Z0-9!@ ().*?-]{1,300}$/;
const REASON_PATTERN_TEXT = '[a-zA-Z0-9!@ \\(\\)\\.\\*\\?\\-]+';
const NAME_PATTERN_TEXT = '[A-Za-z0-9.@\\-_]+';
const TRANSITION_TYPES = ['Inbound', 'Outbound'] as const;
type TransitionType = (typeof TRANSITION_TYPES)[number];

/** One stage transition as GetPipelineState reports it (`inboundTransitionState`, `outboundTransitionState`). */
export interface TransitionState {
  readonly enabled: boolean;
  /** Why it is disabled (the console shows it); absent while enabled. */
  readonly disabledReason?: string;
  /** Epoch ms of the last change; absent while it never changed. */
  readonly lastChangedAt?: number;
}

/** Which config target a stage's freeze belongs to, for the output's `calls`. */
export type FreezeOwners = ReadonlyMap<string, string>;

export const pipelineSource = (pipeline: string): string => `codepipeline:${pipeline}`;
export const stageKey = (pipeline: string, stage: string): string => `${pipeline}/${stage}`;

/**
 * The CodePipeline part of the simulated account: its pipelines and, per stage, whether the inbound and
 * outbound transitions are enabled. The watchdog's deploy freeze disables a stage's inbound transition after a
 * rollback and `watchdog resume` enables it again. Requests are checked as CodePipeline checks them: names and
 * the reason against the API's patterns (`ValidationException`), then the pipeline (`PipelineNotFoundException`)
 * and the stage (`StageNotFoundException`). Both calls are idempotent, as in CodePipeline.
 */
export class CodePipelineWorld {
  /** pipeline → stage → transition type → state; every transition starts enabled. */
  private readonly pipelines = new Map<string, Map<string, Record<TransitionType, TransitionState>>>();

  constructor(
    private readonly ctx: WorldContext,
    specs: readonly PipelineSpec[],
    private readonly owners: FreezeOwners,
  ) {
    for (const spec of specs) {
      const stages = new Map<string, Record<TransitionType, TransitionState>>();
      for (const stage of spec.stages)
        stages.set(stage, { Inbound: { enabled: true }, Outbound: { enabled: true } });
      this.pipelines.set(spec.name, stages);
    }
  }

  /** The state of one stage transition; undefined when there is no such pipeline or stage. */
  transition(pipeline: string, stage: string, type: TransitionType = 'Inbound'): TransitionState | undefined {
    return this.pipelines.get(pipeline)?.get(stage)?.[type];
  }

  commands(): SimCommands {
    return {
      DisableStageTransition: simCommand<DisableStageTransitionCommandInput>({
        target: (input) => this.ownerOf(input.pipelineName, input.stageName),
        run: (input) => {
          const reason = input.reason;
          const problems = this.problems(input);
          if (reason === undefined || !REASON.test(reason))
            problems.push(
              reason === undefined || reason === ''
                ? "Value at 'reason' failed to satisfy constraint: Member must have length greater than or equal to 1"
                : reason.length > 300
                  ? "Value at 'reason' failed to satisfy constraint: Member must have length less than or equal to 300"
                  : `Value '${reason}' at 'reason' failed to satisfy constraint: Member must satisfy regular expression pattern: ${REASON_PATTERN_TEXT}`,
            );
          return this.change(input, problems, { enabled: false, disabledReason: reason ?? '' });
        },
      }),
      EnableStageTransition: simCommand<EnableStageTransitionCommandInput>({
        target: (input) => this.ownerOf(input.pipelineName, input.stageName),
        run: (input) => this.change(input, this.problems(input), { enabled: true }),
      }),
    };
  }

  /** The request's validation errors, in CodePipeline's wording (the reason is checked by its caller). */
  private problems(input: { pipelineName?: string; stageName?: string; transitionType?: string }): string[] {
    const problems: string[] = [];
    const name = (field: string, value: string | undefined) => {
      if (value === undefined || !NAME.test(value))
        problems.push(
          value === undefined || value === ''
            ? `Value at '${field}' failed to satisfy constraint: Member must have length greater than or equal to 1`
            : `Value '${value}' at '${field}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${NAME_PATTERN_TEXT}`,
        );
    };
    name('pipelineName', input.pipelineName);
    name('stageName', input.stageName);
    if (!TRANSITION_TYPES.some((t) => t === input.transitionType))
      problems.push(
        `Value '${String(input.transitionType)}' at 'transitionType' failed to satisfy constraint: Member must satisfy enum value set: [Inbound, Outbound]`,
      );
    return problems;
  }

  private change(
    input: { pipelineName?: string; stageName?: string; transitionType?: string },
    problems: readonly string[],
    next: Omit<TransitionState, 'lastChangedAt'>,
  ): Record<string, unknown> {
    if (problems.length > 0) {
      throw new ValidationException({
        message: `${problems.length} validation error${problems.length === 1 ? '' : 's'} detected: ${problems.join('; ')}`,
        $metadata: {},
      });
    }
    const pipeline = input.pipelineName as string;
    const stage = input.stageName as string;
    const type = input.transitionType as TransitionType;
    const stages = this.pipelines.get(pipeline);
    if (!stages) {
      throw new PipelineNotFoundException({
        message: `Account '${SIM_ACCOUNT}' does not have a pipeline with name '${pipeline}'`,
        $metadata: {},
      });
    }
    const transitions = stages.get(stage);
    if (!transitions) {
      throw new StageNotFoundException({
        message: `Stage '${stage}' not found in pipeline '${pipeline}'`,
        $metadata: {},
      });
    }
    const before = transitions[type];
    transitions[type] = { ...next, lastChangedAt: this.ctx.clock.now() };
    if (before.enabled !== next.enabled) {
      const what = `${stageKey(pipeline, stage)} ${type.toLowerCase()} transition`;
      this.ctx.note(
        pipelineSource(pipeline),
        'codepipeline',
        next.enabled ? `${what} enabled` : `${what} disabled: ${next.disabledReason ?? ''}`,
      );
    }
    return {};
  }

  private ownerOf(pipeline: string | undefined, stage: string | undefined): string | undefined {
    if (pipeline === undefined) return undefined;
    return stage === undefined ? pipeline : (this.owners.get(stageKey(pipeline, stage)) ?? pipeline);
  }
}
