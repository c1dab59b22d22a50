// Bundles the server into dist/: cli.js reads the command line, and each command sits in
// chunks Node loads when it runs (the stdio server: the SDK and the tools; on first use:
// undici and the providers, the dashboard page; the HTTP server, the terminal commands, the
// simulator, --help). The dashboard (src/view) becomes one self-contained HTML page,
// dist/view/dashboard.html, which the server bundle embeds. `--if-needed` skips the build when
// dist is newer than every source.
import { build } from 'esbuild';
import { NODE_BUNDLE } from './node-bundle.mjs';
import { readdirSync, readFileSync, statSync, existsSync, chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
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

/** The view's script and styles, inlined into its page: a host loads it as one resource, and it fetches nothing. */
async function buildView() {
  const view = join(root, 'src/view');
  // Browsers that render MCP Apps today; light-dark() and :has() need no lowering there.
  const target = ['chrome123', 'firefox120', 'safari17.5'];
  const common = { bundle: true, minify: true, write: false, legalComments: 'none', logLevel: 'warning', target };
  const [script, style] = await Promise.all([
    build({ ...common, entryPoints: [join(view, 'main.ts')], format: 'iife', platform: 'browser' }),
    build({ ...common, entryPoints: [join(view, 'styles.css')] }),
  ]);
  const js = script.outputFiles[0].text.trim();
  const css = style.outputFiles[0].text.trim();
  if (/<\/script/i.test(js) || /<\/style/i.test(css)) throw new Error('view: inlined code would close its own tag');
  let html = readFileSync(join(view, 'dashboard.html'), 'utf8');
  for (const [marker, tag, code] of [['/* styles.css */', 'style', css], ['/* main.ts */', 'script', js]]) {
    const slot = `<${tag}>${marker}</${tag}>`;
    if (!html.includes(slot)) throw new Error(`view: dashboard.html lost its ${slot} slot`);
    html = html.replace(slot, () => `<${tag}>${code}</${tag}>`);
  }
  mkdirSync(join(root, 'dist/view'), { recursive: true });
  writeFileSync(join(root, 'dist/view/dashboard.html'), html);
  return html;
}

/** Swaps src/mcp/dashboard-page.ts (which reads the page from dist at run time) for the page itself. */
let embedded = false;
const embedView = (html) => ({
  name: 'embed-view',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/]mcp[\\/]dashboard-page\.ts$/ }, () => {
      embedded = true;
      return { contents: `export const DASHBOARD_HTML = ${JSON.stringify(html)};`, loader: 'js' };
    });
  },
});

/**
 * ioredis logs through `debug`, which tries `require('supports-color')` in a try/catch; it is not
 * installed, so esbuild would leave the require outside the bundle. It resolves to nothing here:
 * debug then writes without colours (and only under DEBUG=ioredis:*), as it does without it.
 */
const optionalNothing = {
  name: 'optional-nothing',
  setup(b) {
    b.onResolve({ filter: /^supports-color$/ }, () => ({ path: 'supports-color', namespace: 'optional-nothing' }));
    b.onLoad({ filter: /.*/, namespace: 'optional-nothing' }, () => ({ contents: 'module.exports = undefined;', loader: 'js' }));
  },
};

rmSync(join(root, 'dist'), { recursive: true, force: true });
const html = await buildView();
const view = embedView(html);
const { metafile } = await build({
  entryPoints: { cli: join(root, 'src/cli.ts') },
  outdir: join(root, 'dist'),
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
  metafile: true,
  ...NODE_BUNDLE,
  plugins: [view, optionalNothing],
});
// The npm package declares no dependencies (they are all devDependencies): whatever dist/
// imports must be inside it or a Node built-in, or `npx credit-mcp` would fail on first use.
// (`node:` names count even when this Node lacks one: undici loads node:sqlite only where it exists.)
const outside = Object.values(metafile.outputs).flatMap((o) => o.imports).filter((i) => i.external && !i.path.startsWith('node:') && !isBuiltin(i.path));
if (outside.length) throw new Error(`build: dist/ imports ${[...new Set(outside.map((i) => i.path))].join(', ')} from outside the bundle; the published package carries no dependencies`);
if (!embedded) throw new Error('build: src/mcp/dashboard-page.ts was not bundled, so the page would be read from a file the .mcpb lacks');
chmodSync(out, 0o755);
// dist/ is ESM wherever it is copied (the .mcpb has no package.json of ours).
writeFileSync(join(root, 'dist/package.json'), '{ "type": "module" }\n');
// The figures README.md quotes (test/bundle.test.ts holds it to them).
const outputs = Object.entries(metafile.outputs).filter(([file]) => file.endsWith('.js'));
const bytes = outputs.reduce((sum, [, o]) => sum + o.bytes, 0);
const kB = (n) => `${(n / 1000).toFixed(1)} kB`;
console.error(`build: dist/cli.js and ${outputs.length - 1} chunks, ${kB(bytes)}, importing only Node built-ins; dashboard page ${kB(Buffer.byteLength(html))}`);
