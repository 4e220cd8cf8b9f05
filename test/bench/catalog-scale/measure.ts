/** Latency figures of one query variant, in milliseconds. */
export interface Latency {
  requests: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

export interface GraphqlResult<Data> {
  data?: Data | null;
  errors?: { message: string }[];
}

/** POSTs one GraphQL request; any GraphQL or HTTP error fails the benchmark (a fast error is no result). */
export async function postGraphql<Data>(url: string, query: string, variables: Record<string, unknown>) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(120_000),
  });
  const text = await response.text();
  const body = JSON.parse(text) as GraphqlResult<Data>;
  if (!response.ok || body.errors?.length || !body.data) {
    throw new Error(`${url} answered ${response.status}: ${text.slice(0, 500)}`);
  }
  return body.data;
}

/** Nearest-rank percentile of sorted samples. */
export const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;

const round = (ms: number) => Math.round(ms * 100) / 100;

/**
 * Sends `send(i)` one request at a time: up to `warmup` untimed (at least one,
 * at most a fifth of the budget), then up to `requests` timed, stopping early
 * when a slow query has used `budgetMs` and has at least `minRequests` samples
 * (a 2-second count × 200 would take minutes and say nothing more than 10
 * samples do). Sequential on purpose: this is the latency of one storefront
 * request on an otherwise idle service, not load.
 */
export async function timeSequential(
  send: (i: number) => Promise<unknown>,
  options: { warmup: number; requests: number; budgetMs: number; minRequests: number },
): Promise<Latency> {
  const warmupStarted = performance.now();
  let sent = 0;
  while (sent < options.warmup && (sent === 0 || performance.now() - warmupStarted < options.budgetMs / 5)) {
    await send(sent++);
  }
  const samples: number[] = [];
  const started = performance.now();
  for (let i = 0; i < options.requests; i++) {
    const before = performance.now();
    await send(sent++);
    samples.push(performance.now() - before);
    if (samples.length >= options.minRequests && performance.now() - started > options.budgetMs) break;
  }
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    requests: samples.length,
    p50: round(percentile(sorted, 50)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.at(-1) ?? Number.NaN),
    mean: round(samples.reduce((sum, ms) => sum + ms, 0) / samples.length),
  };
}
