import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import reactHooks from 'eslint-plugin-react-hooks'
import prettier from 'eslint-config-prettier'
import globals from 'globals'

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'out/',
      'native/build/',
      'src-main/engine/formats/strategy/generated/',
      'test/e2e/screenshots/'
    ]
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-console': 'off'
    }
  },
  {
    files: ['**/*.{js,mjs,cjs}', 'scripts/**', 'bin/**', '.ci/**'],
    languageOptions: { globals: { ...globals.node } }
  },
  {
    files: ['**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' }
  },
  // The layers of ARCHITECTURE.md, enforced: shells/cli -> services -> engine; the renderer reaches main only
  // through the contract's types and the pure parts of the engine (layout math, formats' value types, formatting).
  {
    files: ['src-main/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The engine runs in workers and the CLI: no Electron.' }],
          patterns: [
            {
              group: ['**/services/**', '**/shells/**', '**/cli/**', '**/api/**', '**/src-renderer/**'],
              message: 'The engine knows nothing of the services, shells, CLI, contract or UI above it.'
            }
          ]
        }
      ]
    }
  },
  {
    files: ['src-main/services/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'electron', message: 'Services are shell-agnostic: Electron belongs in shells/electron.' }
          ],
          patterns: [
            {
              group: ['**/shells/**', '**/cli/**', '**/src-renderer/**'],
              message: 'Services sit below the shells and the CLI.'
            }
          ]
        }
      ]
    }
  },
  {
    files: ['src-main/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The CLI runs on plain Node.' }],
          patterns: [
            { group: ['**/shells/**', '**/src-renderer/**'], message: 'The CLI is a shell of its own.' }
          ]
        }
      ]
    }
  },
  {
    files: ['src-renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'electron', message: 'The renderer is sandboxed: it talks to main through the contract.' }
          ],
          patterns: [
            { group: ['node:*'], message: 'The renderer runs in a sandboxed page, not in Node.' },
            {
              group: [
                '**/src-main/services/**',
                '**/src-main/shells/**',
                '**/src-main/cli/**',
                '**/src-main/engine/exec/**',
                '**/src-main/engine/io/**',
                '**/src-main/engine/plan/**',
                '**/src-main/engine/cluster/**'
              ],
              message: 'The renderer uses src-main/api (types) and the pure engine parts only.'
            }
          ]
        }
      ]
    }
  },
  {
    files: ['src-renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    languageOptions: { globals: { ...globals.browser } },
    rules: { ...reactHooks.configs.recommended.rules }
  },
  prettier
)
