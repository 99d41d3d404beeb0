import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

const sdk = {
  group: ['@aws-sdk/*'],
  message: 'Only lambda/adapters (and the simulator) may import the AWS SDK.',
};
const restrict = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

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
  // Dependency direction (STYLE.md): lib -> contract; domain -> contract; use-cases -> domain + ports;
  // only adapters touch the SDK.
  {
    files: ['lib/**/*.ts'],
    rules: restrict(sdk, {
      group: ['**/lambda/!(contract)/**', '**/lambda/!(contract)'],
      message: 'lib/ may import lambda/contract only.',
    }),
  },
  {
    files: ['lambda/contract/**/*.ts'],
    rules: restrict(sdk, { group: ['../*', '!../contract'], message: 'contract imports nothing else.' }),
  },
  {
    files: ['lambda/domain/**/*.ts'],
    rules: restrict(sdk, {
      group: [
        '../use-cases/*',
        '../adapters/*',
        '../handlers/*',
        '../boundary/*',
        '../sim/*',
        '../cli/*',
        'zod',
      ],
      message: 'domain is pure: it imports only contract.',
    }),
  },
  {
    files: ['lambda/use-cases/**/*.ts'],
    rules: restrict(sdk, {
      group: ['../adapters/*', '../handlers/*', '../sim/*', '../cli/*'],
      message: 'use cases talk to the world through ports only.',
    }),
  },
  {
    files: ['lambda/boundary/**/*.ts', 'lambda/handlers/**/*.ts', 'lambda/cli/**/*.ts'],
    rules: restrict(sdk),
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
