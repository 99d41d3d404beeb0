/**
 * A local evaluator of Amazon ECR lifecycle policies: will the repository's policy expire (or archive) the
 * image of a known-good version, so that a rollback onto it would fail? ECR's own GetLifecyclePolicyPreview is
 * asynchronous, so the sweep judges the policy text itself. Pure: plain data in, plain data out; the caller
 * reads `lifecyclePolicyText` (GetLifecyclePolicy) and the images (DescribeImages) and maps them in.
 *
 * The rules implemented, as AWS documents them ("Lifecycle policy properties in Amazon ECR"; "Automate the
 * cleanup of images by using lifecycle policies in Amazon ECR", its sections "How lifecycle policies work" and
 * "Lifecycle policy evaluation rules"; "Examples of lifecycle policies in Amazon ECR", "Filtering on multiple
 * rules" and "Filtering on multiple tags in a single rule"; "Archiving an image"):
 *
 * - Rules apply in ascending `rulePriority`; priorities are unique (not necessarily consecutive), and a
 *   `tagStatus: any` rule must carry the highest one. A policy breaking the first is not judged at all (the
 *   order is unknown); the second is reported and evaluated as written.
 * - An image is acted on by at most one rule. An image that a rule selects (its tag status, tag list and
 *   storage class match) cannot be acted on by any lower-priority rule, whether that rule expired it or kept
 *   it: it belongs to the first rule that selects it.
 * - A lower-priority rule still sees images that higher rules selected when it counts ("identifies them as if
 *   they haven't been expired"): in the docs' example, rule 1 keeps 1 `prod` image and rule 2 keeps 1 `beta`
 *   image; rule 2 counts the images rule 1 already took, and so expires nothing rule 1 kept.
 * - `tagged` with `tagPrefixList` or `tagPatternList`: the image matches when every entry of the list matches
 *   at least one of its tags (AND between entries, any tag per entry: ["alpha", "beta"] selects an image tagged
 *   alpha-2 and beta-2, not one tagged only alpha-1). A pattern's `*` matches any run of characters, the rest
 *   literally, over the whole tag. `untagged` selects images with no tag; `any` selects every image.
 * - `storageClass` (`standard`, the default, or `archive`) narrows the selection to images in that class.
 * - `imageCountMoreThan` N: the selected images, newest push first; all past the N-th are eligible.
 *   `sinceImagePushed` / `sinceImagePulled` / `sinceImageTransitioned` N `days`: eligible once the push / last
 *   recorded pull / move to archive is N days old. `countNumber` is a whole number above 0.
 * - Action `expire` deletes; `transition` to `archive` archives. An archived image cannot be pulled (a pull
 *   answers 404) until it is restored, so for a rollback an archiving rule is as bad as an expiring one.
 * - ECR acts within 24 hours after an image becomes eligible: `expiring` means eligible now, so gone (or
 *   archived) within a day; `at-risk` means eligible within the horizon, or after a few more matching pushes.
 *
 * What this evaluator assumes where the docs are silent: images pushed at the same instant are ordered by
 * digest; an image already archived is not pullable and so is reported `unknown` with that reason (no fate
 * here says "already gone"); a `sinceImagePulled` rule on an image with no recorded pull is not guessed at.
 * Anything in the text it cannot read (an unknown countType, field or value) makes the images that rule would
 * select `unknown`, never `kept`: a wrong `kept` is the one answer that would hide a failing rollback.
 */

const DAY_MS = 24 * 60 * 60 * 1000;

/** One image of the repository, mapped from DescribeImages' `ImageDetail` by the caller. */
export interface LifecycleImage {
  readonly digest: string;
  /** `imageTags`; empty for an untagged image. */
  readonly tags: readonly string[];
  /** `imagePushedAt`, epoch ms. */
  readonly pushedAt: number;
  /** `lastRecordedPullTime`, epoch ms (ECR refreshes it at least once a day, so it may lag by up to 24 h). */
  readonly lastPulledAt?: number;
  /** True when `imageStatus` is `ARCHIVED` or `ACTIVATING` (being restored): the image cannot be pulled. */
  readonly archived?: boolean;
  /** `lastArchivedAt`, epoch ms, for `sinceImageTransitioned` rules. */
  readonly archivedAt?: number;
}

