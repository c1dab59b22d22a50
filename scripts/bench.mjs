// `npm run bench`: bundles bench/ (TypeScript) into .bench/, checks the section names asked
// for (an unknown one is refused in one line, before anything is built), builds dist/ and runs
// it. --expose-gc lets the memory bench read the retained heap after a full collection.
// `npm run bench -- cold-start http` runs only the sections named.
import { spawnSync } from 'node:child_process';
import { build } from 'esbuild';
import { NODE_BUNDLE } from './node-bundle.mjs';
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
// The floors (a minimal SDK v2 server over stdio, and over HTTP) are bundled the way
// scripts/build.mjs bundles dist/cli.js (dependencies inside, minified), so they run the same way.
await build({
  entryPoints: { 'floor-stdio': `${root}bench/floor-stdio.ts`, 'floor-http': `${root}bench/floor-http.ts` },
  outdir: `${root}.bench`,
  outExtension: { '.js': '.mjs' },
  ...NODE_BUNDLE,
});
const node = (args) => spawnSync(process.execPath, args, { stdio: 'inherit' }).status ?? 1;
const names = process.argv.slice(2);
const checked = node([`${root}.bench/bench.mjs`, '--check', ...names]);
if (checked !== 0) process.exit(checked);
const built = node([`${root}scripts/build.mjs`]);
if (built !== 0) process.exit(built);
process.exit(node(['--expose-gc', `${root}.bench/bench.mjs`, ...names]));
