// The built dashboard page (src/view, built into dist/view/dashboard.html). scripts/build.mjs
// replaces this module with the page itself as a string, so the bundle and the .mcpb carry it;
// imported from source instead (a script or test that builds the server in-process), it reads
// the page `npm run build` wrote.
import { readFileSync } from 'node:fs';

export const DASHBOARD_HTML: string = readFileSync(new URL('../../dist/view/dashboard.html', import.meta.url), 'utf8');
