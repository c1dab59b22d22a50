// RFC 9728 Protected Resource Metadata: where a client that got a 401 learns which
// authorization server to sign in with, for which resource and scopes. The SDK's
// oauthMetadataResponse builds and answers the document (and the RFC 8414 mirror of the
// issuer's metadata, for clients of the 2025-03-26 revision that look for it here); this only
// routes node:http requests to it, at the path-aware URL and at the root one.
import type { IncomingMessage } from 'node:http';
import { buildOAuthProtectedResourceMetadata, getOAuthProtectedResourceMetadataUrl, oauthMetadataResponse, type AuthMetadataOptions } from '@modelcontextprotocol/server';

export const ROOT_METADATA_PATH = '/.well-known/oauth-protected-resource';
const AS_METADATA_PATH = '/.well-known/oauth-authorization-server';
/** What the SDK's answer handles; anything else (TRACE, CONNECT) cannot even be a web Request. */
const METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE']);

export interface ResourceMetadata {
  /** The URL named in every challenge's `resource_metadata`. */
  url: string;
  /** True for the paths this serves. */
  serves(path: string): boolean;
  /** The answer for a request on one of those paths. */
  respond(req: IncomingMessage, path: string): Response;
}

export function resourceMetadata(options: AuthMetadataOptions): ResourceMetadata {
  // Built once now, as the SDK advises, so a document it would refuse to serve refuses to start instead.
  buildOAuthProtectedResourceMetadata(options);
  const url = getOAuthProtectedResourceMetadataUrl(options.resourceServerUrl);
  const pathAware = new URL(url).pathname;
  const paths = new Set([pathAware, ROOT_METADATA_PATH, AS_METADATA_PATH]);
  return {
    url,
    serves: (path) => paths.has(path.length > 1 ? path.replace(/\/$/, '') : path),
    respond(req, path) {
      const method = req.method ?? 'GET';
      if (!METHODS.has(method)) return Response.json({ error: 'method_not_allowed' }, { status: 405, headers: { allow: 'GET, HEAD, OPTIONS' } });
      // The root path serves the same document: the SDK answers it at the resource's own path.
      const at = path.replace(/\/$/, '') === AS_METADATA_PATH ? AS_METADATA_PATH : pathAware;
      const headers = new Headers();
      const requested = req.headers['access-control-request-headers'];
      if (typeof requested === 'string') headers.set('access-control-request-headers', requested);
      return oauthMetadataResponse(new Request(new URL(at, url), { method, headers }), options)!;
    },
  };
}
