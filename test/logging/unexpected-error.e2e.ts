import { startGoodsService } from "@emshop/goods/main";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectedLogs, requestLines } from "../support/logs";
import { createTestDatabase, type TestDatabase } from "../support/test-database";

describe("an unexpected error is logged with its stack, under the request's id; the client gets neither", () => {
  let database: TestDatabase;
  let goods: Awaited<ReturnType<typeof startGoodsService>>;
  const logs = collectedLogs("goods");
  beforeAll(async () => {
    database = await createTestDatabase("unexpected_error_log");
    goods = await startGoodsService({ port: 0, database: { url: database.url }, logger: logs.logger, demoData: false });
  });
  afterAll(async () => {
    await goods?.stop().catch(() => undefined); // its database is closed already
    await database?.drop();
  });

  it("database gone under a running service: INTERNAL_SERVER_ERROR out, the driver's error in the log", async () => {
    await goods.db.close();
    const response = await fetch(goods.url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-request-id": "boom-1" },
      body: JSON.stringify({ query: "query Broken { goodsList(pageSize: 1) { total } }" }),
    });
    const text = await response.text();
    expect(JSON.parse(text).errors[0]).toMatchObject({ extensions: { code: "INTERNAL_SERVER_ERROR" } });
    expect(text).not.toMatch(/\n\s+at |Error:/);

    const unexpected = logs.lines.filter((line) => line.msg === "unexpected error");
    expect(unexpected.length).toBeGreaterThan(0);
    for (const line of unexpected) {
      expect(line).toMatchObject({ level: "error", service: "goods", reqId: "boom-1" });
      expect((line.err as { stack?: string }).stack).toMatch(/\n\s+at /);
    }
    expect(requestLines(logs.lines).filter((line) => line.reqId === "boom-1")).toEqual([
      expect.objectContaining({
        level: "error",
        operationName: "Broken",
        outcome: "error",
        errorCodes: ["INTERNAL_SERVER_ERROR"],
      }),
    ]);
  });
});
