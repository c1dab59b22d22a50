// Bundles the server into dist/: cli.js holds what answering `initialize` needs and nothing
// more; what later requests need (zod, the tools, undici, the simulator) sits in chunks that
// Node loads on first use. `--if-needed` skips the build when dist is newer than every source.
import { build } from 'esbuild';
import { readdirSync, statSync, existsSync, chmodSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, 'dist/cli.js');

function newestSource(dir) {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = statSync(path);
    newest = Math.max(newest, stat.isDirectory() ? newestSource(path) : stat.mtimeMs);
  }
  return newest;
}

if (process.argv.includes('--if-needed') && existsSync(out) && statSync(out).mtimeMs > Math.max(newestSource(join(root, 'src')), statSync(join(root, 'package.json')).mtimeMs)) {
  process.exit(0);
}

rmSync(join(root, 'dist'), { recursive: true, force: true });
await build({
  entryPoints: { cli: join(root, 'src/cli.ts') },
  outdir: join(root, 'dist'),
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
  // Bundled CommonJS dependencies (undici) call require() for Node built-ins.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
});
chmodSync(out, 0o755);
// dist/ is ESM wherever it is copied (the .mcpb has no package.json of ours).
writeFileSync(join(root, 'dist/package.json'), '{ "type": "module" }\n');
