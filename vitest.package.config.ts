import { defineConfig } from 'vitest/config'

// Tests of what `npm run package` built (build/package/): the single-file executables and the krew
// manifest. Run by `npm run test:package` after `npm run package` and scripts/install-tools.sh.
export default defineConfig({
  test: {
    include: ['test/package/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
})
