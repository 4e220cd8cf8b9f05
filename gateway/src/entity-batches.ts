import { parseJson, type SubgraphHttpAnswer } from "./subgraph-http-client";
import { type Batch, type Caller, TurnBatches } from "./turn-batches";

/**
 * Entity fetches of different client requests, made in the same event-loop
 * turn, go to the subgraph as one `_entities` call. Under a catalog load every
 * list page costs one inventory call for the stocks of its 20 goods, and most
 * of that call's cost is fixed (HTTP, the subgraph's request pipeline, one SQL
 * round trip), not per entity: the subgraph's DataLoader reads the stocks of
 * every representation in one statement however many there are.
 *
 * Fetches are combined only when they are the same query with the same other
 * variables, operation name, extensions and credentials (the key), so one
 * shopper's token never answers another's request, and only queries (the
 * caller decides; a mutation is never combined). The batch is sent on
 * `setImmediate`, after the I/O callbacks of the current turn: a lone request
 * waits for no timer, a loaded gateway collects what its turn produced.
 *
 * The answer is split back by position: each caller gets its slice of
 * `_entities` and the errors whose path points into it (the index rebased);
 * an error without an entity index goes to every caller. Callers leave as in
 * every turn batch (./turn-batches.ts).
 *
 * DataLoader batches within one request; @apollo/gateway batches within one
 * query plan. Nothing batches across requests with per-caller cancellation and
 * an answer split by representation, hence this file.
 */

/** One caller's part of a combined answer: its own parsed objects. */
export interface EntityAnswer {
  status: number;
  contentType: string;
  /** The caller's GraphQL body, or undefined when the answer was not JSON. */
  body: unknown;
}

/** Sends the combined call: all representations, aborted when every caller has left. */
export type SendEntities = (representations: unknown[], everyoneLeft: AbortSignal) => Promise<SubgraphHttpAnswer>;

type EntityBatch = Batch<unknown[], EntityAnswer, SendEntities>;
type EntityCaller = Caller<unknown[], EntityAnswer>;

/** Where a caller's representations stand in the combined call. */
interface Slice {
  offset: number;
  count: number;
}

interface GraphQLErrorJson {
  path?: unknown;
  [key: string]: unknown;
}

/** The entity index an error's path points at (`["_entities", 3, "stocks"]` → 3), if any. */
function entityIndexOf(error: GraphQLErrorJson): number | undefined {
  const path = typeof error === "object" && error !== null ? error.path : undefined;
  if (!Array.isArray(path) || path[0] !== "_entities" || typeof path[1] !== "number") return undefined;
  return path[1];
}

/**
 * Each caller's body from the combined answer, or undefined when it cannot be
 * split: not JSON, no data, the wrong number of entities, errors that are not
 * objects (e.g. the subgraph refused the whole call for its size or cost).
 */
function split(answer: SubgraphHttpAnswer, slices: readonly Slice[], total: number): EntityAnswer[] | undefined {
  const { status, contentType, text } = answer;
  const body = parseJson(contentType, text) as { data?: { _entities?: unknown } | null; errors?: unknown } | undefined;
  const entities = body?.data?._entities;
  if (!body || typeof body !== "object" || !Array.isArray(entities) || entities.length !== total) return undefined;
  const errors = body.errors ?? [];
  if (!Array.isArray(errors) || errors.some((error) => typeof error !== "object" || error === null)) return undefined;
  return slices.map((slice) => {
    const own: GraphQLErrorJson[] = [];
    for (const error of errors as GraphQLErrorJson[]) {
      const at = entityIndexOf(error);
      if (at === undefined) own.push({ ...error });
      else if (at >= slice.offset && at < slice.offset + slice.count)
        own.push({ ...error, path: ["_entities", at - slice.offset, ...(error.path as unknown[]).slice(2)] });
    }
    return {
      status,
      contentType,
      body: {
        data: { _entities: entities.slice(slice.offset, slice.offset + slice.count) },
        ...(own.length > 0 ? { errors: own } : {}),
      },
    };
  });
}

/** The whole answer for a caller that had the call to itself. */
const whole = ({ status, contentType, text }: SubgraphHttpAnswer): EntityAnswer => ({
  status,
  contentType,
  body: parseJson(contentType, text),
});

export class EntityBatches extends TurnBatches<unknown[], EntityAnswer, SendEntities> {
  constructor(
    /** Most representations in one combined call; a fetch that would overflow it starts the next call. */
    readonly maxRepresentations: number,
    /** Told, per call sent, how many fetches it carries (the batch-size metric). */
    onCall?: (fetches: number) => void,
  ) {
    super(onCall);
  }

  /** Entity fetches asked for and calls sent since start (for tests and the benchmark). */
  get counts() {
    return { fetches: this.tally.joined, calls: this.tally.calls };
  }

  /**
   * This caller's part of a call carrying its representations and those of
   * every other fetch with the same key in this turn. `send` is the first
   * caller's (the others' would send the same query); `signal` ends this
   * caller's wait only.
   */
  run(key: string, representations: unknown[], send: SendEntities, signal?: AbortSignal): Promise<EntityAnswer> {
    return this.join(key, representations, send, signal);
  }

  protected fits(batch: EntityBatch, representations: unknown[]): boolean {
    const held = batch.callers.reduce((sum, caller) => sum + caller.item.length, 0);
    return held + representations.length <= this.maxRepresentations;
  }

  protected dispatch(batch: EntityBatch, callers: EntityCaller[]): void {
    const all: unknown[] = [];
    const slices = callers.map((caller) => {
      const slice = { offset: all.length, count: caller.item.length };
      for (const representation of caller.item) all.push(representation);
      return slice;
    });
    // Refused or garbled as a whole, each fetch goes again on its own (and a size or cost
    // limit then refuses only a fetch that exceeds it).
    this.answerFrom(callers, () => batch.send(all, batch.cancel.signal), {
      split: (raw) => split(raw, slices, all.length),
      whole,
      alone: async (caller) => whole(await batch.send(caller.item, batch.cancel.signal)),
    });
  }
}
