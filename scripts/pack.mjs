// `npm run pack`: the MCP bundle. The server is fully bundled by esbuild, so the .mcpb holds
// the manifest, dist/ and the README, and no node_modules at all.
import { cpSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const stage = join(root, '.pack');
const out = join(root, `credit-mcp-${version}.mcpb`);

rmSync(stage, { recursive: true, force: true });
mkdirSync(stage);
// dist/view/ stays out: the server bundle embeds the dashboard page.
const viewDir = join(root, 'dist/view');
for (const file of ['manifest.json', 'README.md', 'dist']) cpSync(join(root, file), join(stage, file), { recursive: true, filter: (src) => src !== viewDir });

const mcpb = join(root, 'node_modules/@anthropic-ai/mcpb/dist/cli/cli.js');
const run = spawnSync(process.execPath, [mcpb, 'pack', stage, out], { stdio: 'inherit' });
rmSync(stage, { recursive: true, force: true });
// The figure README.md quotes, in kB of 1000 bytes (mcpb's own "package size" counts KiB).
if (run.status === 0) console.error(`pack: ${basename(out)}, ${(statSync(out).size / 1000).toFixed(1)} kB`);
process.exit(run.status ?? 1);
