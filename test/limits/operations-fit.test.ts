import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { measureOperation } from "@emshop/common/limits/measure";
import { DEFAULT_LIMITS } from "@emshop/common/limits/options";
import { repoRoot } from "@emshop/db/paths";
import { schema as goodsSchema } from "@emshop/goods/server";
import { schema as inventorySchema } from "@emshop/inventory/server";
import { type GraphQLSchema, Kind, type OperationDefinitionNode, parse } from "graphql";
import { describe, expect, it } from "vitest";

const dir = join(repoRoot, "test/operations");
const files = readdirSync(dir).filter((file) => file.endsWith(".graphql"));

/** The subgraph whose root type has the operation's first field (enough for these one-subgraph roots). */
function schemaFor(operation: OperationDefinitionNode): GraphQLSchema {
  const first = operation.selectionSet.selections.find((s) => s.kind === Kind.FIELD);
  const name = first?.kind === Kind.FIELD ? first.name.value : "";
  const root = (schema: GraphQLSchema) =>
    operation.operation === "mutation" ? schema.getMutationType() : schema.getQueryType();
  return root(goodsSchema)?.getFields()[name] ? goodsSchema : inventorySchema;
}

describe("the default limits leave room for every operation clients send", () => {
  it.each(files)("%s is within half of each limit", (file) => {
    const document = parse(readFileSync(join(dir, file), "utf8"), { maxTokens: DEFAULT_LIMITS.maxTokens / 2 });
    for (const operation of document.definitions.filter(
      (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
    )) {
      // Variables at their largest allowed page size: the worst a client of this operation can ask.
      const size = measureOperation(schemaFor(operation), document, operation, { pageSize: 100, first: 100 });
      expect(size.depth).toBeLessThanOrEqual(DEFAULT_LIMITS.maxDepth / 2);
      expect(size.aliases).toBeLessThanOrEqual(DEFAULT_LIMITS.maxAliases / 2);
      expect(size.directives).toBeLessThanOrEqual(DEFAULT_LIMITS.maxDirectives / 2);
      expect(size.cost).toBeLessThanOrEqual(DEFAULT_LIMITS.maxCost / 2);
    }
  });

  it("weights lists by their page size, and nested unpaged lists by 10 each", () => {
    const cost = (query: string) => {
      const document = parse(query);
      return measureOperation(goodsSchema, document, document.definitions[0] as OperationDefinitionNode).cost;
    };
    expect(cost("{ goodsList(pageSize: 10) { items { id } } }")).toBe(1 + 1 + 10 * 1);
    expect(cost("{ goodsList(pageSize: 100) { items { id } } }")).toBe(1 + 1 + 100 * 1);
    expect(cost("{ categories { children { id } } }")).toBe(1 + 10 * (1 + 10 * 1));
    // A fragment cannot hide the fan-out.
    expect(cost("{ categories { ...C } } fragment C on Category { children { id } }")).toBe(1 + 10 * (1 + 10 * 1));
  });
});
