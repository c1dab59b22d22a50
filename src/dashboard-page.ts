// The built dashboard page (src/view, built into dist/view/dashboard.html). scripts/build.mjs
// replaces this module with the page itself as a string, so the bundle and the .mcpb carry it;
// run from source (the tests), it is read from the build.
import { readFileSync } from 'node:fs';

export const DASHBOARD_HTML: string = readFileSync(new URL('../dist/view/dashboard.html', import.meta.url), 'utf8');
