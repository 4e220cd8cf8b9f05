/**
 * The operations the IDE opens with, one tab each, in this order. They are the
 * README's examples: the first one is the Quick start's first query (a test
 * compares the two), so opening the IDE and pressing Run shows goods with
 * their stocks. Every operation must be valid against the API schema (tested).
 */
export interface IdeExample {
  /** What the tab is for (shown as a comment above operations that need a token). */
  title: string;
  query: string;
  /** JSON text for the variables editor. */
  variables?: string;
  /** JSON text for the headers editor. */
  headers?: string;
}

/** Where the headers editor tells the user to put a token of their own. */
const tokenHeaders = (role: string) =>
  `{ "authorization": "Bearer <the output of: npm run -s token -- --role ${role}>" }`;

export const ideExamples: IdeExample[] = [
  {
    title: "Goods with stocks (Quick start)",
    query: `{
  goodsList(pageSize: 20) {
    total
    items { id name shopPrice category { name } brand { name } stocks }
  }
}
`,
  },
  {
    title: "The inventory row of one goods",
    query: `# Read the row, including its version for optimistic locking.
query InventoryRow {
  inventory(goodsId: "42") { goodsId stocks version updatedAt }
}
`,
  },
  {
    title: "Adjust stock, exactly once (admin token)",
    query: `# Needs an admin token: put it in the Headers tab below.
# Run it twice: the second call returns the same answer and changes nothing.
mutation AdminAdjustStock($goodsId: ID!, $delta: Int!, $reason: String!, $requestId: String) {
  adjustStock(goodsId: $goodsId, delta: $delta, reason: $reason, requestId: $requestId) {
    goodsId
    stocks
    version
    updatedAt
  }
}
`,
    variables: `{
  "goodsId": "42",
  "delta": 5,
  "reason": "delivery 2026-11-24",
  "requestId": "3f0c2a9e-6d1b-4c55-9a8e-2b7f1d0e4c11"
}
`,
    headers: tokenHeaders("admin"),
  },
  {
    title: "Sell and reback stock (order-service token)",
    query: `# Needs an order-service (or admin) token: put it in the Headers tab below.
# Pick the operation to run with the Run button's menu.
mutation SellStock {
  sellStock(orderSn: "SO-2026-0001", items: [{ goodsId: "42", num: 2 }, { goodsId: "7", num: 1 }]) {
    orderSn status items { goodsId num } createdAt
  }
}

mutation RebackStock {
  rebackStock(orderSn: "SO-2026-0001") { orderSn status items { goodsId num } }
}

query StockSell {
  stockSell(orderSn: "SO-2026-0001") { status items { goodsId num } updatedAt }
}
`,
    headers: tokenHeaders("order-service"),
  },
  {
    title: "The stock ledger of one goods (admin token)",
    query: `# Needs an admin token (scope stock:audit): put it in the Headers tab below.
query StockLedger {
  stockMovements(goodsId: "42", first: 20) {
    items { delta stocksAfter versionAfter kind reason orderSn actor createdAt }
    endCursor hasNextPage
  }
}
`,
    headers: tokenHeaders("admin"),
  },
];
