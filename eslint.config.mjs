import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

/*
 * Layering (docs/architecture.md, "Layers"). Each folder of lambda/ is a layer, and a layer may import only
 * the layers listed for it here. The check reads the import path, not the file it resolves to: a relative
 * import that leaves its own folder has to name the folder it goes into (`../adapters/x`,
 * `../../adapters/x`, `../../lambda/adapters/x`), so a pattern on that folder name covers every file at
 * every depth. The layers' names are therefore reserved: no subfolder anywhere in lambda/ may be called
 * like a layer.
 */

/** Every message starts with this, so that the lint test can tell a layering error from any other. */
const LAYERING = 'Layering:';

const SDK_GROUP = ['@aws-sdk/*', '@smithy/*'];

/** What each layer is for, said in every message about it. */
const ROLE = {
  contract: 'the shared vocabulary imports nothing else',
  domain: 'the decision engine is pure: it imports contract only',
  channels: 'a channel renders a notification for one destination and is pure: it imports contract only',
  'use-cases': 'use cases reach the world through the ports in lambda/use-cases/ports.ts',
  adapters: 'an adapter implements a port and knows no caller',
  boundary: 'parsers turn raw input into contract types and know nothing that consumes them',
  handlers: 'Lambda entry points wire adapters to use cases and run in Lambda only',
  cli: 'the CLI reaches a deployed watchdog through the operator client port, or runs the simulator',
  sim: 'the simulator runs the real handlers and is run by the CLI, never the other way round',
  kinds:
    'a target kind owns what one kind of target needs (adapters, event parsers, links, its simulated world) and is read through its registry',
};

const LAYERS = Object.keys(ROLE);

/**
 * The layers each layer may import (besides itself). Adapters may also import `use-cases/ports` (what they
 * implement) and `use-cases/errors` (what the ports say they throw), and nothing else of the use cases.
 */
const ALLOWED = {
  contract: [],
  domain: ['contract'],
  channels: ['contract'],
  'use-cases': ['contract', 'domain', 'channels'],
  adapters: ['contract', 'domain', 'boundary', 'channels'],
  boundary: ['contract', 'domain'],
  handlers: ['contract', 'domain', 'boundary', 'use-cases', 'adapters', 'channels'],
  cli: ['contract', 'domain', 'boundary', 'adapters', 'sim', 'channels', 'kinds'],
  sim: ['contract', 'domain', 'boundary', 'use-cases', 'adapters', 'handlers', 'channels', 'kinds'],
  kinds: ['contract', 'domain', 'boundary', 'adapters', 'channels'],
};
ALLOWED.handlers.push('kinds');

/**
 * Narrow exceptions, `layer>target`: the only modules of `target` that `layer` may import (paths inside the
 * target folder). Adapters and kinds implement the use cases' ports and throw their errors; a kind's simulated
 * world is built from the simulator's toolkit; the config schema reads the kinds' config fragments, which
 * import contract and zod only.
 */
const EXCEPTIONS = {
  'adapters>use-cases': ['ports', 'errors'],
  'kinds>use-cases': ['ports', 'errors'],
  'kinds>sim': ['sim-commands', 'world', 'world/**'],
  'boundary>kinds': ['config-registry', 'config-kind'],
};

/** The only layers that may import the AWS SDK. */
const SDK_LAYERS = ['adapters', 'sim', 'kinds'];

/** A pattern group forbidding `layer`'s files to import `target`, whatever the relative depth. */
function forbid(layer, target) {
  const allowed = EXCEPTIONS[`${layer}>${target}`];
  const group = allowed ? [`**/${target}/**`, ...allowed.map((m) => `!**/${target}/${m}`)] : [`**/${target}`];
  const except = allowed ? ` (only ${allowed.map((m) => `${target}/${m}`).join(', ')})` : '';
  return {
    group,
    message: `${LAYERING} lambda/${layer} may not import lambda/${target}${except}: ${ROLE[layer]}. See docs/architecture.md, "Layers".`,
  };
}

function sdkForbidden(where) {
  return {
    group: SDK_GROUP,
    message: `${LAYERING} ${where} may not import the AWS SDK: only lambda/adapters, lambda/kinds and lambda/sim do. See docs/architecture.md, "Layers".`,
  };
}

function layerRules(layer) {
  const patterns = LAYERS.filter((target) => target !== layer && !ALLOWED[layer].includes(target)).map(
    (target) => forbid(layer, target),
  );
  if (layer === 'domain') {
    patterns.push({
      group: ['zod', 'zod/**'],
      message: `${LAYERING} lambda/domain may not import zod: ${ROLE.domain}; parsing belongs in lambda/boundary. See docs/architecture.md, "Layers".`,
    });
  }
  if (!SDK_LAYERS.includes(layer)) patterns.push(sdkForbidden(`lambda/${layer}`));
  return {
    files: [`lambda/${layer}/**/*.ts`],
    rules: { 'no-restricted-imports': ['error', { patterns }] },
  };
}

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', 'coverage/', '**/*.js', '**/*.mjs', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  ...LAYERS.map(layerRules),
  {
    files: ['lib/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/lambda/**', '!**/lambda/contract', '!**/lambda/contract/**'],
              message: `${LAYERING} lib/ may not import lambda/ other than lambda/contract: the construct shares the vocabulary, never the runtime code. See docs/architecture.md, "Layers".`,
            },
            sdkForbidden('lib/'),
          ],
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/require-await': 'off',
      // Fixture events are deliberately untyped JSON that tests bend into malformed shapes.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  prettier,
);
