import { CountMemo } from "@emshop/goods/count-memo";
import { describe, expect, it } from "vitest";

/** The goods subgraph's remembered counts (subgraphs/goods/src/count-memo.ts), without a database. */
describe("CountMemo", () => {
  const counter = () => {
    let calls = 0;
    return {
      count: (value: number) => () => {
        calls++;
        return Promise.resolve(value);
      },
      get calls() {
        return calls;
      },
    };
  };

  it("answers the same key from memory, other keys from their own count", async () => {
    const memo = new CountMemo({ maxEntries: 10, ttlMs: 60_000 });
    const db = counter();
    expect(await memo.get("a", db.count(1))).toBe(1);
    expect(await memo.get("a", db.count(99))).toBe(1);
    expect(await memo.get("b", db.count(2))).toBe(2);
    expect(db.calls).toBe(2);
    expect(memo.stats).toEqual({ entries: 2, hits: 1, misses: 2 });
  });

  it("concurrent identical counts share one statement", async () => {
    const memo = new CountMemo({ maxEntries: 10, ttlMs: 60_000 });
    const db = counter();
    const answers = await Promise.all([
      memo.get("a", db.count(5)),
      memo.get("a", db.count(6)),
      memo.get("a", db.count(7)),
    ]);
    expect(answers).toEqual([5, 5, 5]);
    expect(db.calls).toBe(1);
  });

  it("clear() forgets, also a count still running when the write was notified", async () => {
    const memo = new CountMemo({ maxEntries: 10, ttlMs: 60_000 });
    let finish: (value: number) => void = () => undefined;
    const running = memo.get("a", () => new Promise<number>((resolve) => (finish = resolve)));
    memo.clear();
    finish(1); // the count read before the write
    expect(await running).toBe(1);
    expect(await memo.get("a", () => Promise.resolve(2))).toBe(2);
  });

  it("does not keep a failed count", async () => {
    const memo = new CountMemo({ maxEntries: 10, ttlMs: 60_000 });
    await expect(memo.get("a", () => Promise.reject(new Error("statement timeout")))).rejects.toThrow(
      "statement timeout",
    );
    expect(await memo.get("a", () => Promise.resolve(3))).toBe(3);
    expect(memo.stats.entries).toBe(1);
  });

  it("keeps at most maxEntries, dropping the least recently used", async () => {
    const memo = new CountMemo({ maxEntries: 2, ttlMs: 60_000 });
    const db = counter();
    await memo.get("a", db.count(1));
    await memo.get("b", db.count(2));
    await memo.get("a", db.count(1)); // a is used again: b is now the oldest
    await memo.get("c", db.count(3));
    expect(memo.stats.entries).toBe(2);
    expect(db.calls).toBe(3);
    await memo.get("a", db.count(1)); // still there
    expect(db.calls).toBe(3);
    await memo.get("b", db.count(2)); // was dropped
    expect(db.calls).toBe(4);
  });

  it("serves a count for ttlMs at most", async () => {
    let now = 1_000;
    const memo = new CountMemo({ maxEntries: 10, ttlMs: 500 }, () => now);
    const db = counter();
    await memo.get("a", db.count(1));
    now += 499;
    expect(await memo.get("a", db.count(2))).toBe(1);
    now += 1;
    expect(await memo.get("a", db.count(2))).toBe(2);
    expect(db.calls).toBe(2);
  });

  it("with maxEntries 0 remembers nothing", async () => {
    const memo = new CountMemo({ maxEntries: 0, ttlMs: 60_000 });
    const db = counter();
    await memo.get("a", db.count(1));
    await memo.get("a", db.count(1));
    expect(db.calls).toBe(2);
    expect(memo.stats.entries).toBe(0);
  });
});
