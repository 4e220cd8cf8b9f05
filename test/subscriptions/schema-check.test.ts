import { readFileSync } from "node:fs";
import { schemaCheckPaths } from "@emshop/tools/schema-check/paths";
import { checkSubscriptionSchema } from "@emshop/tools/schema-check/subscription-schema";
import { describe, expect, it } from "vitest";

/* schema:check's "subscription-schema" step on the real files, and on edits that must fail it. */
const paths = schemaCheckPaths();
const sdl = readFileSync(paths.subscriptionSchema, "utf8");
const supergraphSdl = readFileSync(paths.supergraph, "utf8");
const check = (subscriptionSdl: string | undefined) =>
  checkSubscriptionSchema({ subscriptionSdl, supergraphSdl, file: "schema.graphql", supergraphFile: "supergraph" });

const edit = (from: string, to: string) => {
  expect(sdl).toContain(from);
  return sdl.replace(from, to);
};

describe("schema:check: the gateway's subscription schema", () => {
  it("passes on the repository: valid, and StockStatus, StockEventType and DateTime agree with the supergraph", () => {
    const step = check(sdl);
    expect(step).toMatchObject({ status: "passed", findings: [] });
    expect(step.summary).toMatch(/StockStatus/);
  });

  it("fails when a shared enum drifts from the supergraph's", () => {
    const step = check(edit("  BACK_IN_STOCK\n", "  RESTOCKED\n"));
    expect(step.status).toBe("failed");
    expect(step.findings.map((finding) => finding.message)).toEqual([
      "StockEventType lacks the supergraph's value BACK_IN_STOCK",
      "StockEventType has RESTOCKED, which the supergraph lacks",
    ]);
  });

  it("fails when a shared name is another kind of type there", () => {
    const step = check(edit("scalar DateTime", "enum DateTime { NOW }"));
    expect(step.findings).toContainEqual(expect.objectContaining({ path: "DateTime", code: "SHARED_TYPE_MISMATCH" }));
  });

  it.each([
    ["does not parse", "type {"],
    ["lacks Subscription.stockChanged", sdl.replace("stockChanged(", "stockChange(")],
    ["is missing", undefined],
  ])("fails when the SDL %s", (_what, text) => {
    expect(check(text).status).toBe("failed");
  });
});
