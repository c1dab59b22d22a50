import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two cores: keep the spawned servers and simulators from starving each other.
    maxWorkers: 2,
    // The JSON report lets .ci/run print a plain "N passed, N failed" closing line; set here as
    // `outputFile` (not a reporter option) so `--outputFile.json=...` can send a run elsewhere.
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest/report.json' },
  },
});
