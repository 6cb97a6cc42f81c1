import { defineConfig } from 'vitest/config'

// End-to-end tests against the local test cluster (npm run cluster:up).
// Files run one after another: they share one single-node cluster.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    globalSetup: ['test/e2e/support/teardown.ts'],
    fileParallelism: false,
    // Tests marked concurrent (the drills, whose namespaces are disjoint) run this many at a time.
    maxConcurrency: 3,
    testTimeout: 180_000,
    hookTimeout: 180_000,
    teardownTimeout: 120_000,
    reporters: ['default'],
  },
})