/** Which tags a rule selects on. */
export type TagFilter =
  | { readonly kind: 'any' }
  | { readonly kind: 'untagged' }
  /** Every prefix starts at least one of the image's tags. */
  | { readonly kind: 'prefixes'; readonly prefixes: readonly string[] }
  /** Every pattern matches at least one of the image's tags. */
  | { readonly kind: 'patterns'; readonly patterns: readonly string[] };

export interface LifecycleSelection {
  readonly tags: TagFilter;
  readonly storageClass: 'standard' | 'archive';
}

export type LifecycleCount =
  | { readonly kind: 'imageCountMoreThan'; readonly images: number }
  | {
      readonly kind: 'sinceImagePushed' | 'sinceImagePulled' | 'sinceImageTransitioned';
      readonly days: number;
    };

/** `expire` deletes the image; `archive` (`transition` to the archive storage class) makes it unpullable. */
export type LifecycleAction = 'expire' | 'archive';

/** One rule, normalised. A part this evaluator cannot read is absent, and `unreadable` says why. */
export interface LifecycleRule {
  readonly priority: number;
  readonly description?: string;
  /** Absent: which images the rule selects is unknown, so every image not taken by a higher rule is unknown. */
  readonly selection?: LifecycleSelection;
  /** Absent: the images the rule selects are unknown (it may or may not act on them). */
  readonly count?: LifecycleCount;
  readonly action?: LifecycleAction;
  readonly unreadable?: string;
}

export interface ParsedLifecyclePolicy {
  /** In ascending priority. */
  readonly rules: readonly LifecycleRule[];
  /** Rules or fields this evaluator cannot judge, or that ECR itself would refuse, in words. */
  readonly problems: readonly string[];
  /** Set when the policy as a whole cannot be judged (not JSON, no rule list, priorities unusable). */
  readonly unreadable?: string;
}

export type ImageFate =
  | { readonly kind: 'kept' }
  /** Eligible now: ECR expires (or archives) it within 24 hours. */
  | { readonly kind: 'expiring'; readonly rule: number; readonly reason: string }
  /**
   * Eligible within the horizon (age rules: `eligibleAt`, epoch ms), or after `pushesLeft` more pushes of
   * images the count rule selects (when `pushesLeft` <= the margin).
   */
  | {
      readonly kind: 'at-risk';
      readonly rule: number;
      readonly reason: string;
      readonly eligibleAt?: number;
      readonly pushesLeft?: number;
    }
  /** A rule this evaluator cannot read would select it, the image is archived, or it is not in the repository. */
  | { readonly kind: 'unknown'; readonly reason: string };

export interface FateOptions {
  /** How far ahead an age rule's eligibility counts as at-risk. */
  readonly horizonMs: number;
  /** How few further matching pushes before a count rule's eligibility counts as at-risk (0: never). */
  readonly pushMargin: number;
}

export const NOT_LISTED = 'the repository does not list this image';
export const ARCHIVED =
  'the image is archived: ECR refuses to pull it until it is restored (restore it, or re-push it, before a rollback onto it)';

// ---------------------------------------------------------------------------------------------------------
// Parsing

type Json = unknown;

const isRecord = (v: Json): v is Record<string, Json> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isWhole = (v: Json): v is number => typeof v === 'number' && Number.isSafeInteger(v);
const show = (v: Json): string => {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
};

const RULE_KEYS = ['rulePriority', 'description', 'selection', 'action'];
const SELECTION_KEYS = [
  'tagStatus',
  'tagPrefixList',
  'tagPatternList',
  'storageClass',
  'countType',
  'countUnit',
  'countNumber',
];
const ACTION_KEYS = ['type', 'targetStorageClass'];
const AGE_COUNTS = ['sinceImagePushed', 'sinceImagePulled', 'sinceImageTransitioned'] as const;
/** ECR's limit on `*` per pattern ("Lifecycle policy properties in Amazon ECR", tagPatternList). */
const MAX_WILDCARDS = 4;

/** Why a part of the policy cannot be read (a class, so a reason never passes for a value). */
class Unreadable {
  constructor(readonly reason: string) {}
}
const no = (reason: string): Unreadable => new Unreadable(reason);

