import { splitBatch } from "@emshop/common/batch-protocol";
import type { SubgraphHttpAnswer } from "./subgraph-http-client";
import { answerWith, type Batch, type Caller, TurnBatches } from "./turn-batches";

/**
 * The root queries that different client requests send to one subgraph in the
 * same event-loop turn go as one HTTP request: a batch (an array of their
 * bodies, @emshop/common/batch-protocol). Under a catalog load every request
 * costs one goods call, and much of a call's cost is per HTTP exchange, not
 * per operation: the socket writes and wake-ups on both sides, the request
 * parsing, the subgraph's body parsing and its one write of the answer. The
 * subgraph still runs each operation on its own (own context, own limits,
 * own status); only the exchange is shared.
 *
 * Queries only (the caller decides; a mutation is never batched: its order
 * and its timeout are its own), and only with the same forwarded headers (the
 * key): one shopper's token never travels with another's query. The batch is
 * sent on `setImmediate`, after the I/O callbacks of the current turn: a lone
 * query waits for no timer and goes out as it is, unbatched.
 *
 * The reply is cut into the single answers by the parts header, without
 * parsing it; each caller gets the exact text it would have had alone.
 * A reply that cannot be cut (a subgraph that takes no batches, a proxy's
 * page) makes the gateway send each query again on its own; a 5xx or a
 * transport failure fails every caller, counted once (for the circuit breaker).
 * Callers leave as in every turn batch (./turn-batches.ts).
 *
 * Apollo's RemoteGraphQLDataSource has no cross-request batching, and a
 * DataLoader batches within one request, hence this file.
 */

/** Sends a body (one operation's, or a batch's array) to the subgraph. */
export type SendBody = (body: string, everyoneLeft: AbortSignal) => Promise<SubgraphHttpAnswer>;

type OperationBatch = Batch<string, SubgraphHttpAnswer, SendBody>;
type OperationCaller = Caller<string, SubgraphHttpAnswer>;

export class OperationBatches extends TurnBatches<string, SubgraphHttpAnswer, SendBody> {
  constructor(
    /** Most operations in one batch; a query that would overflow it starts the next. */
    readonly maxOperations: number,
    /** Told, per call sent, how many operations it carries (the batch-size metric). */
    onCall?: (operations: number) => void,
    /** Largest batch body in characters (below the subgraphs' `MAX_BODY_BYTES`); a larger one starts the next. */
    readonly maxSize = 60_000,
  ) {
    super(onCall);
  }

  /** Queries asked for and HTTP calls sent since start (for tests and the benchmark). */
  get counts() {
    return { operations: this.tally.joined, calls: this.tally.calls };
  }

  /**
   * This caller's answer, from a call carrying its query (`payload`, a JSON
   * request body) and those of every other caller with the same key in this
   * turn; `signal` ends this caller's wait only.
   */
  run(key: string, payload: string, send: SendBody, signal?: AbortSignal): Promise<SubgraphHttpAnswer> {
    return this.join(key, payload, send, signal);
  }

  protected fits(batch: OperationBatch, payload: string): boolean {
    if (batch.callers.length >= this.maxOperations) return false;
    const size = batch.callers.reduce((sum, caller) => sum + caller.item.length + 1, 1);
    return size + payload.length + 1 <= this.maxSize;
  }

  protected dispatch(batch: OperationBatch, callers: OperationCaller[]): void {
    const [first] = callers;
    if (callers.length === 1 && first) {
      // Alone in its turn: sent as it is, not as a batch of one.
      answerWith(first, () => batch.send(first.item, batch.cancel.signal));
      return;
    }
    const body = `[${callers.map((caller) => caller.item).join(",")}]`;
    // Not a batch reply (a subgraph that takes none, a refusal of the whole): each query on its own.
    this.answerFrom(callers, () => batch.send(body, batch.cancel.signal), {
      split: (raw) =>
        raw.status === 200
          ? splitBatch(raw.text, raw.batchParts, callers.length)?.map((part) => ({
              status: part.status,
              contentType: raw.contentType,
              text: part.text,
            }))
          : undefined,
      whole: (raw) => raw,
      alone: (caller) => batch.send(caller.item, batch.cancel.signal),
    });
  }
}
