import { findNulArgument } from "@emshop/common/input/string-arguments";
import { measureOperation } from "@emshop/common/limits/measure";
import { measureOperationMemo } from "@emshop/common/limits/measure-memo";
import { schema as goodsSchema } from "@emshop/goods/server";
import { schema as inventorySchema } from "@emshop/inventory/server";
import { type GraphQLSchema, Kind, type OperationDefinitionNode, parse } from "graphql";
import { describe, expect, it } from "vitest";

const PAGED = `query Page($size: Int, $first: Int, $filter: GoodsFilter) {
  goodsList(pageSize: $size, filter: $filter) { total items { id name category { children { id } } } }
  other: goodsList(pageSize: $first) { items { id } }
}`;
const ENTITIES = `query Stocks($representations: [_Any!]!) { _entities(representations: $representations) { ... on Goods { stocks } } }`;

const operationOf = (document: ReturnType<typeof parse>) =>
  document.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  ) as OperationDefinitionNode;

/** The remembered measurement against a fresh one, for the same document object and each set of variables in turn. */
function compare(schema: GraphQLSchema, query: string, variableSets: Record<string, unknown>[], stopAtCost?: number) {
  const document = parse(query);
  const operation = operationOf(document);
  for (const variables of variableSets) {
    const remembered = measureOperationMemo(schema, document, operation, variables, stopAtCost);
    expect(remembered).toEqual(measureOperation(schema, document, operation, variables, stopAtCost));
  }
}

describe("measurements remembered per document are exactly the fresh measurement", () => {
  it("for page sizes given through variables, changed, repeated and missing", () => {
    compare(goodsSchema, PAGED, [
      { size: 20 },
      { size: 20, first: 5 },
      { size: 100, first: 5 },
      { size: 20 },
      {},
      { size: "20" },
      { size: 20, first: 5, filter: { isHot: true } },
      { size: 7, first: null },
    ]);
  });

  it("for representations of every count", () => {
    const representations = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ __typename: "Goods", id: String(i) }));
    compare(
      inventorySchema,
      ENTITIES,
      [1, 20, 41, 20, 500, 1, 0, 3].map((n) => ({ representations: representations(n) })),
    );
  });

  it("when the cost limit cuts the walk short, and then a cheap request follows", () => {
    compare(goodsSchema, PAGED, [{ size: 1000, first: 1000 }, { size: 2 }, { size: 1000 }, { size: 2, first: 2 }], 500);
  });

  it("says a different cost for a different page size of the same document (nothing stale)", () => {
    const document = parse(PAGED);
    const operation = operationOf(document);
    const small = measureOperationMemo(goodsSchema, document, operation, { size: 2 }).cost;
    const large = measureOperationMemo(goodsSchema, document, operation, { size: 50 }).cost;
    expect(large).toBeGreaterThan(small);
    // The same shapes again: the remembered measurement itself, not a new walk.
    const again = measureOperationMemo(goodsSchema, document, operation, { size: 2, filter: { isNew: true } });
    expect(again).toBe(measureOperationMemo(goodsSchema, document, operation, { size: 2 }));
    expect(again.cost).toBe(small);
  });
});

describe("NUL in string arguments, with the document's argument sites remembered", () => {
  const document = parse(`mutation Make($name: String, $input: CreateGoodsInput!) {
    first: renameX(note: "ok", name: $name)
    createGoods(input: $input) { id }
    third: renameX(tags: ["a", $name])
  }`);
  it("finds the first argument holding NUL in document order, for each request's variables", () => {
    expect(findNulArgument(document, { name: "fine", input: { name: "fine" } })).toBeUndefined();
    expect(findNulArgument(document, { name: "a\u0000b", input: { name: "x" } })).toBe("renameX.name");
    expect(findNulArgument(document, { name: "ok", input: { name: "x", brief: ["y", "z\u0000"] } })).toBe(
      "createGoods.input.brief[1]",
    );
    expect(findNulArgument(document, { name: "ok", input: {} })).toBeUndefined();
  });
  it("a literal holding NUL is found whatever the variables, and nothing after it is first", () => {
    const literal = parse(`{ a: f(x: $v) b: f(y: "bad\\u0000") c: f(z: $w) }`);
    expect(findNulArgument(literal, {})).toBe("f.y");
    expect(findNulArgument(literal, { v: "\u0000" })).toBe("f.x");
    expect(findNulArgument(literal, { w: "\u0000" })).toBe("f.y");
  });
});