const unknownKeys = (value: Record<string, Json>, known: readonly string[]): string[] =>
  Object.keys(value).filter((k) => !known.includes(k));

/** A list of non-empty strings, or a reason it is not one. */
function stringList(value: Json, field: string): readonly string[] | Unreadable {
  if (!Array.isArray(value) || value.length === 0)
    return no(`${field} is ${show(value)}, not a non-empty list of tags`);
  const items: readonly Json[] = value;
  const tags = items.filter((v): v is string => typeof v === 'string' && v !== '');
  if (tags.length < items.length) {
    const bad = items.findIndex((v) => typeof v !== 'string' || v === '');
    return no(`${field}[${bad}] is ${show(items[bad])}, not a non-empty string`);
  }
  return tags;
}

function parseTags(sel: Record<string, Json>, at: string): TagFilter | Unreadable {
  const hasPrefixes = sel.tagPrefixList !== undefined;
  const hasPatterns = sel.tagPatternList !== undefined;
  switch (sel.tagStatus) {
    case 'any':
    case 'untagged':
      if (hasPrefixes || hasPatterns)
        return no(`${at}.tagStatus is "${sel.tagStatus}" but a tag list is given too (ECR requires none)`);
      return { kind: sel.tagStatus };
    case 'tagged': {
      if (hasPrefixes === hasPatterns)
        return no(`${at}.tagStatus is "tagged": it needs exactly one of tagPrefixList and tagPatternList`);
      if (hasPrefixes) {
        const prefixes = stringList(sel.tagPrefixList, `${at}.tagPrefixList`);
        return prefixes instanceof Unreadable ? prefixes : { kind: 'prefixes', prefixes };
      }
      const patterns = stringList(sel.tagPatternList, `${at}.tagPatternList`);
      return patterns instanceof Unreadable ? patterns : { kind: 'patterns', patterns };
    }
    default:
      return no(`${at}.tagStatus is ${show(sel.tagStatus)}, not "tagged", "untagged" or "any"`);
  }
}

function parseSelection(sel: Record<string, Json>, at: string): LifecycleSelection | Unreadable {
  const extra = unknownKeys(sel, SELECTION_KEYS);
  if (extra.length > 0) return no(`${at} has fields this evaluator does not know (${extra.join(', ')})`);
  const tags = parseTags(sel, at);
  if (tags instanceof Unreadable) return tags;
  const storageClass = sel.storageClass ?? 'standard';
  if (storageClass !== 'standard' && storageClass !== 'archive')
    return no(`${at}.storageClass is ${show(sel.storageClass)}, not "standard" or "archive"`);
  return { tags, storageClass };
}

function parseCount(sel: Record<string, Json>, at: string): LifecycleCount | Unreadable {
  const n = sel.countNumber;
  if (!isWhole(n) || n < 1) return no(`${at}.countNumber is ${show(n)}, not a whole number above 0`);
  if (sel.countType === 'imageCountMoreThan') {
    if (sel.countUnit !== undefined)
      return no(`${at}.countUnit is set for imageCountMoreThan (ECR allows none)`);
    return { kind: 'imageCountMoreThan', images: n };
  }
  const age = AGE_COUNTS.find((t) => t === sel.countType);
  if (age === undefined)
    return no(
      `${at}.countType is ${show(sel.countType)}, not one of imageCountMoreThan, ${AGE_COUNTS.join(', ')}`,
    );
  if (sel.countUnit !== 'days') return no(`${at}.countUnit is ${show(sel.countUnit)}, not "days"`);
  return { kind: age, days: n };
}

function parseAction(action: Json, at: string): LifecycleAction | Unreadable {
  if (!isRecord(action)) return no(`${at} is ${show(action)}, not an object`);
  const extra = unknownKeys(action, ACTION_KEYS);
  if (extra.length > 0) return no(`${at} has fields this evaluator does not know (${extra.join(', ')})`);
  if (action.type === 'expire' && action.targetStorageClass === undefined) return 'expire';
  if (action.type === 'transition' && action.targetStorageClass === 'archive') return 'archive';
  return no(
    `${at} is ${show(action)}, not {"type":"expire"} or {"type":"transition","targetStorageClass":"archive"}`,
  );
}

