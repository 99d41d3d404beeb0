import { Stack, Token, Tokenization, type IResolvable } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import type { IConstruct } from 'constructs';

/**
 * EventBridge rejects event patterns longer than 2,048 characters (docs/architecture.md, "Scale limits"). A
 * rule matching one field against many values (alarm names, service ARNs) is split into as many rules as that
 * takes. Leave headroom for the keys and punctuation of the pattern that the estimate below ignores.
 */
const MAX_PATTERN_CHARS = 2048;
const HEADROOM_CHARS = 48;

/**
 * Upper bounds for tokens whose value is unknown at synth. Pseudo parameters have short known maxima; any
 * other token is a resource name, and AWS names (alarms, clusters, services) are at most 255 characters.
 */
const PSEUDO_PARAMETER_MAX_CHARS: Readonly<Record<string, number>> = {
  'AWS::Partition': 10,
  'AWS::Region': 16,
  'AWS::AccountId': 12,
};
const NAME_MAX_CHARS = 255;

/** The most characters `value` can take once CloudFormation resolves its tokens. */
export function maxResolvedLength(scope: IConstruct, value: string): number {
  if (!Token.isUnresolved(value)) return value.length;
  const worstCase = (token: IResolvable): string => {
    const resolved: unknown = Stack.of(scope).resolve(token);
    const ref =
      typeof resolved === 'object' && resolved !== null ? (resolved as { Ref?: unknown }).Ref : undefined;
    return '-'.repeat(
      typeof ref === 'string' ? (PSEUDO_PARAMETER_MAX_CHARS[ref] ?? NAME_MAX_CHARS) : NAME_MAX_CHARS,
    );
  };
  const placeholder = Tokenization.reverseString(value)
    .mapTokens({ mapToken: worstCase })
    .join({ join: (left: unknown, right: unknown) => `${String(left)}${String(right)}` }) as unknown;
  return String(placeholder).length;
}

interface Chunk {
  readonly rule: events.Rule;
  chars: number;
}

/**
 * A family of rules that share a base pattern and match one field against a growing list of values.
 * Values are added one at a time (as targets are added) and deduplicated; a new rule starts when the
 * current one's pattern could exceed EventBridge's limit once tokens resolve.
 */
export class ChunkedRules {
  private readonly chunks: Chunk[] = [];
  private readonly values = new Set<string>();

  /**
   * @param newRule creates the `index`-th rule (0-based) with the base pattern and its target
   * @param baseChars estimated size of the base pattern, without any values
   * @param patternFor the pattern fragment that adds one value, merged into the rule's pattern
   */
  constructor(
    private readonly scope: IConstruct,
    private readonly newRule: (index: number) => events.Rule,
    private readonly baseChars: number,
    private readonly patternFor: (value: string) => events.EventPattern,
  ) {}

  /** The rules created so far, in creation order. */
  public get rules(): events.Rule[] {
    return this.chunks.map((c) => c.rule);
  }

  /**
   * Matches one more value: exactly (`patternFor(value)`), or with the given fragment, e.g. a prefix or
   * wildcard matcher, whose JSON costs `extraChars` more than the quoted value.
   */
  public add(
    value: string,
    matcher?: { readonly pattern: events.EventPattern; readonly extraChars: number },
  ): void {
    if (this.values.has(value)) return;
    this.values.add(value);
    // JSON quotes and the separating comma, and the matcher's own keys and braces.
    const cost = maxResolvedLength(this.scope, value) + 3 + (matcher?.extraChars ?? 0);
    let chunk = this.chunks[this.chunks.length - 1];
    if (!chunk || chunk.chars + cost > MAX_PATTERN_CHARS - HEADROOM_CHARS) {
      chunk = { rule: this.newRule(this.chunks.length), chars: this.baseChars };
      this.chunks.push(chunk);
    }
    chunk.rule.addEventPattern(matcher?.pattern ?? this.patternFor(value));
    chunk.chars += cost;
  }
}
