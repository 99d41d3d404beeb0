import fc from 'fast-check';
import {
  ARCHIVED,
  NOT_LISTED,
  imageFates,
  parseLifecyclePolicy,
  tagMatches,
  type ImageFate,
  type LifecycleImage,
} from '../../../lambda/adapters/ecr-lifecycle';

const DAY = 24 * 60 * 60 * 1000;
const HOUR = 60 * 60 * 1000;
const NOW = Date.parse('2026-12-01T08:00:00Z');

type RawRule = Record<string, unknown>;

/** A rule as the policy text carries it; `selection` is spread over the defaults. */
const rule = (
  rulePriority: number,
  selection: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): RawRule => ({ rulePriority, selection, action: { type: 'expire' }, ...extra });
const keep = (n: number, selection: Record<string, unknown>) => ({
  countType: 'imageCountMoreThan',
  countNumber: n,
  ...selection,
});
const olderThan = (days: number, selection: Record<string, unknown>) => ({
  countType: 'sinceImagePushed',
  countUnit: 'days',
  countNumber: days,
  ...selection,
});
const text = (...rules: RawRule[]) => JSON.stringify({ rules });

const image = (digest: string, tags: string[], ago: number, extra: Partial<LifecycleImage> = {}) => ({
  digest,
  tags,
  pushedAt: NOW - ago,
  ...extra,
});

const OPTIONS = { horizonMs: 3 * DAY, pushMargin: 2 };

/** The fates of every image (or of `digests`), as a plain object keyed by digest. */
function fatesOf(
  policy: string,
  images: LifecycleImage[],
  options = OPTIONS,
  digests = images.map((i) => i.digest),
): Record<string, ImageFate> {
  return Object.fromEntries(imageFates(parseLifecyclePolicy(policy), images, digests, NOW, options));
}
const kinds = (fates: Record<string, ImageFate>) =>
  Object.fromEntries(Object.entries(fates).map(([d, f]) => [d, f.kind === 'kept' ? 'kept' : `${f.kind}`]));
const ruleOf = (fate: ImageFate | undefined) =>
  fate !== undefined && 'rule' in fate ? fate.rule : undefined;

describe('count rules (imageCountMoreThan)', () => {
  const prod = Array.from({ length: 12 }, (_, i) => image(`p${i + 1}`, [`prod-${i + 1}`], (i + 1) * HOUR));
  const policy = text(
    rule(1, keep(10, { tagStatus: 'tagged', tagPrefixList: ['prod'] }), {
      description: 'keep 10 prod images',
    }),
  );

  it('keeps the N newest images with the prefix and expires the rest, oldest first', () => {
    const fates = fatesOf(policy, [...prod, image('dev', ['dev-1'], 30 * DAY)]);
    expect(fates.p11).toEqual({
      kind: 'expiring',
      rule: 1,
      reason:
        'rule 1 ("keep 10 prod images") keeps the 10 newest images with a tag starting prod and expires the rest; this image is the 11th newest',
    });
    expect(fates.p12?.kind).toBe('expiring');
    expect(fates.p1).toEqual({ kind: 'kept' });
    expect(fates.dev).toEqual({ kind: 'kept' });
  });

  it('reports an image within the push margin of the cut as at-risk, with the pushes left', () => {
    const fates = fatesOf(policy, prod);
    expect(fates.p10).toEqual({
      kind: 'at-risk',
      rule: 1,
      pushesLeft: 1,
      reason:
        'rule 1 ("keep 10 prod images") keeps the 10 newest images with a tag starting prod and expires the rest; this image is the 10th newest, so 1 more such push would make it eligible',
    });
    expect(fates.p9).toMatchObject({ kind: 'at-risk', pushesLeft: 2 });
    expect(fates.p8).toEqual({ kind: 'kept' });
  });

  it('never reports at-risk by count with a margin of 0, and widens with the margin', () => {
    expect(fatesOf(policy, prod, { ...OPTIONS, pushMargin: 0 }).p10).toEqual({ kind: 'kept' });
    expect(fatesOf(policy, prod, { ...OPTIONS, pushMargin: 10 }).p1).toMatchObject({
      kind: 'at-risk',
      pushesLeft: 10,
    });
  });

  it('orders images pushed at the same instant by digest, so the answer is stable', () => {
    const twins = [image('b', ['prod-b'], DAY), image('a', ['prod-a'], DAY)];
    const same = text(rule(1, keep(1, { tagStatus: 'tagged', tagPrefixList: ['prod'] })));
    expect(kinds(fatesOf(same, twins, { ...OPTIONS, pushMargin: 0 }))).toEqual({ a: 'kept', b: 'expiring' });
  });
});

