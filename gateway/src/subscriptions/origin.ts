import type { IncomingHttpHeaders } from "node:http";

/**
 * Whether a browser page may subscribe. WebSockets are not subject to CORS,
 * so a page on any site could otherwise open one to the gateway; the
 * gateway's CORS origins (CORS_ORIGINS) are the sites a storefront runs on.
 * No Origin header means no browser (a server, a script): allowed, as CORS
 * allows them too. The gateway's own pages (the IDE at /graphql) are same-origin:
 * their Origin names the Host they were loaded from.
 */
export function originAllowed(headers: IncomingHttpHeaders, corsOrigins: readonly string[]): boolean {
  const origin = headers.origin;
  if (origin === undefined) return true;
  if (corsOrigins.includes("*") || corsOrigins.includes(origin)) return true;
  if (!URL.canParse(origin) || !headers.host) return false;
  return new URL(origin).host === headers.host.toLowerCase();
}
