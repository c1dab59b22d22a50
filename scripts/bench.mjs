// Bundles bench/ (TypeScript) into .bench/ and runs it; dist/cli.js must be built first.
// --expose-gc lets the memory bench read the retained heap after a full collection.
import { spawnSync } from 'node:child_process';
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
// The cold-start floor, bundled the way scripts/build.mjs bundles dist/cli.js.
await build({
  entryPoints: [`${root}bench/floor-server.ts`],
  outfile: `${root}.bench/floor-server.mjs`,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
});
const run = spawnSync(process.execPath, ['--expose-gc', `${root}.bench/bench.mjs`, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(run.status ?? 1);
