import { BATCH_PARTS_HEADER, splitBatch } from "@emshop/common/batch-protocol";
import { seedGoods } from "@emshop/db/seed/seed-goods";
import { startGoodsService } from "@emshop/goods/main";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectedLogs, requestLines } from "../support/logs";
import { createTestDatabase, type TestDatabase } from "../support/test-database";

const DETAIL = { query: "query Detail($id: ID!) { goods(id: $id) { id name shopPrice } }", variables: { id: "3" } };
const PAGE = {
  query: "query Page($page: Int!) { goodsList(page: $page, pageSize: 5) { total items { id name } } }",
  variables: { page: 2 },
};
/** Names an operation the document does not have: refused before anything runs (HTTP 200 for application/json). */
const INVALID = { query: 'query Broken { goods(id: "1") { id } }', operationName: "Other" };

/** The batch protocol as the gateway uses it, against the real goods subgraph (@emshop/common/batch-protocol). */
describe("a subgraph answers a batch of operations, each as it would alone (real goods subgraph)", () => {
  let database: TestDatabase;
  let goods: Awaited<ReturnType<typeof startGoodsService>>;
  const logs = collectedLogs("goods");
  beforeAll(async () => {
    database = await createTestDatabase("subgraph_batches");
    goods = await startGoodsService({
      port: 0,
      database: { url: database.url },
      logger: logs.logger,
      demoData: false,
      maxBatchOperations: 3,
    });
    await seedGoods(goods.db, { goodsCount: 30 });
  });
  afterAll(async () => {
    await goods?.stop();
    await database?.drop();
  });

  const post = (body: unknown) =>
    fetch(goods.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

  it("gives each operation the exact answer and status it gets alone, and says them in the parts header", async () => {
    const alone = await Promise.all(
      [DETAIL, PAGE, INVALID].map(async (operation) => {
        const response = await post(operation);
        return { status: response.status, text: await response.text() };
      }),
    );
    expect(alone.map((answer) => answer.status)).toEqual([200, 200, 200]);

    logs.lines.length = 0;
    const response = await post([DETAIL, PAGE, INVALID]);
    expect(response.status).toBe(200);
    const header = response.headers.get(BATCH_PARTS_HEADER) ?? undefined;
    const text = await response.text();
    expect(JSON.parse(text)).toHaveLength(3);
    const parts = splitBatch(text, header, 3);
    expect(parts).toEqual(alone);
    expect(JSON.parse(parts?.[0]?.text ?? "{}").data.goods.id).toBe("3");
    expect(JSON.parse(parts?.[2]?.text ?? "{}").errors[0].extensions.code).toBe("OPERATION_RESOLUTION_FAILURE");

    // One summary line for the HTTP request, saying what its operations were.
    const [line] = requestLines(logs.lines);
    expect(line).toMatchObject({
      status: 200,
      batch: 3,
      operationName: expect.stringMatching(/^Detail,Page\b/),
      outcome: "refused",
      errorCodes: ["OPERATION_RESOLUTION_FAILURE"],
    });
  });

  it("an element that is not a GraphQL request is refused on its own; the others are answered", async () => {
    const response = await post([42, DETAIL]);
    const parts = splitBatch(await response.text(), response.headers.get(BATCH_PARTS_HEADER) ?? undefined, 2);
    expect(parts?.map((part) => part.status)).toEqual([400, 200]);
    expect(JSON.parse(parts?.[1]?.text ?? "{}").data.goods.name).toEqual(expect.any(String));
  });

  it("refuses a batch over MAX_BATCH_OPERATIONS and an empty one, with a coded error and nothing run", async () => {
    const tooMany = await post([DETAIL, DETAIL, DETAIL, DETAIL]);
    expect(tooMany.status).toBe(400);
    expect(tooMany.headers.get(BATCH_PARTS_HEADER)).toBeNull();
    expect(await tooMany.json()).toEqual({
      errors: [{ message: "a batch holds at most 3 operations (got 4)", extensions: { code: "BATCH_TOO_LARGE" } }],
    });
    const empty = await post([]);
    expect(empty.status).toBe(400);
    expect(((await empty.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code).toBe(
      "BAD_REQUEST",
    );
  });

  it("a mutation in a batch runs like one sent alone: it is not refused for being batched, nor run twice", async () => {
    // The gateway never batches mutations; a direct caller that does gets each operation's own answer.
    const mutation = { query: 'mutation { deleteBrand(id: "999999") }' };
    const response = await post([mutation]);
    const parts = splitBatch(await response.text(), response.headers.get(BATCH_PARTS_HEADER) ?? undefined, 1);
    const alone = await post(mutation);
    expect(parts?.[0]?.status).toBe(alone.status);
    expect(JSON.parse(parts?.[0]?.text ?? "{}").errors?.[0]?.extensions?.code).toBe(
      ((await alone.json()) as { errors?: { extensions?: { code?: string } }[] }).errors?.[0]?.extensions?.code,
    );
  });
});
