// ESLint with typescript-eslint: the standard linter for TypeScript; the type checker
// itself (tsc) runs separately in `make typecheck`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'build/', 'tests/sim/schema-extract.json'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'error',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  {
    // The UI asks in page (components/st-confirm.ts): native dialogs block the page, cannot be
    // styled or themed and ignore the app's focus handling.
    files: ['ui/**'],
    rules: { 'no-alert': 'error' },
  },
  {
    // Tests, benchmarks, build scripts and the simulator CLI may print.
    files: ['tests/**', '**/*.test.ts', '**/build.ts', 'daemons/admin/**'],
    rules: { 'no-console': 'off' },
  },
);
