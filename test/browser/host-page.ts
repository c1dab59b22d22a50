// The host side of the browser test: a page that embeds the dashboard the way an MCP Apps host
// does (a sandboxed iframe, ext-apps' AppBridge over postMessage) and relays the view's tool
// calls to the test process, which forwards them to the real server.
import { AppBridge, PostMessageTransport, type McpUiHostContext } from '@modelcontextprotocol/ext-apps/app-bridge';

type ToolResult = Parameters<AppBridge['sendToolResult']>[0];
type CallParams = { name: string; arguments?: Record<string, unknown> };

export interface Mount {
  html: string;
  theme: 'light' | 'dark';
  width: number;
  toolInput: Record<string, unknown>;
  toolResult: ToolResult;
}

declare global {
  interface Window {
    /** Exposed by the test (Playwright): the server's answer to a call the view asked for. */
    relayToolCall(params: CallParams): Promise<ToolResult>;
    mountView(mount: Mount): Promise<void>;
    setTheme(theme: 'light' | 'dark'): void;
    /** Heights the view reported, in order. */
    reportedHeights: number[];
  }
}

let bridge: AppBridge | undefined;
let context: McpUiHostContext = {};
window.reportedHeights = [];

window.mountView = async ({ html, theme, width, toolInput, toolResult }) => {
  await bridge?.close();
  window.reportedHeights = [];
  const frame = document.createElement('iframe');
  // Scripts only: the view gets an opaque origin, as in real hosts.
  frame.setAttribute('sandbox', 'allow-scripts');
  frame.title = 'credit-mcp dashboard';
  frame.style.cssText = `display:block;border:0;width:${width}px;height:40px`;
  document.body.replaceChildren(frame);

  context = { theme, displayMode: 'inline', availableDisplayModes: ['inline'], platform: 'web', containerDimensions: { width, maxHeight: 6000 } };
  bridge = new AppBridge(null, { name: 'credit-mcp-browser-test', version: '1.0.0' }, { serverTools: {} }, { hostContext: context });
  bridge.oncalltool = (params) => window.relayToolCall({ name: params.name, arguments: params.arguments });
  bridge.onsizechange = ({ height }) => {
    if (height === undefined) return;
    window.reportedHeights.push(height);
    frame.style.height = `${height}px`;
  };
  const initialized = new Promise<void>((resolve) => (bridge!.oninitialized = () => resolve()));
  // Listening before the page loads, so its first message (ui/initialize) is not missed; the
  // frame's window stays the same object across the navigation to srcdoc.
  await bridge.connect(new PostMessageTransport(frame.contentWindow!, frame.contentWindow!));
  frame.srcdoc = html;
  await initialized;
  await bridge.sendToolInput({ arguments: toolInput });
  await bridge.sendToolResult(toolResult);
};

window.setTheme = (theme) => {
  context = { ...context, theme };
  bridge!.setHostContext(context);
};