/** One rule; its priority is already checked. Problems go to `problems`, prefixed with the rule. */
function parseRule(
  raw: Record<string, Json>,
  at: string,
  priority: number,
  problems: string[],
): LifecycleRule {
  const reasons: string[] = [];
  const part = <T>(value: T | Unreadable): T | undefined => {
    if (!(value instanceof Unreadable)) return value;
    reasons.push(value.reason);
    return undefined;
  };
  const extra = unknownKeys(raw, RULE_KEYS);
  const sel = raw.selection;
  let selection: LifecycleSelection | undefined;
  let count: LifecycleCount | undefined;
  if (extra.length > 0) part(no(`${at} has fields this evaluator does not know (${extra.join(', ')})`));
  else if (!isRecord(sel)) part(no(`${at}.selection is ${show(sel)}, not an object`));
  else {
    selection = part(parseSelection(sel, `${at}.selection`));
    count = part(parseCount(sel, `${at}.selection`));
  }
  const action = part(parseAction(raw.action, `${at}.action`));
  if (selection?.tags.kind === 'patterns')
    for (const pattern of selection.tags.patterns)
      if (pattern.split('*').length - 1 > MAX_WILDCARDS)
        problems.push(
          `${at}.selection.tagPatternList entry ${JSON.stringify(pattern)} has more than ${MAX_WILDCARDS} wildcards (ECR refuses it): evaluated as written`,
        );
  if (raw.description !== undefined && typeof raw.description !== 'string')
    problems.push(`${at}.description is ${show(raw.description)}, not a string: ignored`);
  for (const reason of reasons)
    problems.push(`${reason}: rule ${priority} is judged unknown for the images it would select`);
  return {
    priority,
    ...(typeof raw.description === 'string' && raw.description !== ''
      ? { description: raw.description }
      : {}),
    ...(selection !== undefined ? { selection } : {}),
    ...(count !== undefined ? { count } : {}),
    ...(action !== undefined ? { action } : {}),
    ...(reasons.length > 0 ? { unreadable: reasons[0] } : {}),
  };
}

const unreadable = (reason: string): ParsedLifecyclePolicy => ({
  rules: [],
  problems: [`${reason}: the policy is not judged, every image is unknown`],
  unreadable: reason,
});

/** Never throws: malformed JSON or an unknown shape gives no rules, `unreadable` and a problem saying why. */
export function parseLifecyclePolicy(text: string): ParsedLifecyclePolicy {
  let doc: Json;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    return unreadable(
      `the lifecycle policy is not JSON (${error instanceof Error ? error.message : 'unparsable'})`,
    );
  }
  if (!isRecord(doc) || !Array.isArray(doc.rules))
    return unreadable(`the lifecycle policy is ${show(doc)}, not an object with a "rules" list`);
  const extra = unknownKeys(doc, ['rules']);
  if (extra.length > 0)
    return unreadable(`the lifecycle policy has fields this evaluator does not know (${extra.join(', ')})`);
  const raws: readonly Json[] = doc.rules;
  const ordered: { readonly raw: Record<string, Json>; readonly at: string; readonly priority: number }[] =
    [];
  for (const [i, raw] of raws.entries()) {
    if (!isRecord(raw)) return unreadable(`rules[${i}] is ${show(raw)}, not an object`);
    const priority = raw.rulePriority;
    if (!isWhole(priority) || priority < 1)
      return unreadable(
        `rules[${i}].rulePriority is ${show(priority)}, not a whole number above 0, so the rule order is unknown`,
      );
    if (ordered.some((r) => r.priority === priority))
      return unreadable(`rulePriority ${priority} is used twice, so the rule order is unknown`);
    ordered.push({ raw, at: `rules[${i}]`, priority });
  }
  const problems: string[] = [];
  const rules = ordered
    .sort((a, b) => a.priority - b.priority)
    .map(({ raw, at, priority }) => parseRule(raw, at, priority, problems));
  const anyRule = rules.findIndex((r) => r.selection?.tags.kind === 'any');
  if (anyRule >= 0 && anyRule < rules.length - 1)
    problems.push(
      `rule ${rules[anyRule]?.priority} has tagStatus "any" but not the highest rulePriority (ECR requires it last): evaluated as written`,
    );
  return { rules, problems };
}