describe('tag lists (AWS "Filtering on multiple tags in a single rule")', () => {
  it('selects only images carrying every listed prefix (AND between entries), on any of their tags', () => {
    const images = [
      image('A', ['alpha-1'], 12 * DAY),
      image('B', ['beta-1'], 11 * DAY),
      image('C', ['alpha-2', 'beta-2'], 10 * DAY),
      image('D', ['alpha-3'], 4 * DAY),
      image('E', ['beta-3'], 3 * DAY),
      image('F', ['alpha-4', 'beta-4'], 2 * DAY),
    ];
    const policy = text(rule(1, olderThan(5, { tagStatus: 'tagged', tagPrefixList: ['alpha', 'beta'] })));
    expect(kinds(fatesOf(policy, images, { ...OPTIONS, horizonMs: DAY }))).toEqual({
      A: 'kept',
      B: 'kept',
      C: 'expiring',
      D: 'kept',
      E: 'kept',
      F: 'kept',
    });
  });

  it('treats tags as not exclusive: an image with more tags than listed still matches', () => {
    const images = [
      image('A', ['alpha-1', 'beta-1', 'gamma-1'], 10 * DAY),
      image('B', ['alpha-2', 'beta-2'], 9 * DAY),
      image('C', ['alpha-3', 'beta-3', 'gamma-2'], 8 * DAY),
    ];
    const policy = text(rule(1, keep(1, { tagStatus: 'tagged', tagPrefixList: ['alpha', 'beta'] })));
    expect(kinds(fatesOf(policy, images, { ...OPTIONS, pushMargin: 0 }))).toEqual({
      A: 'expiring',
      B: 'expiring',
      C: 'kept',
    });
  });

  it('matches tagPatternList wildcards against whole tags, every pattern on some tag', () => {
    const images = [
      image('rc', ['release-1.2-rc1'], 40 * DAY),
      image('stable', ['release-1.2-stable'], 40 * DAY),
      image('both', ['release-1.3-stable', 'signed'], 40 * DAY),
      image('prefixed', ['x-release-1.4-stable'], 40 * DAY),
    ];
    const one = text(rule(1, olderThan(30, { tagStatus: 'tagged', tagPatternList: ['release-*-stable'] })));
    expect(kinds(fatesOf(one, images))).toEqual({
      rc: 'kept',
      stable: 'expiring',
      both: 'expiring',
      prefixed: 'kept',
    });
    const two = text(
      rule(1, olderThan(30, { tagStatus: 'tagged', tagPatternList: ['release-*', 'signed'] })),
    );
    expect(kinds(fatesOf(two, images))).toEqual({
      rc: 'kept',
      stable: 'kept',
      both: 'expiring',
      prefixed: 'kept',
    });
  });

  it.each([
    ['prod*', 'prod', true],
    ['prod*', 'prod-1', true],
    ['prod*', 'preprod', false],
    ['prod', 'prod-1', false],
    ['*', 'anything', true],
    ['*-stable', 'v1-stable', true],
    ['*test*1*2*3', 'unit-test-x1y2z3', true],
    ['a*a', 'a', false],
    ['a*b*a', 'aba', true],
    ['a*b*a', 'ab', false],
    ['v1.*', 'v1x2', false],
    ['Prod*', 'prod-1', false],
  ])('tagMatches(%j, %j) is %j', (pattern, tag, expected) => {
    expect(tagMatches(pattern, tag)).toBe(expected);
  });
});

