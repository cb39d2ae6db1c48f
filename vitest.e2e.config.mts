import { defineConfig } from 'vitest/config'

// Browser-mode end-to-end tests: the built renderer, the real app service, Debian's Chromium.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.ts'],
    environment: 'node',
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 120_000
  }
})
