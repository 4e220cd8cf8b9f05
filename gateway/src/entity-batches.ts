import { joinedFailure, parseJson, type SubgraphHttpAnswer } from "./subgraph-http-client";

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
 * an error without an entity index goes to every caller. One caller leaving
 * does not fail the others; the call is cancelled once all of them have left.
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

interface Member {
  offset: number;
  count: number;
  settled: boolean;
  resolve: (answer: EntityAnswer) => void;
  reject: (error: unknown) => void;
}

interface Batch {
  representations: unknown[];
  members: Member[];
  send: SendEntities;
  /** Members still waiting for an answer. */
  waiting: number;
  sent: boolean;
  cancel: AbortController;
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
 * Each member's body from the combined answer, or undefined when it cannot be
 * split: not JSON, no data, the wrong number of entities, errors that are not
 * objects (e.g. the subgraph refused the whole call for its size or cost).
 */
function split(answer: SubgraphHttpAnswer, members: readonly Member[], total: number): EntityAnswer[] | undefined {
  const { status, contentType, text } = answer;
  const body = parseJson(contentType, text) as { data?: { _entities?: unknown } | null; errors?: unknown } | undefined;
  const entities = body?.data?._entities;
  if (!body || typeof body !== "object" || !Array.isArray(entities) || entities.length !== total) return undefined;
  const errors = body.errors ?? [];
  if (!Array.isArray(errors) || errors.some((error) => typeof error !== "object" || error === null)) return undefined;
  return members.map((member) => {
    const own: GraphQLErrorJson[] = [];
    for (const error of errors as GraphQLErrorJson[]) {
      const at = entityIndexOf(error);
      if (at === undefined) own.push({ ...error });
      else if (at >= member.offset && at < member.offset + member.count)
        own.push({ ...error, path: ["_entities", at - member.offset, ...(error.path as unknown[]).slice(2)] });
    }
    return {
      status,
      contentType,
      body: {
        data: { _entities: entities.slice(member.offset, member.offset + member.count) },
        ...(own.length > 0 ? { errors: own } : {}),
      },
    };
  });
}

/** Marks a member answered (or failed) and returns it, so nothing settles it twice. */
function settle(member: Member): Member {
  member.settled = true;
  return member;
}

/** The whole answer for a caller that had the call to itself. */
const whole = ({ status, contentType, text }: SubgraphHttpAnswer): EntityAnswer => ({
  status,
  contentType,
  body: parseJson(contentType, text),
});

export class EntityBatches {
  private readonly open = new Map<string, Batch>();

  /** Entity fetches asked for and calls sent since start (for tests and the benchmark). */
  readonly counts = { fetches: 0, calls: 0 };

  constructor(
    /** Most representations in one combined call; a fetch that would overflow it starts the next call. */
    readonly maxRepresentations: number,
    /** Told, per call sent, how many fetches it carries (the batch-size metric). */
    private readonly onCall?: (fetches: number) => void,
  ) {}

  /**
   * This caller's part of a call carrying its representations and those of
   * every other fetch with the same key in this turn. `send` is the first
   * caller's (the others' would send the same query); `signal` ends this
   * caller's wait only.
   */
  run(key: string, representations: unknown[], send: SendEntities, signal?: AbortSignal): Promise<EntityAnswer> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    this.counts.fetches++;
    let batch = this.open.get(key);
    if (batch && batch.representations.length + representations.length > this.maxRepresentations) {
      this.flush(key, batch);
      batch = undefined;
    }
    if (!batch) batch = this.start(key, send);
    const joined = batch;
    return new Promise<EntityAnswer>((resolve, reject) => {
      const member: Member = {
        offset: joined.representations.length,
        count: representations.length,
        settled: false,
        resolve,
        reject,
      };
      for (const representation of representations) joined.representations.push(representation);
      joined.members.push(member);
      joined.waiting++;
      if (!signal) return;
      const onAbort = () => {
        if (member.settled) return;
        member.settled = true;
        reject(signal.reason);
        // The last caller left: nobody wants the answer (a batch not yet sent is then never sent,
        // and a fetch later in this turn starts a new one rather than joining a cancelled call).
        if (--joined.waiting === 0) {
          if (this.open.get(key) === joined) this.open.delete(key);
          joined.cancel.abort(signal.reason);
        }
      };
      signal.addEventListener("abort", onAbort, { once: true });
      member.resolve = (answer) => {
        signal.removeEventListener("abort", onAbort);
        resolve(answer);
      };
      member.reject = (error) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      };
    });
  }

  private start(key: string, send: SendEntities): Batch {
    const batch: Batch = {
      representations: [],
      members: [],
      send,
      waiting: 0,
      sent: false,
      cancel: new AbortController(),
    };
    this.open.set(key, batch);
    setImmediate(() => this.flush(key, batch));
    return batch;
  }

  private flush(key: string, batch: Batch): void {
    if (this.open.get(key) === batch) this.open.delete(key);
    if (batch.sent) return;
    batch.sent = true;
    if (batch.waiting === 0) return;
    this.counts.calls++;
    this.onCall?.(batch.waiting);
    const { members, representations } = batch;
    const unsettled = () => members.filter((member) => !member.settled);
    // Through a promise: a throw while sending or splitting fails these callers, never the process.
    Promise.resolve()
      .then(() => batch.send(representations, batch.cancel.signal))
      .then(
        (answer) => {
          const parts = split(answer, members, representations.length);
          if (parts) {
            members.forEach((member, index) => {
              if (!member.settled) settle(member).resolve(parts[index] as EntityAnswer);
            });
          } else if (members.length === 1 || answer.status >= 500) {
            // Alone it would have had this answer too (a subgraph answering 5xx fails each caller anyway).
            for (const member of unsettled()) settle(member).resolve(whole(answer));
          } else {
            // Refused or garbled as a whole: each fetch again on its own, so each caller gets the
            // answer it would have had alone (and a size or cost limit refuses only a fetch that exceeds it).
            for (const member of unsettled()) this.sendAlone(batch, member);
          }
        },
        (error: unknown) => {
          // One failure of the subgraph: counted for one caller (the breaker), the others joined it.
          unsettled().forEach((member, index) => {
            settle(member).reject(index === 0 ? error : joinedFailure(error));
          });
        },
      )
      .catch((error: unknown) => {
        for (const member of unsettled()) settle(member).reject(error);
      });
  }

  /** One member's representations in a call of their own (after the combined call could not be split). */
  private sendAlone(batch: Batch, member: Member): void {
    const own = batch.representations.slice(member.offset, member.offset + member.count);
    this.counts.calls++;
    this.onCall?.(1);
    Promise.resolve()
      .then(() => batch.send(own, batch.cancel.signal))
      .then(
        (answer) => {
          if (!member.settled) settle(member).resolve(whole(answer));
        },
        (error: unknown) => {
          if (!member.settled) settle(member).reject(error);
        },
      );
  }

  /** Batches collecting now (not yet sent). */
  get size() {
    return this.open.size;
  }
}
