import type pg from "pg";
import type { CapturedStatement } from "./capture";

/** The plan PostgreSQL chose for one statement Prisma sent, as EXPLAIN (ANALYZE, BUFFERS) printed it. */
export interface ExplainedStatement {
  /**
   * "page" (the findMany), "ids" (a deep page's ids, read before its rows:
   * subgraphs/goods/src/newest-first.ts), "count" (`total` or `totalUpTo`) or
   * "row" (goods(id), or a deep page's rows by id).
   */
  role: "page" | "ids" | "count" | "row";
  sql: string;
  values: unknown[];
  plan: string;
  /** How the plan reads goods, in plan order: index names, or "seq scan". */
  access: string[];
  executionMs: number;
}

// Only the statements that read goods: the catalog cache's category/brand loads are not what is measured.
const READS_GOODS = /\bFROM (?:"public"\.)?"?goods"?(?:\s|$)/;

const roleOf = (sql: string): ExplainedStatement["role"] => {
  if (/^SELECT COUNT\(\*\)/i.test(sql)) return "count";
  if (/^SELECT "public"\."goods"\."id" FROM/.test(sql)) return "ids";
  if (/"public"\."goods"\."id" IN \(/.test(sql)) return "row";
  return /\bORDER BY\b/.test(sql) ? "page" : "row";
};

/** Index names (and sequential scans) of goods in a text plan, in order, without repeats. */
export function accessPaths(plan: string): string[] {
  const found: string[] = [];
  const pattern =
    /(?:Index (?:Only )?Scan(?: Backward)? using (\S+) on goods|Bitmap Index Scan on (goods\S*)|(Seq Scan on goods))/g;
  for (const match of plan.matchAll(pattern)) {
    const name = match[1] ?? match[2] ?? "seq scan";
    if (!found.includes(name)) found.push(name);
  }
  return found;
}

/**
 * EXPLAIN (ANALYZE, BUFFERS) of exactly what Prisma sent: the same SQL text
 * with the same parameter values, bound the same way (PostgreSQL plans an
 * unnamed parameterised statement for its values, as it did for Prisma).
 */
export async function explainStatements(
  client: pg.Client,
  statements: CapturedStatement[],
): Promise<ExplainedStatement[]> {
  const explained: ExplainedStatement[] = [];
  for (const statement of statements.filter((candidate) => READS_GOODS.test(candidate.text))) {
    const result = await client.query<{ "QUERY PLAN": string }>({
      text: `EXPLAIN (ANALYZE, BUFFERS) ${statement.text}`,
      values: statement.values,
    });
    const plan = result.rows.map((row) => row["QUERY PLAN"]).join("\n");
    const executionMs = Number(/Execution Time: ([\d.]+) ms/.exec(plan)?.[1] ?? Number.NaN);
    explained.push({
      role: roleOf(statement.text),
      sql: statement.text,
      values: statement.values,
      plan,
      access: accessPaths(plan),
      executionMs,
    });
  }
  return explained;
}
