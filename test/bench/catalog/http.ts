/** One GraphQL answer as JSON, plus the HTTP status (for the checks before measuring, not for the load). */
export interface GraphqlAnswer<Data> {
  status: number;
  data?: Data | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/** POSTs a GraphQL body (an object, or an already serialized string) and parses the answer. */
export async function postGraphql<Data>(url: string, body: unknown, timeoutMs = 30_000): Promise<GraphqlAnswer<Data>> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  try {
    return { status: response.status, ...(JSON.parse(text) as Omit<GraphqlAnswer<Data>, "status">) };
  } catch {
    throw new Error(`${url} answered ${response.status} with a body that is not JSON: ${text.slice(0, 300)}`);
  }
}

/** The `db_statements_total{service="…"}` counter from a subgraph's /metrics (same origin as its /graphql). */
export async function statementsTotal(graphqlUrl: string, service: string): Promise<number> {
  const response = await fetch(new URL("/metrics", graphqlUrl), { signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  const line = new RegExp(`^db_statements_total\\{[^}]*service="${service}"[^}]*\\}\\s+(\\S+)`, "m").exec(text);
  if (!line?.[1]) throw new Error(`${service}'s /metrics has no db_statements_total{service="${service}"}`);
  return Number(line[1]);
}
