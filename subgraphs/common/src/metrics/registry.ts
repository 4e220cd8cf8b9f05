import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

export { Counter, Gauge, Histogram, Registry };

/**
 * Request durations from 5 ms to 5 s: a catalog read should be in the first
 * buckets, the gateway gives up on a subgraph query at 2 s, a slow mutation at 15 s.
 */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * The registry of one running service, with Node's process metrics (CPU,
 * memory, event loop lag, GC; no prefix). Each service gets its own, not the
 * prom-client global: the tests run the gateway and both subgraphs in one
 * process, and each /metrics must show its own service only.
 */
export function createMetricsRegistry(): Registry {
  const register = new Registry();
  collectDefaultMetrics({ register });
  return register;
}

/** The metric of that name in `registry`, created by `create` if the registry has none yet. */
export function metricOf<M>(registry: Registry, name: string, create: () => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? create();
}

/** Runs `read` at most once per `ttlMs` (concurrent callers share one run); a failure is cached too. */
export function cachedRead<T>(read: () => Promise<T>, ttlMs: number): () => Promise<T | undefined> {
  let last: { at: number; value: Promise<T | undefined> } | undefined;
  return () => {
    const now = Date.now();
    if (!last || now - last.at >= ttlMs) last = { at: now, value: read().catch(() => undefined) };
    return last.value;
  };
}

/** Rejects after `ms`: a scrape must not wait for a database that does not answer. */
export function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    timer.unref();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/**
 * An unlabelled gauge whose value is read at scrape time; when `read` gives
 * undefined (e.g. the database is down) the scrape shows the gauge with no
 * sample rather than failing or showing a made-up 0.
 */
class ReadGauge extends Gauge {
  constructor(
    config: { name: string; help: string; registers: Registry[] },
    private readonly read: () => Promise<number | undefined>,
  ) {
    super(config);
  }

  override async get() {
    const value = await this.read();
    if (value === undefined) return { ...(await super.get()), values: [] };
    this.set(value);
    return super.get();
  }
}

export function readGauge(
  registry: Registry,
  name: string,
  help: string,
  read: () => Promise<number | undefined>,
): Gauge {
  return new ReadGauge({ name, help, registers: [registry] }, read);
}
