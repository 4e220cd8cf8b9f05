import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { KNOWN_OPERATIONS, operationLabel } from "@emshop/common/metrics/graphql-metrics";
import { repoRoot } from "@emshop/db/paths";
import { Kind, parse } from "graphql";
import { describe, expect, it } from "vitest";

const dir = join(repoRoot, "test/operations");

/** The names of the operations the known clients send (test/operations/*.graphql). */
function operationNames(): string[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith(".graphql"))
    .flatMap((file) =>
      parse(readFileSync(join(dir, file), "utf8")).definitions.flatMap((definition) =>
        definition.kind === Kind.OPERATION_DEFINITION && definition.name ? [definition.name.value] : [],
      ),
    );
}

describe("the metrics' operation allowlist", () => {
  it("is exactly the names of the operations in test/operations", () => {
    expect([...KNOWN_OPERATIONS].sort()).toEqual(operationNames().sort());
    expect(new Set(KNOWN_OPERATIONS).size).toBe(KNOWN_OPERATIONS.length);
  });

  it("labels other names 'other' and unnamed operations 'anonymous'", () => {
    expect(operationLabel("StorefrontGoodsList")).toBe("StorefrontGoodsList");
    expect(operationLabel("storefrontgoodslist")).toBe("other");
    expect(operationLabel("__proto__")).toBe("other");
    expect(operationLabel(undefined)).toBe("anonymous");
    expect(operationLabel("")).toBe("anonymous");
  });
});
