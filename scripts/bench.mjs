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
// The floor server for the HTTP bench is bundled as dist/cli.js is (dependencies inside,
// minified), so the two are run the same way.
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
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
});
const run = spawnSync(process.execPath, ['--expose-gc', `${root}.bench/bench.mjs`], { stdio: 'inherit' });
process.exit(run.status ?? 1);
