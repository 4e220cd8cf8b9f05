/**
 * How the gateway sends several GraphQL operations to a subgraph in one HTTP
 * request, and how it finds each one's answer in the reply.
 *
 * The request is a JSON array of ordinary GraphQL request bodies (what Apollo
 * Server calls batching). The reply is a JSON array of their answers, each
 * exactly the text the subgraph would have sent for that operation alone,
 * plus a header that gives each answer's HTTP status and length:
 * `x-graphql-batch-parts: 200:812,400:153`. With it the gateway cuts the
 * array into the single answers without parsing it (each caller parses its
 * own, as for any other answer) and keeps each operation's own status, which
 * Apollo's batch replies lose (one status for the whole array).
 *
 * Lengths count UTF-16 code units: both ends are JavaScript strings.
 */
export const BATCH_PARTS_HEADER = "x-graphql-batch-parts";

/** Operations per batch a subgraph takes unless configured otherwise (`MAX_BATCH_OPERATIONS`). */
export const DEFAULT_MAX_BATCH_OPERATIONS = 50;

export interface BatchPart {
  status: number;
  text: string;
}

/** The reply's body and its parts header. */
export function joinBatch(parts: readonly BatchPart[]): { body: string; header: string } {
  return {
    body: `[${parts.map((part) => part.text).join(",")}]`,
    header: parts.map((part) => `${part.status}:${part.text.length}`).join(","),
  };
}

const PART = /^(\d{3}):(\d+)$/;

/**
 * Each operation's answer, or undefined when the reply is not a batch reply of
 * `count` parts that fit its body exactly (no header, a header that does not
 * add up: a subgraph that does not take batches, a proxy's error page).
 */
export function splitBatch(text: string, header: string | undefined, count: number): BatchPart[] | undefined {
  if (!header) return undefined;
  const specs = header.split(",");
  if (specs.length !== count || text[0] !== "[") return undefined;
  const parts: BatchPart[] = [];
  let at = 1;
  for (const spec of specs) {
    const match = PART.exec(spec.trim());
    if (!match) return undefined;
    const length = Number(match[2]);
    const end = at + length;
    // Every part is followed by the separator, the last by the closing bracket.
    if (end >= text.length || text[end] !== (parts.length === count - 1 ? "]" : ",")) return undefined;
    parts.push({ status: Number(match[1]), text: text.slice(at, end) });
    at = end + 1;
  }
  return at === text.length ? parts : undefined;
}
