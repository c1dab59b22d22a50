// Bundles bench/ (TypeScript) into .bench/ and runs it; dist/cli.js must be built first.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
await build({
  entryPoints: [`${root}bench/index.ts`],
  outfile: `${root}.bench/bench.mjs`,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
});
await import(`${root}.bench/bench.mjs`);
