// The view's half of MCP Apps (ext-apps 2.x, protocol 2026-01-26): JSON-RPC 2.0 over
// postMessage with the host window. ext-apps' own `App` class brings the SDK's Protocol and zod
// with it (about 650 KB bundled) into a page that must stay under 150 KB, so the few messages a
// dashboard needs are spoken here. The shapes are ext-apps' types, checked at compile time, and
// the browser test drives this page with ext-apps' `AppBridge`, which validates every message.
import type {
  LATEST_PROTOCOL_VERSION,
  McpUiHostContext,
  McpUiInitializeRequest,
  McpUiInitializeResult,
  McpUiSizeChangedNotification,
  McpUiToolInputNotification,
  McpUiToolResultNotification,
} from '@modelcontextprotocol/ext-apps';

export type ToolResult = McpUiToolResultNotification['params'];
export type HostContext = McpUiHostContext;

/** The value is ours (importing ext-apps' would bundle it); the type holds it to theirs. */
const PROTOCOL_VERSION: typeof LATEST_PROTOCOL_VERSION = '2026-01-26';

export interface HostEvents {
  /** The arguments the agent called the tool with; sent before the result. */
  toolInput(args: Record<string, unknown>): void;
  toolResult(result: ToolResult): void;
  toolCancelled(reason: string | undefined): void;
  /** The whole context after the change was merged in (theme, styles, container size). */
  context(context: HostContext): void;
}

interface Message {
  jsonrpc: '2.0';
  id?: number | string;
  method?: string;
  params?: Record<string, unknown>;
  result?: unknown;
  error?: { code: number; message: string };
}

export class Host {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  private context: HostContext = {};
  private reported = { width: 0, height: 0 };

  constructor(
    private readonly events: HostEvents,
    private readonly parent: Window = window.parent,
  ) {
    window.addEventListener('message', (event) => {
      // Only the window that embeds us speaks for the host.
      if (event.source !== this.parent) return;
      const message = event.data as Message;
      if (message?.jsonrpc === '2.0') this.receive(message);
    });
  }

  /** The handshake: ui/initialize, then ui/notifications/initialized. Returns the host's context. */
  async connect(): Promise<HostContext> {
    const params: McpUiInitializeRequest['params'] = {
      appInfo: { name: 'credit-mcp-dashboard', version: '1.0.0' },
      appCapabilities: { availableDisplayModes: ['inline'] },
      protocolVersion: PROTOCOL_VERSION,
    };
    const result = (await this.request('ui/initialize', params)) as McpUiInitializeResult;
    this.context = result.hostContext ?? {};
    this.notify('ui/notifications/initialized', {});
    return this.context;
  }

  /** tools/call, relayed by the host to the server that owns this view. */
  callTool(name: string, args: Record<string, unknown>): Promise<ToolResult> {
    return this.request('tools/call', { name, arguments: args }) as Promise<ToolResult>;
  }

  /** Tells the host how much room the page needs, when that changed. */
  reportSize(width: number, height: number): void {
    if (width === this.reported.width && height === this.reported.height) return;
    this.reported = { width, height };
    const params: McpUiSizeChangedNotification['params'] = { width, height };
    this.notify('ui/notifications/size-changed', params);
  }

  private request(method: string, params: object): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.post({ jsonrpc: '2.0', id, method, params: params as Record<string, unknown> });
    });
  }

  private notify(method: string, params: object): void {
    this.post({ jsonrpc: '2.0', method, params: params as Record<string, unknown> });
  }

  private post(message: Message): void {
    // The host's origin is not ours to know (sandboxed, often opaque); the target window is.
    this.parent.postMessage(message, '*');
  }

  private receive(message: Message): void {
    if (message.method === undefined) {
      const waiter = typeof message.id === 'number' ? this.pending.get(message.id) : undefined;
      if (!waiter) return;
      this.pending.delete(message.id as number);
      if (message.error) waiter.reject(new Error(message.error.message));
      else waiter.resolve(message.result);
      return;
    }
    if (message.id !== undefined) {
      this.answer(message.id, message.method);
      return;
    }
    const params = message.params ?? {};
    switch (message.method) {
      case 'ui/notifications/tool-input':
        this.events.toolInput((params as McpUiToolInputNotification['params']).arguments ?? {});
        break;
      case 'ui/notifications/tool-result':
        this.events.toolResult(params as ToolResult);
        break;
      case 'ui/notifications/tool-cancelled':
        this.events.toolCancelled(typeof params.reason === 'string' ? params.reason : undefined);
        break;
      case 'ui/notifications/host-context-changed':
        this.context = { ...this.context, ...(params as HostContext) };
        this.events.context(this.context);
        break;
      // tool-input-partial and anything newer: nothing to draw until the answer comes.
    }
  }

  /** Requests from the host: teardown and ping need only an empty result; the rest are not ours. */
  private answer(id: number | string, method: string): void {
    if (method === 'ui/resource-teardown' || method === 'ping') this.post({ jsonrpc: '2.0', id, result: {} });
    else this.post({ jsonrpc: '2.0', id, error: { code: -32601, message: `Method not found: ${method}` } });
  }
}
