import { Writable } from "node:stream";
import { createLogger } from "@emshop/common/logging/logger";
import { runInRequest } from "@emshop/common/logging/request-context";
import { requestIdFrom } from "@emshop/common/logging/request-id";
import { describe, expect, it } from "vitest";
import { collectedLogs } from "../support/logs";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("request ids", () => {
  it.each(["3f0c2a9e-6d1b-4c55-9a8e-2b7f1d0e4c11", "01HZX3N5Q8", "Root=1-67891233-abcdef012345678912345678", "a"])(
    "keeps a sane one: %s",
    (id) => expect(requestIdFrom(id)).toBe(id),
  );
  it.each([
    ["missing", undefined],
    ["empty", ""],
    ["129 characters", "x".repeat(129)],
    ["a space", "a b"],
    ["a quote", 'a"b'],
    ["a newline", "a\nb"],
    ["non-ASCII", "ä"],
  ])("replaces one that is not (%s) with a new UUID", (_name, id) => {
    expect(requestIdFrom(id)).toMatch(UUID);
  });
  it("makes a different one every time", () => expect(requestIdFrom(undefined)).not.toBe(requestIdFrom(undefined)));
  it("takes the first of repeated headers", () => expect(requestIdFrom(["one", "two"])).toBe("one"));
});

describe("the service logger", () => {
  it("puts service, level word, ISO time and, inside a request, its id on every line", () => {
    const { lines, logger } = collectedLogs("goods");
    logger.info("outside");
    runInRequest({ id: "req-1", log: logger }, () => logger.warn({ detail: 1 }, "inside"));
    expect(lines).toEqual([
      expect.objectContaining({ level: "info", service: "goods", msg: "outside", time: expect.any(String) }),
      expect.objectContaining({ level: "warn", service: "goods", msg: "inside", reqId: "req-1", detail: 1 }),
    ]);
    expect(lines[0]).not.toHaveProperty("reqId");
    expect(Number.isNaN(Date.parse(lines[0]?.time ?? ""))).toBe(false);
  });

  it("keeps the id across awaits and timers of the request", async () => {
    const { lines, logger } = collectedLogs("inventory");
    await runInRequest({ id: "req-2", log: logger }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      await Promise.resolve().then(() => logger.info("later"));
    });
    expect(lines.map((line) => line.reqId)).toEqual(["req-2"]);
  });

  it("never writes credentials or variables, even when code passes them", () => {
    const { lines, logger } = collectedLogs("gateway");
    logger.info({ authorization: "Bearer abc", headers: { cookie: "c" }, variables: { orderSn: "S-1" } }, "oops");
    const text = JSON.stringify(lines);
    expect(text).not.toMatch(/Bearer abc|S-1|cookie/);
    expect(lines[0]).toMatchObject({ authorization: "[redacted]", variables: "[redacted]" });
  });

  it("pretty: one readable line with service and request id, no JSON", async () => {
    let text = "";
    const destination = new Writable({
      write(chunk, _encoding, done) {
        text += String(chunk);
        done();
      },
    });
    const logger = createLogger({ service: "goods", format: "pretty", destination });
    runInRequest({ id: "req-3", log: logger }, () => logger.info("hello"));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(text).toMatch(/INFO.*goods \[req-3\] hello/);
    expect(text).not.toContain("{");
  });

  it("honours the level: nothing below it is written", () => {
    let text = "";
    const logger = createLogger({
      service: "goods",
      format: "json",
      level: "warn",
      destination: {
        write: (chunk: string) => {
          text += chunk;
        },
      },
    });
    logger.info("quiet");
    logger.warn("loud");
    expect(text).not.toContain("quiet");
    expect(text).toContain("loud");
  });
});
