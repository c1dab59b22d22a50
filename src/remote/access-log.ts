// One line per HTTP request on stderr, through the logger: method, path, the MCP method and
// tool the body asked for, status, milliseconds, and who asked (which static token; or a
// signed-in caller's client, subject and tenant). Never a header value (a token least of all),
// a query string or a body beyond those two names.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NodeIncomingMessageLike } from '@modelcontextprotocol/node';
import { log } from '../logger.js';

export interface AccessRecord {
  /** The client by its token (`token 2`) when tokens are on; a signed-in caller's `client_id`. */
  client?: string;
  /** A signed-in caller's `sub`. */
  sub?: string;
  /** The tenant a signed-in caller's claim picked. */
  tenant?: string;
}

/** Where a verified access token's subject travels on AuthInfo.extra, for the line to name. */
export const SUBJECT = 'credit-mcp/sub';

/**
 * Starts the request's line; it is written when the response closes, answered or not. The
 * returned request is the one to hand to the SDK: it reads the body through it, so the line
 * can name the MCP method without reading the body a second time off the socket.
 */
export function accessLog(req: IncomingMessage, res: ServerResponse): { req: NodeIncomingMessageLike; record: AccessRecord } {
  const started = performance.now();
  const chunks: Buffer[] = [];
  const record: AccessRecord = {};
  const tapped: NodeIncomingMessageLike = {
    method: req.method,
    url: req.url,
    headers: req.headers,
    async *[Symbol.asyncIterator]() {
      for await (const chunk of req) {
        chunks.push(chunk as Buffer);
        yield chunk;
      }
    },
  };
  res.once('close', () => {
    // A refused body was not read to its end: there is nothing to name.
    const rpc = res.statusCode === 413 ? {} : rpcOf(chunks);
    log.info('http', {
      method: req.method,
      path: pathOf(req.url),
      ...rpc,
      status: res.headersSent ? res.statusCode : null,
      ms: Math.round((performance.now() - started) * 10) / 10,
      ...(record.client ? { client: record.client } : {}),
      ...(record.sub ? { sub: record.sub } : {}),
      ...(record.tenant ? { tenant: record.tenant } : {}),
      ...(res.writableFinished ? {} : { aborted: true }),
    });
  });
  return { req: tapped, record };
}

/** The path alone: a query string is the caller's, and could hold anything. */
function pathOf(url: string | undefined): string {
  const path = (url ?? '/').split('?')[0]!;
  return path.length > 64 ? `${path.slice(0, 64)}…` : path;
}

function rpcOf(chunks: Buffer[]): { rpc?: string; tool?: string } {
  if (!chunks.length) return {};
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return { rpc: 'unparsable' };
  }
  if (Array.isArray(body)) return { rpc: 'batch' };
  const { method, params } = (body ?? {}) as { method?: unknown; params?: { name?: unknown } };
  const name = (v: unknown) => (typeof v === 'string' ? v.slice(0, 64) : undefined);
  const tool = method === 'tools/call' ? name(params?.name) : undefined;
  return { ...(name(method) ? { rpc: name(method) } : {}), ...(tool ? { tool } : {}) };
}