// ---------------------------------------------------------------------------------------------------------
// Matching

/** A tag pattern: `*` matches any run of characters (also none), everything else itself, over the whole tag. */
export function tagMatches(pattern: string, tag: string): boolean {
  const parts = pattern.split('*');
  const first = parts[0] ?? '';
  const last = parts[parts.length - 1] ?? '';
  if (parts.length === 1) return tag === pattern;
  if (!tag.startsWith(first) || tag.length < first.length + last.length || !tag.endsWith(last)) return false;
  let at = first.length;
  const end = tag.length - last.length;
  for (const middle of parts.slice(1, -1)) {
    const found = tag.indexOf(middle, at);
    if (found < 0 || found + middle.length > end) return false;
    at = found + middle.length;
  }
  return true;
}

function selects(selection: LifecycleSelection, image: LifecycleImage): boolean {
  if ((image.archived === true) !== (selection.storageClass === 'archive')) return false;
  const { tags } = selection;
  switch (tags.kind) {
    case 'any':
      return true;
    case 'untagged':
      return image.tags.length === 0;
    case 'prefixes':
      return tags.prefixes.every((p) => image.tags.some((t) => t.startsWith(p)));
    case 'patterns':
      return tags.patterns.every((p) => image.tags.some((t) => tagMatches(p, t)));
  }
}

// ---------------------------------------------------------------------------------------------------------
// Words

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const daysAgo = (ms: number): string => {
  const days = Math.floor(ms / DAY_MS);
  return days === 1 ? '1 day ago' : `${days} days ago`;
};
function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}
const list = (items: readonly string[]): string => items.join(', ');

function ruleName(rule: LifecycleRule): string {
  return rule.description !== undefined
    ? `rule ${rule.priority} (${JSON.stringify(rule.description)})`
    : `rule ${rule.priority}`;
}

function selectionWords(selection: LifecycleSelection): string {
  const archived = selection.storageClass === 'archive' ? 'archived ' : '';
  const { tags } = selection;
  switch (tags.kind) {
    case 'any':
      return `${archived}images`;
    case 'untagged':
      return `untagged ${archived}images`;
    case 'prefixes':
      return tags.prefixes.length === 1
        ? `${archived}images with a tag starting ${tags.prefixes[0]}`
        : `${archived}images with tags starting each of ${list(tags.prefixes)}`;
    case 'patterns':
      return tags.patterns.length === 1
        ? `${archived}images with a tag matching ${tags.patterns[0]}`
        : `${archived}images with tags matching each of ${list(tags.patterns)}`;
  }
}

const verb = (action: LifecycleAction): string => (action === 'expire' ? 'expires' : 'archives (unpullable)');

// ---------------------------------------------------------------------------------------------------------
// Evaluation

/** How an age rule's count type reads, and the image time it counts from. */
const AGE_WORDS: Record<
  (typeof AGE_COUNTS)[number],
  { readonly event: string; readonly done: string; readonly since: (i: LifecycleImage) => number | undefined }
> = {
  sinceImagePushed: { event: 'push', done: 'pushed', since: (i) => i.pushedAt },
  sinceImagePulled: { event: 'last recorded pull', done: 'last pulled', since: (i) => i.lastPulledAt },
  sinceImageTransitioned: { event: 'move to archive', done: 'archived', since: (i) => i.archivedAt },
};

interface Readable {
  readonly rule: LifecycleRule;
  readonly selection: LifecycleSelection;
  readonly count: LifecycleCount;
  readonly action: LifecycleAction;
}

/**
 * The fate, under one fully readable rule, of an image that rule selects and no higher rule did; `position` is
 * its place among the images the rule selects, 0 the newest.
 */
