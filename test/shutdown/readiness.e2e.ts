import { startGoodsService } from "@emshop/goods/main";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectedLogs } from "../support/logs";
import { createTestDatabase, type TestDatabase } from "../support/test-database";

describe("readiness", () => {
  let database: TestDatabase;
  let goods: Awaited<ReturnType<typeof startGoodsService>>;
  const logs = collectedLogs("goods");
  beforeAll(async () => {
    database = await createTestDatabase("readiness");
    goods = await startGoodsService({
      port: 0,
      database: { url: database.url },
      logger: logs.logger,
      demoData: false,
    });
  });
  afterAll(async () => {
    await goods?.stop().catch(() => undefined); // its database is closed already
    await database?.drop();
  });

  it("says ready while the database answers, and 503 without any detail once it does not", async () => {
    const url = goods.url.replace("/graphql", "/health/ready");
    const ready = await fetch(url);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready", service: "goods" });

    await goods.db.close(); // the database goes away under a running service
    const down = await fetch(url);
    expect(down.status).toBe(503);
    // Exactly this: no driver message, host or file path for whoever asks.
    expect(await down.json()).toEqual({ status: "unavailable", service: "goods" });
    // The operator still learns why, from the service's log.
    const notReady = logs.lines.filter((line) => line.msg === "not ready");
    expect(notReady).toHaveLength(1);
    expect(notReady[0]).toMatchObject({ level: "warn", service: "goods", reason: expect.any(String) });
  });
});
