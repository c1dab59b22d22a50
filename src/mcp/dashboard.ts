// The dashboard as the server offers it (MCP Apps, ext-apps 2.x): one UI resource, and the link
// the three tools carry to it. A host without Apps support ignores both and sees the same answers.
import { registerAppResource, RESOURCE_MIME_TYPE } from '@modelcontextprotocol/ext-apps/server';
import type { McpServer } from '@modelcontextprotocol/server';

export const DASHBOARD_URI = 'ui://credit-mcp/dashboard.html';

/**
 * A tool's `_meta`: the spec's `ui.resourceUri` and nothing more. ext-apps' registerAppTool
 * would add the deprecated flat `ui/resourceUri` key too, 50 more bytes per tool in every
 * tools/list, for hosts that predate ext-apps 1.0.
 */
export const DASHBOARD_LINK = { ui: { resourceUri: DASHBOARD_URI } } as const;

export function registerDashboard(server: McpServer): void {
  registerAppResource(
    server,
    'dashboard',
    DASHBOARD_URI,
    { description: 'The credit answers drawn: balance and grant expiries, usage by meter, ledger totals and rows.' },
    async () => ({
      // Loaded on the first read only: the page stays off the start-up path.
      contents: [{ uri: DASHBOARD_URI, mimeType: RESOURCE_MIME_TYPE, text: (await import('./dashboard-page.js')).DASHBOARD_HTML }],
    }),
  );
}