describe('tag status and priorities (AWS "Filtering on multiple rules" and "Filtering on all images")', () => {
  const ab = [
    image('A', ['beta-1', 'prod-1'], 10 * DAY),
    image('B', ['beta-2', 'prod-2'], 9 * DAY),
    image('C', ['beta-3'], 8 * DAY),
  ];
  const prod1 = rule(1, keep(1, { tagStatus: 'tagged', tagPrefixList: ['prod'] }));
  const beta1 = rule(1, keep(1, { tagStatus: 'tagged', tagPrefixList: ['beta'] }));
  const options = { ...OPTIONS, pushMargin: 0 };

  it('a lower rule still counts what a higher rule selected, but cannot expire what it kept', () => {
    const policy = text(prod1, { ...beta1, rulePriority: 2 });
    const fates = fatesOf(policy, ab, options);
    expect(kinds(fates)).toEqual({ A: 'expiring', B: 'kept', C: 'kept' });
    expect(ruleOf(fates.A)).toBe(1);
  });

  it('with the priorities swapped, the first rule takes every image it selects', () => {
    const policy = text(beta1, { ...prod1, rulePriority: 2 });
    const fates = fatesOf(policy, ab, options);
    expect(kinds(fates)).toEqual({ A: 'expiring', B: 'expiring', C: 'kept' });
    expect([ruleOf(fates.A), ruleOf(fates.B)]).toEqual([1, 1]);
  });

  it('any selects tagged and untagged images alike', () => {
    const images = [
      image('A', ['alpha-1'], 4 * DAY),
      image('B', ['beta-1'], 3 * DAY),
      image('C', [], 2 * DAY),
      image('D', ['alpha-2'], DAY),
    ];
    const policy = text(rule(1, keep(1, { tagStatus: 'any' })));
    expect(kinds(fatesOf(policy, images, options))).toEqual({
      A: 'expiring',
      B: 'expiring',
      C: 'expiring',
      D: 'kept',
    });
  });

  it('combines tagged, untagged and any rules, one rule per image', () => {
    const images = [
      image('A', ['alpha-1', 'beta-1'], 4 * DAY),
      image('B', [], 3 * DAY),
      image('C', ['alpha-2'], 2 * DAY),
      image('D', ['git hash'], 22 * HOUR),
      image('E', [], 20 * HOUR),
    ];
    const policy = text(
      rule(1, keep(1, { tagStatus: 'tagged', tagPrefixList: ['alpha'] })),
      rule(2, olderThan(1, { tagStatus: 'untagged' })),
      rule(3, keep(1, { tagStatus: 'any' })),
    );
    const fates = fatesOf(policy, images, { horizonMs: 0, pushMargin: 0 });
    expect(kinds(fates)).toEqual({ A: 'expiring', B: 'expiring', C: 'kept', D: 'expiring', E: 'kept' });
    expect([ruleOf(fates.A), ruleOf(fates.B), ruleOf(fates.D)]).toEqual([1, 2, 3]);
  });

  it('an image an age rule keeps is not expired by a lower count rule', () => {
    const images = [
      image('young', ['prod-2'], DAY),
      image('old', ['prod-1'], 20 * DAY),
      image('x', ['x'], 0),
    ];
    const policy = text(
      rule(1, olderThan(14, { tagStatus: 'tagged', tagPrefixList: ['prod'] })),
      rule(2, keep(1, { tagStatus: 'any' })),
    );
    expect(kinds(fatesOf(policy, images, options))).toEqual({ young: 'kept', old: 'expiring', x: 'kept' });
  });

  it('evaluates rules by rulePriority, not by their order in the text, and gaps are fine', () => {
    const policy = text({ ...beta1, rulePriority: 20 }, { ...prod1, rulePriority: 10 });
    expect(kinds(fatesOf(policy, ab, options))).toEqual({ A: 'expiring', B: 'kept', C: 'kept' });
  });

  it('reports an any rule that is not last, and evaluates the policy as written', () => {
    const parsed = parseLifecyclePolicy(
      text(rule(1, keep(5, { tagStatus: 'any' })), { ...prod1, rulePriority: 2 }),
    );
    expect(parsed.problems).toEqual([
      'rule 1 has tagStatus "any" but not the highest rulePriority (ECR requires it last): evaluated as written',
    ]);
    expect(parsed.rules.map((r) => r.priority)).toEqual([1, 2]);
  });
});

