import { DEFAULT_LIMITS } from "@emshop/common/limits/options";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LogLine, requestLines } from "../support/logs";
import { type Stack, startStack } from "../support/stack";
import { token } from "../support/tokens";

const SERVICES = ["gateway", "goods", "inventory"] as const;
type Service = (typeof SERVICES)[number];
const SHOP = "https://shop.example";
/** A mutation each service has (goods: deleting a brand nobody has; inventory: a stock change). */
const mutationOf = (service: string) =>
  service === "goods"
    ? 'mutation { deleteBrand(id: "999999") }'
    : 'mutation { adjustStock(goodsId: "1", delta: 1, reason: "csrf") { stocks } }';
const MUTATION = JSON.stringify({ query: mutationOf("inventory") });
/** Internals an error answer must never show: stack frames, file paths, Express's HTML page. */
const INTERNALS = /\bat [\w.<>]+ \(|node_modules|\/work\/|<html|<pre>|Error: /;

interface Rejection {
  name: string;
  method?: string;
  path?: string;
  contentType?: string;
  body?: string;
  status: number;
  code: string;
}

/** Requests the HTTP layer turns away before GraphQL sees them. */
const REJECTIONS: Rejection[] = [
  { name: "malformed JSON", body: '{"query": "{ __typename }"', status: 400, code: "BAD_REQUEST" },
  { name: "empty JSON body", body: "", status: 400, code: "BAD_REQUEST" },
  {
    name: "a 1.5 MB body",
    body: JSON.stringify({ query: "{ __typename }", variables: { x: "y".repeat(1_500_000) } }),
    status: 413,
    code: "PAYLOAD_TOO_LARGE",
  },
  {
    name: "charset=latin1",
    contentType: "application/json; charset=latin1",
    body: JSON.stringify({ query: "{ __typename }" }),
    status: 415,
    code: "UNSUPPORTED_MEDIA_TYPE",
  },
  { name: "text/plain", contentType: "text/plain", body: MUTATION, status: 415, code: "UNSUPPORTED_MEDIA_TYPE" },
  {
    name: "a form",
    contentType: "application/x-www-form-urlencoded",
    body: `query=${encodeURIComponent('mutation { adjustStock(goodsId: "1", delta: 1, reason: "f") { stocks } }')}`,
    status: 415,
    code: "UNSUPPORTED_MEDIA_TYPE",
  },
  { name: "PUT", method: "PUT", body: MUTATION, status: 405, code: "METHOD_NOT_ALLOWED" },
  { name: "DELETE", method: "DELETE", status: 405, code: "METHOD_NOT_ALLOWED" },
  { name: "an unknown path", method: "GET", path: "/nope", status: 404, code: "NOT_FOUND" },
];

describe("storefront HTTP", () => {
  let stack: Stack;
  let admin: string;
  const logs: Record<Service, LogLine[]> = { gateway: [], goods: [], inventory: [] };
  beforeAll(async () => {
    stack = await startStack({
      limits: { ...DEFAULT_LIMITS, corsOrigins: [SHOP] },
      log: (service, line) => logs[service].push(line),
    });
    admin = `Bearer ${await token({ subject: "http" })}`;
  });
  afterAll(async () => {
    await stack?.stop();
  });
  const base = (service: Service) =>
    (service === "gateway" ? stack.url : service === "goods" ? stack.goods.url : stack.inventory.url).replace(
      "/graphql",
      "",
    );
  const ledger = async () =>
    Number((await stack.inventory.db.sql.query<{ n: string }>("SELECT count(*) n FROM stock_movement"))[0]?.n);

  describe.each(SERVICES)("%s", (service) => {
    const getMutation: Rejection = {
      name: "a mutation over GET",
      method: "GET",
      path: `/graphql?query=${encodeURIComponent(mutationOf(service))}`,
      status: 405,
      code: "BAD_REQUEST",
    };
    it.each([...REJECTIONS, getMutation].map((r) => [r.name, r] as const))(
      "%s: a coded JSON error, no internals, one log line without a stack",
      async (_name, rejection) => {
        for (const accept of ["application/json", "application/graphql-response+json"]) {
          logs[service].length = 0;
          const method = rejection.method ?? "POST";
          const response = await fetch(`${base(service)}${rejection.path ?? "/graphql"}`, {
            method,
            headers: {
              accept,
              authorization: admin,
              ...(rejection.body !== undefined ? { "content-type": rejection.contentType ?? "application/json" } : {}),
            },
            ...(rejection.body !== undefined ? { body: rejection.body } : {}),
          });
          const text = await response.text();
          expect(response.status, text).toBe(rejection.status);
          expect(response.headers.get("content-type")).toBe(`${accept}; charset=utf-8`);
          const body = JSON.parse(text) as { errors: { message: string; extensions: { code: string } }[] };
          expect(body.errors.map((error) => error.extensions.code)).toEqual([rejection.code]);
          expect(text).not.toMatch(INTERNALS);
          expect(response.headers.get("x-powered-by")).toBeNull();
          if (rejection.status === 405 && rejection.code === "METHOD_NOT_ALLOWED")
            expect(response.headers.get("allow")).toBe("GET, POST, OPTIONS");
          // One summary line, coded, at warn, with no stack trace, body or header in it.
          const lines = requestLines(logs[service]);
          const shown = JSON.stringify(logs[service]);
          expect(lines, shown).toHaveLength(1);
          expect(lines[0], shown).toMatchObject({
            level: "warn",
            status: rejection.status,
            errorCodes: [rejection.code],
          });
          expect(lines[0]?.reqId).toBe(response.headers.get("x-request-id"));
          expect(shown).not.toMatch(/\\n\s+at |Bearer/);
        }
      },
    );

    it("no mutation can be sent cross-site as a simple request (GET, text/plain, form, multipart): nothing written", async () => {
      const before = await ledger();
      const mutation = JSON.stringify({ query: mutationOf(service) });
      const form = new FormData();
      form.set("query", mutationOf(service));
      const simple: RequestInit[] = [
        { method: "POST", headers: { "content-type": "text/plain" }, body: mutation },
        { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: mutation },
        { method: "POST", body: form }, // multipart/form-data
        { method: "POST", body: mutation }, // fetch labels a string body text/plain
      ];
      for (const init of simple) {
        // A cross-site page cannot attach an Authorization header without a preflight; even with one, nothing runs.
        const response = await fetch(`${base(service)}/graphql`, {
          ...init,
          headers: {
            ...(init.headers as Record<string, string>),
            authorization: admin,
            origin: "https://evil.example",
          },
        });
        expect(response.status).toBe(415);
        expect(response.headers.get("access-control-allow-origin")).toBeNull();
      }
      const get = await fetch(`${base(service)}/graphql?query=${encodeURIComponent(mutationOf(service))}`, {
        headers: { authorization: admin },
      });
      expect(get.status).toBe(405);
      expect(await ledger()).toBe(before);
    });

    it("GET queries work with no special header, as urql and graphql-request send them", async () => {
      const response = await fetch(`${base(service)}/graphql?query=${encodeURIComponent("{ __typename }")}`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ data: { __typename: "Query" } });
    });

    it("CORS: a preflight from an allowed origin is answered 204 with methods and headers", async () => {
      const response = await fetch(`${base(service)}/graphql`, {
        method: "OPTIONS",
        headers: {
          origin: SHOP,
          "access-control-request-method": "POST",
          "access-control-request-headers": "authorization,content-type,x-request-id,apollographql-client-name",
        },
      });
      expect(response.status).toBe(204);
      expect(response.headers.get("access-control-allow-origin")).toBe(SHOP);
      expect(response.headers.get("access-control-allow-methods")).toBe("GET,POST,OPTIONS");
      const allowed = response.headers.get("access-control-allow-headers")?.split(",") ?? [];
      for (const header of ["authorization", "content-type", "x-request-id", "apollographql-client-name"])
        expect(allowed).toContain(header);
      const get = await fetch(`${base(service)}/graphql?query=${encodeURIComponent("{ __typename }")}`, {
        headers: { origin: SHOP },
      });
      expect(get.headers.get("access-control-allow-origin")).toBe(SHOP);
    });

    it("CORS: another origin gets no Access-Control header at all", async () => {
      const preflight = await fetch(`${base(service)}/graphql`, {
        method: "OPTIONS",
        headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
      });
      const get = await fetch(`${base(service)}/graphql?query=${encodeURIComponent("{ __typename }")}`, {
        headers: { origin: "https://evil.example" },
      });
      for (const response of [preflight, get])
        expect([...response.headers.keys()].filter((name) => name.startsWith("access-control-"))).toEqual([]);
    });
  });
});
