// A raw TCP "upstream" that answers with the very request it got, Authorization header and all,
// the way a broken proxy or a debugging endpoint might: inside a JSON error, a text page, a
// response header, or an answer that is not HTTP at all (which undici reports as its own error).
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export type ReflectMode = 'json-error' | 'text-page' | 'header' | 'huge-header' | 'not-http';

export interface Reflector {
  url: string;
  mode: ReflectMode;
  requests: number;
  close(): Promise<void>;
}

function answer(mode: ReflectMode, request: string): string {
  const oneLine = request.replace(/\r?\n/g, ' | ');
  const http = (status: string, headers: string[], body: string) =>
    [`HTTP/1.1 ${status}`, ...headers, `content-length: ${Buffer.byteLength(body)}`, 'connection: close', '', body].join('\r\n');
  switch (mode) {
    case 'json-error':
      return http('400 Bad Request', ['content-type: application/json'], JSON.stringify({ error: { code: 'bad_request', message: `Could not route: ${request}`, hint: oneLine } }));
    case 'text-page':
      return http('503 Service Unavailable', ['content-type: text/plain'], `upstream said no to:\n${request}`);
    case 'header':
      return http('500 Internal Server Error', ['content-type: application/json', `x-echo: ${oneLine}`], JSON.stringify({ detail: { message: oneLine } }));
    case 'huge-header':
      return http('200 OK', ['content-type: application/json', `x-echo: ${oneLine.repeat(2000)}`], '{}');
    case 'not-http':
      return `HTTP/1.1 200 OK\r\n${request}\r\n\u0000garbage ${oneLine}\r\n\r\n`;
  }
}

export async function startReflector(mode: ReflectMode): Promise<Reflector> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let received = '';
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return;
      reflector.requests += 1;
      socket.end(answer(reflector.mode, received.slice(0, end)));
      received = '';
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const reflector: Reflector = {
    url: `http://127.0.0.1:${port}`,
    mode,
    requests: 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  return reflector;
}