describe('age rules', () => {
  const policy = text(rule(2, olderThan(14, { tagStatus: 'untagged' })));

  it('expires an image eligible now, saying since when', () => {
    expect(fatesOf(policy, [image('old', [], 15 * DAY)]).old).toEqual({
      kind: 'expiring',
      rule: 2,
      reason:
        'rule 2 expires untagged images 14 days after their push; this one was pushed 15 days ago (eligible since 2026-11-30T08:00:00Z)',
    });
  });

  it('reports an image that becomes eligible within the horizon as at-risk, with when', () => {
    expect(fatesOf(policy, [image('soon', [], 13 * DAY)]).soon).toEqual({
      kind: 'at-risk',
      rule: 2,
      eligibleAt: Date.parse('2026-12-02T08:00:00Z'),
      reason:
        'rule 2 expires untagged images 14 days after their push; this one was pushed 13 days ago (eligible 2026-12-02T08:00:00Z)',
    });
  });

  it('keeps an image eligible only past the horizon, and tagged images the rule does not select', () => {
    const fates = fatesOf(policy, [image('young', [], 5 * DAY), image('tagged', ['v1'], 90 * DAY)]);
    expect(fates).toEqual({ young: { kind: 'kept' }, tagged: { kind: 'kept' } });
  });

  it('counts sinceImagePulled from the last recorded pull, and does not guess without one', () => {
    const pulled = text(
      rule(1, { tagStatus: 'any', countType: 'sinceImagePulled', countUnit: 'days', countNumber: 30 }),
    );
    const fates = fatesOf(pulled, [
      image('stale', ['v1'], 400 * DAY, { lastPulledAt: NOW - 31 * DAY }),
      image('fresh', ['v2'], 400 * DAY, { lastPulledAt: NOW - DAY }),
      image('never', ['v3'], 400 * DAY),
    ]);
    expect(fates.stale).toMatchObject({ kind: 'expiring', rule: 1 });
    expect(fates.fresh).toEqual({ kind: 'kept' });
    expect(fates.never).toEqual({
      kind: 'unknown',
      reason:
        'rule 1 expires images 30 days after their last recorded pull; ECR reports no last recorded pull time for this image, so when it applies is unknown',
    });
  });
});

describe('archiving', () => {
  it('treats a transition to archive as expiry: an archived image cannot be pulled', () => {
    const policy = text(
      rule(1, olderThan(30, { tagStatus: 'any' }), {
        action: { type: 'transition', targetStorageClass: 'archive' },
      }),
    );
    expect(fatesOf(policy, [image('old', ['v1'], 31 * DAY)]).old).toMatchObject({
      kind: 'expiring',
      rule: 1,
      reason: expect.stringContaining(
        'rule 1 archives (unpullable) images 30 days after their push',
      ) as unknown,
    });
  });

  it('reports an image already archived as unknown, saying it cannot be pulled', () => {
    const fates = fatesOf(text(rule(1, keep(100, { tagStatus: 'any' }))), [
      image('gone', ['v1'], DAY, { archived: true }),
    ]);
    expect(fates.gone).toEqual({ kind: 'unknown', reason: ARCHIVED });
  });

  it('keeps the storage classes apart: a standard count rule does not count archived images', () => {
    const images = [
      image('new', ['v3'], DAY),
      image('archived', ['v2'], 2 * DAY, { archived: true, archivedAt: NOW - 100 * DAY }),
      image('old', ['v1'], 3 * DAY),
    ];
    const policy = text(
      rule(1, keep(2, { tagStatus: 'any' })),
      rule(2, {
        tagStatus: 'any',
        storageClass: 'archive',
        countType: 'sinceImageTransitioned',
        countUnit: 'days',
        countNumber: 90,
      }),
    );
    const parsed = parseLifecyclePolicy(policy);
    expect(fatesOf(policy, images, { ...OPTIONS, pushMargin: 0 }, ['new', 'old'])).toEqual({
      new: { kind: 'kept' },
      old: { kind: 'kept' },
    });
    expect(parsed.rules[1]?.selection).toEqual({ tags: { kind: 'any' }, storageClass: 'archive' });
  });
});