function fateUnder(
  r: Readable,
  image: LifecycleImage,
  position: number,
  now: number,
  options: FateOptions,
): ImageFate {
  const { rule, selection, count, action } = r;
  const head = `${ruleName(rule)} ${verb(action)}`;
  if (count.kind === 'imageCountMoreThan') {
    const newest = count.images === 1 ? 'only the newest of the' : `the ${count.images} newest`;
    const what = `${ruleName(rule)} keeps ${newest} ${selectionWords(selection)} and ${verb(action)} the rest; this image is the ${ordinal(position + 1)} newest`;
    if (position >= count.images) return { kind: 'expiring', rule: rule.priority, reason: what };
    const pushesLeft = count.images - position;
    if (pushesLeft > options.pushMargin) return { kind: 'kept' };
    const more = pushesLeft === 1 ? '1 more such push' : `${pushesLeft} more such pushes`;
    return {
      kind: 'at-risk',
      rule: rule.priority,
      reason: `${what}, so ${more} would make it eligible`,
      pushesLeft,
    };
  }
  const { event, done, since } = AGE_WORDS[count.kind];
  const rulesWords = `${head} ${selectionWords(selection)} ${count.days} days after their ${event}`;
  const from = since(image);
  if (from === undefined)
    return {
      kind: 'unknown',
      reason: `${rulesWords}; ECR reports no ${event} time for this image, so when it applies is unknown`,
    };
  const eligibleAt = from + count.days * DAY_MS;
  const story = `${rulesWords}; this one was ${done} ${daysAgo(now - from)}`;
  if (now >= eligibleAt)
    return { kind: 'expiring', rule: rule.priority, reason: `${story} (eligible since ${iso(eligibleAt)})` };
  if (eligibleAt - now > options.horizonMs) return { kind: 'kept' };
  return {
    kind: 'at-risk',
    rule: rule.priority,
    reason: `${story} (eligible ${iso(eligibleAt)})`,
    eligibleAt,
  };
}

/**
 * The fate of each of `digests` (the images the caller cares about) under the policy, given every image of the
 * repository (the rules count them all). A digest the repository does not list is `unknown` with
 * `NOT_LISTED`; an archived image is `unknown` with `ARCHIVED`; with an unreadable policy every digest is
 * `unknown` with the policy's reason.
 */
export function imageFates(
  policy: ParsedLifecyclePolicy,
  images: readonly LifecycleImage[],
  digests: readonly string[],
  now: number,
  options: FateOptions,
): ReadonlyMap<string, ImageFate> {
  const byDigest = new Map<string, LifecycleImage>();
  for (const image of images) if (!byDigest.has(image.digest)) byDigest.set(image.digest, image);
  const all = [...byDigest.values()];
  const fates = new Map<LifecycleImage, ImageFate>();
  if (policy.unreadable === undefined) {
    for (const rule of policy.rules) {
      const { selection, count, action } = rule;
      const why = `${ruleName(rule)} cannot be read (${rule.unreadable ?? 'unknown shape'})`;
      if (selection === undefined) {
        // Which images it takes is unknown: any image no higher rule took might be its, to keep or to act on.
        for (const image of all)
          if (!fates.has(image))
            fates.set(image, { kind: 'unknown', reason: `${why}; it may select this image` });
        break;
      }
      const selected = all.filter((image) => selects(selection, image));
      // Positions by push, 0 the newest (the docs order by push time only; ties go by digest, to be stable).
      const newestFirst = [...selected].sort(
        (a, b) => b.pushedAt - a.pushedAt || (a.digest < b.digest ? -1 : 1),
      );
      const position = new Map(newestFirst.map((image, i) => [image, i]));
      for (const image of selected) {
        if (fates.has(image)) continue; // a higher rule selected it: this rule only counts it
        fates.set(
          image,
          count === undefined || action === undefined
            ? { kind: 'unknown', reason: `${why}; it selects this image` }
            : fateUnder({ rule, selection, count, action }, image, position.get(image) ?? 0, now, options),
        );
      }
    }
  }
  const result = new Map<string, ImageFate>();
  for (const digest of digests) {
    const image = byDigest.get(digest);
    if (policy.unreadable !== undefined) result.set(digest, { kind: 'unknown', reason: policy.unreadable });
    else if (image === undefined) result.set(digest, { kind: 'unknown', reason: NOT_LISTED });
    else if (image.archived === true) result.set(digest, { kind: 'unknown', reason: ARCHIVED });
    else result.set(digest, fates.get(image) ?? { kind: 'kept' });
  }
  return result;
}
