// How a server is bundled for Node: dist/cli.js (scripts/build.mjs) and the bench's floors
// (scripts/bench.mjs) alike, so the floors start the way credit-mcp does.
export const NODE_BUNDLE = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
  // Bundled CommonJS dependencies (undici) call require() for Node built-ins.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
};