describe('what the evaluator cannot judge', () => {
  it.each([
    ['not JSON', '{"rules": [', /^the lifecycle policy is not JSON/],
    ['a list', '[]', /^the lifecycle policy is \[\], not an object with a "rules" list/],
    ['no rules', '{}', /not an object with a "rules" list/],
    [
      'an unknown top-level field',
      '{"rules": [], "version": 2}',
      /fields this evaluator does not know \(version\)/,
    ],
    ['a rule that is not an object', '{"rules": [7]}', /^rules\[0\] is 7, not an object/],
    [
      'a priority that is a string',
      text({ ...rule(1, keep(1, { tagStatus: 'any' })), rulePriority: '1' }),
      /^rules\[0\]\.rulePriority is "1", not a whole number above 0, so the rule order is unknown/,
    ],
    [
      'a priority used twice',
      text(rule(3, keep(1, { tagStatus: 'untagged' })), rule(3, keep(1, { tagStatus: 'any' }))),
      /^rulePriority 3 is used twice/,
    ],
  ])(
    'answers a policy that is %s with no rules, unreadable, a problem, and unknown fates',
    (_, policy, why) => {
      const parsed = parseLifecyclePolicy(policy);
      expect(parsed.rules).toEqual([]);
      expect(parsed.unreadable).toMatch(why);
      expect(parsed.problems).toEqual([
        `${parsed.unreadable}: the policy is not judged, every image is unknown`,
      ]);
      const fates = imageFates(parsed, [image('a', ['v1'], DAY)], ['a', 'missing'], NOW, OPTIONS);
      expect(fates.get('a')).toEqual({ kind: 'unknown', reason: parsed.unreadable });
      expect(fates.get('missing')).toEqual({ kind: 'unknown', reason: parsed.unreadable });
    },
  );

  const images = [
    image('prod', ['prod-1'], 40 * DAY),
    image('dev', ['dev-1'], 40 * DAY),
    image('bare', [], 40 * DAY),
  ];

  it.each([
    [
      'an unknown countType',
      { countType: 'sinceImageBuilt', countUnit: 'days', countNumber: 1 },
      'countType is "sinceImageBuilt", not one of imageCountMoreThan, sinceImagePushed, sinceImagePulled, sinceImageTransitioned',
    ],
    [
      'a countNumber that is a string',
      { countType: 'imageCountMoreThan', countNumber: '10' },
      'countNumber is "10", not a whole number above 0',
    ],
    [
      'a countNumber of 0',
      { countType: 'imageCountMoreThan', countNumber: 0 },
      'countNumber is 0, not a whole number above 0',
    ],
    [
      'a countUnit other than days',
      { countType: 'sinceImagePushed', countUnit: 'hours', countNumber: 1 },
      'countUnit is "hours", not "days"',
    ],
    [
      'a countUnit on a count rule',
      { countType: 'imageCountMoreThan', countUnit: 'days', countNumber: 1 },
      'countUnit is set for imageCountMoreThan (ECR allows none)',
    ],
  ])('judges the images a rule with %s selects unknown, and the rest as usual', (_, count, why) => {
    const policy = text(
      rule(1, { tagStatus: 'tagged', tagPrefixList: ['prod'], ...count }),
      rule(2, olderThan(30, { tagStatus: 'any' })),
    );
    const parsed = parseLifecyclePolicy(policy);
    expect(parsed.problems).toEqual([
      `rules[0].selection.${why}: rule 1 is judged unknown for the images it would select`,
    ]);
    const fates = fatesOf(policy, images);
    expect(fates.prod).toEqual({
      kind: 'unknown',
      reason: `rule 1 cannot be read (rules[0].selection.${why}); it selects this image`,
    });
    expect(kinds(fates)).toEqual({ prod: 'unknown', dev: 'expiring', bare: 'expiring' });
  });

  it.each([
    [
      'an unknown tagStatus',
      { tagStatus: 'signed' },
      'rules[0].selection.tagStatus is "signed", not "tagged", "untagged" or "any"',
    ],
    [
      'a tagPrefixList that is a string',
      { tagStatus: 'tagged', tagPrefixList: 'prod' },
      'rules[0].selection.tagPrefixList is "prod", not a non-empty list of tags',
    ],
    [
      'an empty tag in the list',
      { tagStatus: 'tagged', tagPatternList: ['prod*', ''] },
      'rules[0].selection.tagPatternList[1] is "", not a non-empty string',
    ],
    [
      'both tag lists',
      { tagStatus: 'tagged', tagPrefixList: ['a'], tagPatternList: ['b*'] },
      'rules[0].selection.tagStatus is "tagged": it needs exactly one of tagPrefixList and tagPatternList',
    ],
    [
      'a tag list on untagged',
      { tagStatus: 'untagged', tagPrefixList: ['a'] },
      'rules[0].selection.tagStatus is "untagged" but a tag list is given too (ECR requires none)',
    ],
    [
      'an unknown storage class',
      { tagStatus: 'any', storageClass: 'glacier' },
      'rules[0].selection.storageClass is "glacier", not "standard" or "archive"',
    ],
    [
      'an unknown selection field',
      { tagStatus: 'any', tagExcludeList: ['x'] },
      'rules[0].selection has fields this evaluator does not know (tagExcludeList)',
    ],
  ])('judges every image no higher rule took unknown when a selection has %s', (_, selection, why) => {
    const policy = text(
      rule(1, keep(5, { tagStatus: 'tagged', tagPrefixList: ['prod'] })),
      rule(2, keep(1, selection)),
      rule(3, olderThan(1, { tagStatus: 'any' })),
    );
    expect(parseLifecyclePolicy(policy).problems).toEqual([
      `${why.replace('rules[0]', 'rules[1]')}: rule 2 is judged unknown for the images it would select`,
    ]);
    const fates = fatesOf(policy, images);
    expect(fates.prod).toEqual({ kind: 'kept' }); // rule 1 took it before the unreadable rule
    expect(fates.dev).toEqual({
      kind: 'unknown',
      reason: `rule 2 cannot be read (${why.replace('rules[0]', 'rules[1]')}); it may select this image`,
    });
    expect(fates.bare?.kind).toBe('unknown');
  });

  it.each([
    ['an unknown action type', { type: 'delete' }],
    ['a transition to another class', { type: 'transition', targetStorageClass: 'deep' }],
    ['no action', undefined],
  ])('judges the selected images unknown for a rule with %s', (_, action) => {
    const policy = text(rule(1, keep(1, { tagStatus: 'untagged' }), { action }));
    const parsed = parseLifecyclePolicy(policy);
    expect(parsed.problems).toHaveLength(1);
    expect(parsed.problems[0]).toMatch(/^rules\[0\]\.action is .*: rule 1 is judged unknown/);
    expect(kinds(fatesOf(policy, images))).toEqual({ prod: 'kept', dev: 'kept', bare: 'unknown' });
  });

  it('reports a description that is not a string and ignores it; reports too many wildcards', () => {
    const parsed = parseLifecyclePolicy(
      text(rule(1, keep(1, { tagStatus: 'tagged', tagPatternList: ['a*b*c*d*e*f'] }), { description: 7 })),
    );
    expect(parsed.problems).toEqual([
      'rules[0].selection.tagPatternList entry "a*b*c*d*e*f" has more than 4 wildcards (ECR refuses it): evaluated as written',
      'rules[0].description is 7, not a string: ignored',
    ]);
    expect(parsed.rules[0]?.description).toBeUndefined();
    expect(parsed.rules[0]?.unreadable).toBeUndefined();
  });

  it('reads an empty rule list as a policy that expires nothing', () => {
    expect(parseLifecyclePolicy('{"rules": []}')).toEqual({ rules: [], problems: [] });
    expect(fatesOf('{"rules": []}', images).prod).toEqual({ kind: 'kept' });
  });

  it('answers a digest the repository does not list as unknown, and lists each digest once', () => {
    const fates = imageFates(
      parseLifecyclePolicy(text(rule(1, keep(5, { tagStatus: 'any' })))),
      images,
      ['gone', 'prod', 'gone'],
      NOW,
      OPTIONS,
    );
    expect([...fates.entries()]).toEqual([
      ['gone', { kind: 'unknown', reason: NOT_LISTED }],
      ['prod', { kind: 'kept' }],
    ]);
  });

  it('never throws, whatever the text', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.jsonValue().map((v) => JSON.stringify({ rules: [v] })),
        ),
        (t) => {
          const parsed = parseLifecyclePolicy(t);
          imageFates(parsed, images, ['prod', 'x'], NOW, OPTIONS);
        },
      ),
    );
  });

  it('never throws on a rule with one field replaced by any JSON value', () => {
    const base = rule(1, keep(1, { tagStatus: 'tagged', tagPrefixList: ['prod'] }));
    const at = (part: 'rule' | 'selection' | 'action') => (key: string) => ({ part, key });
    const place = fc.oneof(
      fc.constantFrom('rulePriority', 'description', 'selection', 'action', 'extra').map(at('rule')),
      fc
        .constantFrom('tagStatus', 'tagPrefixList', 'tagPatternList', 'countType', 'countUnit', 'countNumber')
        .map(at('selection')),
      fc.constantFrom('type', 'targetStorageClass').map(at('action')),
    );
    fc.assert(
      fc.property(place, fc.jsonValue(), ({ part, key }, value) => {
        const mutated =
          part === 'rule'
            ? { ...base, [key]: value }
            : { ...base, [part]: { ...(base[part] as object), [key]: value } };
        const parsed = parseLifecyclePolicy(JSON.stringify({ rules: [mutated] }));
        expect(imageFates(parsed, images, ['prod', 'dev'], NOW, OPTIONS).size).toBe(2);
      }),
    );
  });
});

