import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import lit from 'eslint-plugin-lit';
import litA11y from 'eslint-plugin-lit-a11y';
import wc from 'eslint-plugin-wc';
import globals from 'globals';

export default tseslint.config(
  // test/build/consumer: a partner's app, type-checked against the packed package by test/build/pack.test.ts.
  { ignores: ['dist/**', 'server/dist/**', 'node_modules/**', 'src/vendor/**', 'custom-elements.json', 'test/build/consumer/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    files: ['scripts/simple-peer-shims/*.js'],
    languageOptions: { globals: globals.browser },
  },
  {
    files: ['src/**/*.ts'],
    languageOptions: { globals: globals.browser },
    plugins: { lit, 'lit-a11y': litA11y, wc },
    rules: {
      ...lit.configs.recommended.rules,
      ...litA11y.configs.recommended.rules,
      ...wc.configs.recommended.rules,
      ...wc.configs['best-practice'].rules,
      // Tags are registered through define() in the un75-*.ts files, not in the class modules.
      'wc/tag-name-matches-class': 'off',
    },
  },
  {
    files: ['src/core/**/*.ts', 'src/protocol/**/*.ts'],
    rules: {
      // The core never renders: it must stay free of Lit, of the UI strings and of the elements
      // (conventions §7), so that it runs under any UI or none.
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['lit', 'lit/*', '@lit/*', '@lit-labs/*'], message: 'src/core and src/protocol never import Lit.' },
            { group: ['**/i18n', '**/i18n/*'], message: 'src/core and src/protocol never import the UI strings (src/i18n).' },
            { group: ['**/components', '**/components/*'], message: 'src/core and src/protocol never import the elements (src/components).' },
          ],
        },
      ],
    },
  },
  {
    files: ['server/**/*.ts', 'scripts/**/*.mjs', 'bench/**/*.ts', 'test/server/**/*.ts', 'test/asr/**/*.ts', 'test/build/**/*.ts', 'test/e2e/**/*.ts', 'test/mocks/**/*.mjs', '*.mjs'],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      // chai's property assertions: expect(x).to.be.true
      '@typescript-eslint/no-unused-expressions': 'off',
    },
  },
  {
    files: ['test/e2e/*.js'],
    languageOptions: { globals: globals.browser },
  },
);
