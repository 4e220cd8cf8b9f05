import type { DocumentNode, GraphQLSchema, OperationDefinitionNode } from "graphql";
import { measureOperation, type OperationSize } from "./measure";

/**
 * measureOperation, remembered per parsed document. Apollo Server keeps one
 * parsed document per query text, so a service under load measures the same
 * few documents over and over: walking each (fragments, field definitions,
 * page sizes) was about 2% of every service's CPU in a profile under catalog
 * load, for an answer that depends on the variables only through the few
 * values the walk reads (a page size, the number of representations).
 *
 * So each measurement records which variables it read, and is reused for a
 * later request whose values of exactly those variables have the same shape
 * (the same number, the same array length, the same kind otherwise: all the
 * walk looks at). Replaying the walk with such values would read the same
 * variables and get the same answer, so the reuse is exact, not an estimate.
 */

interface Measured {
  /** The variables the walk read, in order. */
  reads: string[];
  /** Results by the shape of those variables' values. */
  results: Map<string, OperationSize>;
}

interface Memo {
  schema: GraphQLSchema;
  stopAtCost: number;
  measured: Measured[];
}

/** Distinct read lists per operation (a walk cut short by the cost limit reads fewer). */
const MAX_READ_LISTS = 4;
/** Results per read list: page sizes and representation counts vary; past this the list starts again. */
const MAX_RESULTS = 256;

const memos = new WeakMap<DocumentNode, Map<OperationDefinitionNode, Memo>>();

/** What the walk can tell of a value: a number's value, an array's length, else only its kind. */
function shapeOf(value: unknown): string {
  if (typeof value === "number") return `n${value}`;
  if (Array.isArray(value)) return `a${value.length}`;
  return value === null ? "null" : typeof value;
}

const signature = (reads: readonly string[], variables: Record<string, unknown>) =>
  reads.map((name) => shapeOf(variables[name])).join(",");

export function measureOperationMemo(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> = {},
  stopAtCost = Number.POSITIVE_INFINITY,
): OperationSize {
  let byOperation = memos.get(document);
  if (!byOperation) {
    byOperation = new Map();
    memos.set(document, byOperation);
  }
  let memo = byOperation.get(operation);
  if (!memo || memo.schema !== schema || memo.stopAtCost !== stopAtCost) {
    memo = { schema, stopAtCost, measured: [] };
    byOperation.set(operation, memo);
  }
  for (const measured of memo.measured) {
    const known = measured.results.get(signature(measured.reads, variables));
    if (known) return known;
  }
  const reads: string[] = [];
  const recording = new Proxy(variables, {
    get(target, name) {
      if (typeof name === "string" && !reads.includes(name)) reads.push(name);
      return Reflect.get(target, name);
    },
  });
  const size = measureOperation(schema, document, operation, recording, stopAtCost);
  const key = reads.join("\u0000");
  let measured = memo.measured.find((entry) => entry.reads.join("\u0000") === key);
  if (!measured && memo.measured.length < MAX_READ_LISTS) {
    measured = { reads, results: new Map() };
    memo.measured.push(measured);
  }
  if (measured) {
    if (measured.results.size >= MAX_RESULTS) measured.results.clear();
    measured.results.set(signature(reads, variables), size);
  }
  return size;
}
