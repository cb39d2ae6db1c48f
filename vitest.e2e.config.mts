import { defineConfig } from 'vitest/config'

// Browser-mode end-to-end tests: the built renderer, the real app service, Debian's Chromium.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.ts'],
    environment: 'node',
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 120_000,
    // What the app draws after work in its engine processes can take seconds on a loaded 2-core machine; a
    // poll fails only when the page never gets there.
    expect: { poll: { timeout: 30_000 } }
  }
})
