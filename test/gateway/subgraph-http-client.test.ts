import { createServer, type RequestListener, type Server } from "node:http";
import type { Socket } from "node:net";
import { SubgraphHttpClient, TransportError, type TransportFailure } from "@emshop/gateway/subgraph-http-client";
import { afterEach, describe, expect, it } from "vitest";
import { listenStandIn } from "../support/http-stand-in";

/** A real HTTP server on a free port, answering with `handler`; it remembers which sockets it saw. */
async function serve(handler: RequestListener) {
  const sockets = new Set<Socket>();
  const server: Server = createServer(handler);
  server.on("connection", (socket) => sockets.add(socket));
  return { ...(await listenStandIn(server)), sockets };
}

const failureOf = async (promise: Promise<unknown>): Promise<TransportFailure> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TransportError);
  return (error as TransportError).failure;
};

describe("the gateway's subgraph HTTP client (node:http, keep-alive)", () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });
  async function server(handler: RequestListener) {
    const running = await serve(handler);
    cleanups.push(running.close);
    return running;
  }
  function client(url: string, options?: ConstructorParameters<typeof SubgraphHttpClient>[1]) {
    const created = new SubgraphHttpClient(url, options);
    cleanups.push(() => created.close());
    return created;
  }

  it("POSTs the body with the headers and returns status, type and text; reuses one connection", async () => {
    const seen: { method?: string; headers: Record<string, unknown>; body: string }[] = [];
    const subgraph = await server((req, res) => {
      let body = "";
      req.on("data", (chunk) => {
        body += chunk;
      });
      req.on("end", () => {
        seen.push({ method: req.method, headers: req.headers, body });
        res.writeHead(200, { "content-type": "application/json" }).end('{"data":{"ok":"é"}}');
      });
    });
    const http = client(subgraph.url);
    for (let i = 0; i < 3; i++)
      expect(await http.post('{"query":"{ ok }"}', { "x-request-id": "r-1" }, { timeoutMs: 1000 })).toEqual({
        status: 200,
        contentType: "application/json",
        text: '{"data":{"ok":"é"}}',
      });
    expect(seen).toHaveLength(3);
    expect(seen[0]).toMatchObject({ method: "POST", body: '{"query":"{ ok }"}' });
    expect(seen[0]?.headers).toMatchObject({ "x-request-id": "r-1", "content-length": "18" });
    expect(subgraph.sockets.size).toBe(1); // keep-alive: one connection for sequential calls
  });

  it("a refused connection is unreachable, with the system's code", async () => {
    const gone = await serve(() => undefined);
    await gone.close(); // nothing listens on that port now
    expect(await failureOf(client(gone.url).post("{}", {}, { timeoutMs: 1000 }))).toEqual({
      kind: "unreachable",
      reason: "ECONNREFUSED",
    });
  });

  it("no answer within the timeout: timeout, on time, and the connection is cut", async () => {
    const subgraph = await server(() => undefined); // never answers
    const started = performance.now();
    expect(await failureOf(client(subgraph.url).post("{}", {}, { timeoutMs: 200 }))).toEqual({ kind: "timeout" });
    const took = performance.now() - started;
    expect(took).toBeGreaterThanOrEqual(195);
    expect(took).toBeLessThan(1000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect([...subgraph.sockets].every((socket) => socket.destroyed)).toBe(true);
  });

  it("the client's signal ends the call at once (client-gone), also when already aborted", async () => {
    const subgraph = await server(() => undefined);
    const http = client(subgraph.url);
    const controller = new AbortController();
    const call = http.post("{}", {}, { timeoutMs: 5000, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    expect(await failureOf(call)).toEqual({ kind: "client-gone" });
    expect(await failureOf(http.post("{}", {}, { timeoutMs: 5000, signal: AbortSignal.abort() }))).toEqual({
      kind: "client-gone",
    });
  });

  it("an answer larger than the limit is cut off (too-large with its status), not buffered", async () => {
    const subgraph = await server((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(`{"data":{"big":"${"x".repeat(100_000)}"}}`);
    });
    expect(
      await failureOf(client(subgraph.url, { maxResponseBytes: 10_000 }).post("{}", {}, { timeoutMs: 1000 })),
    ).toEqual({ kind: "too-large", status: 200, limit: 10_000 });
  });

  it("a connection closed mid-answer is unreachable, not a truncated answer", async () => {
    const subgraph = await server((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": "1000" });
      res.write('{"data":');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const failure = await failureOf(client(subgraph.url).post("{}", {}, { timeoutMs: 1000 }));
    expect(failure.kind).toBe("unreachable");
  });

  it("a reused connection closed under it: a query is sent again once on a new one, a mutation is not", async () => {
    const perSocket = new Map<Socket, number>();
    const subgraph = await server((req, res) => {
      const seen = (perSocket.get(req.socket) ?? 0) + 1;
      perSocket.set(req.socket, seen);
      // The second request on a connection: as if the server closed it while it sat idle in the pool.
      if (seen === 2) {
        req.socket.destroy();
        return;
      }
      req.resume();
      req.on("end", () => res.writeHead(200, { "content-type": "application/json" }).end('{"data":{}}'));
    });
    const http = client(subgraph.url);
    await http.post("{}", {}, { timeoutMs: 1000, idempotent: true }); // opens the connection
    expect((await http.post("{}", {}, { timeoutMs: 1000, idempotent: true })).status).toBe(200); // retried
    expect(subgraph.sockets.size).toBe(2);
    // Not idempotent: the reset is reported, never sent twice.
    const failure = await failureOf(http.post("{}", {}, { timeoutMs: 1000 }));
    expect(failure.kind).toBe("unreachable");
    expect(subgraph.sockets.size).toBe(2);
  });

  it("non-2xx answers are answers: status and body come back for the data source to judge", async () => {
    const subgraph = await server((_req, res) =>
      res.writeHead(502, { "content-type": "text/html" }).end("<h1>bad</h1>"),
    );
    expect(await client(subgraph.url).post("{}", {}, { timeoutMs: 1000 })).toEqual({
      status: 502,
      contentType: "text/html",
      text: "<h1>bad</h1>",
    });
  });
});
