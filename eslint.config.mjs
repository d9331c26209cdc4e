// @ts-check
// ESLint as the Nest 11 starter sets it up (typescript-eslint, type-checked rules), with
// Prettier run on its own (`npm run lint` checks, `npm run format` writes) and eslint-config-prettier turning off
// the rules it owns, plus one rule of this project: a kit folder's public face is its index.ts.
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier/flat';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * From outside a folder of `src/` (a kit folder such as `src/cache`, or a feature such as
 * `src/features/catalog`), import the folder (`'../cache'`: its index.ts), never a file in it.
 * A relative import that climbs out of the importing file's folder (`../`) and then names a
 * folder and a file inside it is refused; imports inside a folder (`./x`, `../x` from a
 * sub-folder) are not affected. `src/*.ts` (the composition root) imports folders the same way.
 */
const folderFaces = {
  patterns: [
    {
      regex: '^(\\.\\./)+((?!features/)[^./][^/]*|features/[^/]+)/.+',
      message: "Import the folder's index.ts (e.g. '../cache'), not a file inside another folder: it is that folder's public face.",
    },
  ],
};
const rootFaces = {
  patterns: [
    {
      regex: '^\\./((?!features/)[^./][^/]*|features/[^/]+)/.+',
      message: "Import the folder's index.ts (e.g. './cache'), not a file inside it.",
    },
  ],
};

export default tseslint.config(
  { ignores: ['dist/', 'dist-bench/', 'coverage/', 'bench/results/'] },
  eslint.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  prettier,
  {
    languageOptions: {
      globals: { ...globals.node, ...globals.jest },
      sourceType: 'commonjs',
      parserOptions: { projectService: { allowDefaultProject: ['*.mjs', '*.js', 'scripts/*.js', 'test/support/*.js'] }, tsconfigRootDir: import.meta.dirname },
    },
  },
  {
    rules: {
      // An `async` function that awaits nothing still turns a throw into a rejection: the reason
      // fakes and stores that implement a Promise-returning interface are written that way.
      '@typescript-eslint/require-await': 'off',
      // It does not see a use inside a decorator (`@Param('id', productId)`), where our pipes are used.
      'no-useless-assignment': 'off',
      // `_` marks a parameter a signature requires but the body does not use.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // Tests read JSON bodies (typed any) and pass mocked methods to expect(); both are what they are for.
    files: ['test/**/*.ts', '**/*.spec.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  { files: ['src/*/**/*.ts'], rules: { 'no-restricted-imports': ['error', folderFaces] } },
  { files: ['src/*.ts'], rules: { 'no-restricted-imports': ['error', rootFaces] } },
  { files: ['**/*.js', '**/*.mjs'], extends: [tseslint.configs.disableTypeChecked], rules: { '@typescript-eslint/no-require-imports': 'off' } },
);
