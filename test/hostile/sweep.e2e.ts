import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, startStack } from "../support/stack";
import { token } from "../support/tokens";
import { type Caller, type HostileCase, hostileCases } from "./cases";

/** Everything a hostile request could have changed, in both databases. */
async function snapshot(stack: Stack) {
  const [goods] = await stack.goods.db.sql.query(
    `SELECT (SELECT count(*) FROM goods) goods, (SELECT count(*) FROM category) categories,
            (SELECT count(*) FROM brand) brands, (SELECT count(*) FROM banner) banners,
            (SELECT count(*) FROM category_brand) pairs,
            (SELECT md5(string_agg(concat_ws('|', id, name, shop_price, is_hot, on_sale), ',' ORDER BY id)) FROM goods) digest`,
  );
  const [inventory] = await stack.inventory.db.sql.query(
    `SELECT (SELECT sum(stocks) FROM inventory) stocks, (SELECT sum(version) FROM inventory) versions,
            (SELECT count(*) FROM stock_movement) ledger, (SELECT count(*) FROM stock_sell) orders,
            (SELECT count(*) FROM stock_request) requests`,
  );
  return { goods, inventory };
}

describe("the hostile-input sweep", () => {
  let stack: Stack;
  let before: Awaited<ReturnType<typeof snapshot>>;
  const headers: Record<Caller, Record<string, string>> = {
    anonymous: {},
    admin: {},
    orders: {},
    expired: {},
    garbage: { authorization: "Bearer eyJhbGciOiJIUzI1NiJ9.garbage.garbage" },
  };

  beforeAll(async () => {
    stack = await startStack();
    headers.admin = { authorization: `Bearer ${await token({ subject: "sweep-admin" })}` };
    headers.orders = { authorization: `Bearer ${await token({ subject: "sweep-orders", role: "order-service" })}` };
    headers.expired = { authorization: `Bearer ${await token({ ttlSeconds: -3600 })}` };
    before = await snapshot(stack);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  async function send(c: HostileCase) {
    const raw = c.raw ?? {};
    const method = raw.method ?? "POST";
    const response = await fetch(`${stack.url}${raw.path ?? ""}`, {
      method,
      headers: {
        ...(method === "POST" ? { "content-type": raw.contentType ?? "application/json" } : {}),
        ...headers[c.as ?? "anonymous"],
        ...raw.headers,
      },
      ...(method === "POST" ? { body: raw.body ?? JSON.stringify({ query: c.query, variables: c.variables }) } : {}),
      signal: AbortSignal.timeout(20_000),
    });
    const text = await response.text();
    return { status: response.status, type: response.headers.get("content-type") ?? "", text };
  }

  it(`has at least 60 cases (${hostileCases.length})`, () => {
    expect(hostileCases.length).toBeGreaterThanOrEqual(60);
    expect(new Set(hostileCases.map((c) => c.name)).size).toBe(hostileCases.length);
  });

  it.each(hostileCases.map((c) => [c.name, c] as const))("%s: a coded JSON refusal", async (_name, c) => {
    const answer = await send(c);
    expect(answer.type, `${answer.status} ${answer.text.slice(0, 200)}`).toMatch(
      /^application\/(graphql-response\+)?json/,
    );
    const body = JSON.parse(answer.text) as { errors?: { message: string; extensions?: { code?: string } }[] };
    const codes = (body.errors ?? []).map((error) => error.extensions?.code);
    // Nothing leaks: no stack traces, SQL or file paths in what an anonymous caller is told.
    expect(answer.text).not.toMatch(/node_modules|\/work\/|at Object\.|SELECT |INSERT |syntax error at or near/);
    if (codes.length === 0) {
      expect(c.codes, `answered without an error: ${answer.text.slice(0, 200)}`).toContain("NONE");
      return;
    }
    for (const code of codes) expect(typeof code, JSON.stringify(body.errors)).toBe("string");
    const acceptable =
      (c.codes ?? []).some((code) => codes.includes(code)) || (c.statuses ?? []).includes(answer.status);
    expect(acceptable, `${answer.status} ${JSON.stringify(codes)}: ${answer.text.slice(0, 300)}`).toBe(true);
  });

  it("left every service up and changed no row in either database", async () => {
    for (const service of [stack.gateway, stack.goods, stack.inventory]) {
      const live = await fetch(service.url.replace("/graphql", "/health/live"));
      expect(live.status).toBe(200);
    }
    expect(await snapshot(stack)).toEqual(before);
  });
});