describe('properties', () => {
  const TAGS = ['prod-1', 'prod-2', 'beta-1', 'dev'];
  const imagesArb = fc
    .uniqueArray(
      fc.record({
        digest: fc.integer({ min: 0, max: 0xffff }).map((n) => `sha256:${n.toString(16)}`),
        tags: fc.subarray(TAGS),
        ago: fc.integer({ min: 0, max: 60 * DAY }),
      }),
      { selector: (i) => i.digest, maxLength: 25 },
    )
    .map((list) => list.map((i) => image(i.digest, i.tags, i.ago)));
  const selectionArb = fc.oneof(
    fc.constant({ tagStatus: 'untagged' }),
    fc.constantFrom('prod', 'beta', 'dev', 'p').map((p) => ({ tagStatus: 'tagged', tagPrefixList: [p] })),
  );
  const countArb = fc.oneof(
    fc.integer({ min: 1, max: 6 }).map((n) => ({ countType: 'imageCountMoreThan', countNumber: n })),
    fc
      .integer({ min: 1, max: 40 })
      .map((n) => ({ countType: 'sinceImagePushed', countUnit: 'days', countNumber: n })),
  );
  const rulesArb = fc
    .array(fc.tuple(selectionArb, countArb), { minLength: 1, maxLength: 5 })
    .map((list) => [
      ...list.map(([s, c], i) => rule((i + 1) * 10, { ...s, ...c })),
      rule(1000, { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 8 }),
    ]);
  const selectsTest = (sel: Record<string, unknown>, img: LifecycleImage): boolean =>
    sel.tagStatus === 'any' ||
    (sel.tagStatus === 'untagged' && img.tags.length === 0) ||
    (Array.isArray(sel.tagPrefixList) &&
      img.tags.some((t) => t.startsWith(String((sel.tagPrefixList as unknown[])[0]))));

  it('names, for any image it acts on, the highest-priority rule that selects it, and only one', () => {
    fc.assert(
      fc.property(rulesArb, imagesArb, (rules, images) => {
        const fates = imageFates(
          parseLifecyclePolicy(JSON.stringify({ rules })),
          images,
          images.map((i) => i.digest),
          NOW,
          OPTIONS,
        );
        for (const img of images) {
          const fate = fates.get(img.digest);
          const first = rules.find((r) => selectsTest(r.selection as Record<string, unknown>, img));
          if (fate === undefined || fate.kind === 'unknown')
            throw new Error(`no judgement for ${img.digest}`);
          if (fate.kind !== 'kept') expect(fate.rule).toBe(first?.rulePriority);
        }
      }),
    );
  });

  it('a count rule never expires the N newest images it selects, and expires all the others', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.constantFrom('prod', 'beta', 'dev'),
        imagesArb,
        (n, prefix, images) => {
          const policy = text(rule(1, keep(n, { tagStatus: 'tagged', tagPrefixList: [prefix] })));
          const fates = fatesOf(policy, images, { horizonMs: 0, pushMargin: 0 });
          const selected = images
            .filter((i) => i.tags.some((t) => t.startsWith(prefix)))
            .sort((a, b) => b.pushedAt - a.pushedAt || (a.digest < b.digest ? -1 : 1));
          selected.forEach((img, position) =>
            expect(fates[img.digest]?.kind).toBe(position < n ? 'kept' : 'expiring'),
          );
        },
      ),
    );
  });
});
