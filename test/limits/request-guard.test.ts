import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { ApolloServer } from "@apollo/server";
import { REQUEST_ABANDONED, requestGuardPlugin } from "@emshop/common/request-guard";
import { parseTimeoutHeader, requestSignal, TIMEOUT_HEADER } from "@emshop/common/request-signal";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const typeDefs = "type Query { items(n: Int!): [Item!]! slow: [Item!]! } type Item { id: ID! name: String! }";

describe("the request guard", () => {
  let resolvedNames = 0;
  let abortSlow: (() => void) | undefined;
  const server = new ApolloServer<{ signal?: AbortSignal }>({
    typeDefs,
    resolvers: {
      Query: {
        items: (_root: unknown, { n }: { n: number }) => Array.from({ length: n }, (_, i) => ({ id: i })),
        // The caller goes away while this list is being fetched.
        slow: async () => {
          abortSlow?.();
          await sleep(10);
          return [{ id: 1 }, { id: 2 }];
        },
      },
      Item: {
        name: ({ id }: { id: number }) => {
          resolvedNames++;
          return `item ${id}`;
        },
      },
    },
    plugins: [requestGuardPlugin(1000)],
  });
  beforeAll(() => server.start());
  afterAll(() => server.stop());
  const run = async (query: string, signal?: AbortSignal) => {
    const response = await server.executeOperation({ query }, { contextValue: { signal } });
    if (response.body.kind !== "single") throw new Error("expected a single result");
    return response.body.singleResult;
  };

  it("answers within its budget: 499 items × (id, name) + the list = 999 fields", async () => {
    const result = await run("{ items(n: 499) { id name } }");
    expect(result.errors).toBeUndefined();
    expect(result.data?.items).toHaveLength(499);
  });

  it("stops an answer that grows beyond the budget: one coded error, no partial data, resolvers stop", async () => {
    resolvedNames = 0;
    const result = await run("{ items(n: 100000) { id name } }");
    expect(result.data).toBeUndefined();
    expect(result.errors).toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ code: "QUERY_TOO_COMPLEX" }) }),
    ]);
    expect(resolvedNames).toBeLessThan(1000);
  });

  it("starts no field for a caller that has gone away", async () => {
    resolvedNames = 0;
    const gone = new AbortController();
    gone.abort(new Error("the caller closed the connection"));
    const result = await run("{ items(n: 10) { name } }", gone.signal);
    expect(result.errors?.map((error) => error.extensions?.code)).toEqual([REQUEST_ABANDONED]);
    expect(resolvedNames).toBe(0);
  });

  it("stops mid-way when the caller leaves during execution", async () => {
    resolvedNames = 0;
    const caller = new AbortController();
    abortSlow = () => caller.abort(new Error("the caller's deadline of 5 ms passed"));
    const result = await run("{ slow { id name } }", caller.signal);
    abortSlow = undefined;
    expect(result.errors?.[0]?.extensions?.code).toBe(REQUEST_ABANDONED);
    expect(result.errors?.[0]?.message).toContain("deadline");
    expect(resolvedNames).toBe(0);
  });
});

describe("the request signal (real HTTP)", () => {
  let server: Server;
  let url: string;
  const seen: { aborted: boolean; reason: string }[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      const signal = requestSignal(req, res);
      // Answers after 300 ms, and records whether anyone was still waiting by then.
      setTimeout(() => {
        seen.push({ aborted: signal.aborted, reason: (signal.reason as Error | undefined)?.message ?? "" });
        res.end("done");
      }, 300);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("reads only sane deadlines", () => {
    expect(parseTimeoutHeader("2000")).toBe(2000);
    for (const bad of ["0", "-1", "1e3", "abc", "99999999", "", undefined, ["1", "2"]])
      expect(parseTimeoutHeader(bad as string)).toBeUndefined();
  });

  it("aborts when the caller's deadline passes, stays live without one", async () => {
    seen.length = 0;
    await (await fetch(url, { headers: { [TIMEOUT_HEADER]: "50" } })).text();
    await (await fetch(url)).text();
    expect(seen).toEqual([
      { aborted: true, reason: "the caller's deadline of 50 ms passed" },
      { aborted: false, reason: "" },
    ]);
  });

  it("aborts when the caller disconnects before the answer", async () => {
    seen.length = 0;
    await expect(fetch(url, { signal: AbortSignal.timeout(50) })).rejects.toThrow();
    await sleep(400);
    expect(seen).toEqual([{ aborted: true, reason: "the caller closed the connection" }]);
  });
});
