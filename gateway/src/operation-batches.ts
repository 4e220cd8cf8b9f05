import { splitBatch } from "@emshop/common/batch-protocol";
import { joinedFailure, type SubgraphHttpAnswer } from "./subgraph-http-client";

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
 * One caller leaving does not fail the others; the call is cancelled once all
 * of them have left.
 *
 * Apollo's RemoteGraphQLDataSource has no cross-request batching, and a
 * DataLoader batches within one request, hence this file.
 */

/** Sends a body (one operation's, or a batch's array) to the subgraph. */
export type SendBody = (body: string, everyoneLeft: AbortSignal) => Promise<SubgraphHttpAnswer>;

interface Member {
  payload: string;
  settled: boolean;
  resolve: (answer: SubgraphHttpAnswer) => void;
  reject: (error: unknown) => void;
}

interface Batch {
  members: Member[];
  send: SendBody;
  /** Characters of the members' payloads (the array's size, near enough). */
  size: number;
  /** Members still waiting for an answer. */
  waiting: number;
  sent: boolean;
  cancel: AbortController;
}

/** Marks a member answered (or failed) and returns it, so nothing settles it twice. */
function settle(member: Member): Member {
  member.settled = true;
  return member;
}

export class OperationBatches {
  private readonly open = new Map<string, Batch>();

  /** Queries asked for and HTTP calls sent since start (for tests and the benchmark). */
  readonly counts = { operations: 0, calls: 0 };

  constructor(
    /** Most operations in one batch; a query that would overflow it starts the next. */
    readonly maxOperations: number,
    /** Told, per call sent, how many operations it carries (the batch-size metric). */
    private readonly onCall?: (operations: number) => void,
    /** Largest batch body in characters (below the subgraphs' `MAX_BODY_BYTES`); a larger one starts the next. */
    readonly maxSize = 60_000,
  ) {}

  /**
   * This caller's answer, from a call carrying its query and those of every
   * other caller with the same key in this turn. `send` is the first caller's
   * (the others' would send to the same place with the same headers); `signal`
   * ends this caller's wait only.
   */
  run(key: string, payload: string, send: SendBody, signal?: AbortSignal): Promise<SubgraphHttpAnswer> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    this.counts.operations++;
    let batch = this.open.get(key);
    if (batch && (batch.members.length >= this.maxOperations || batch.size + payload.length + 1 > this.maxSize)) {
      this.flush(key, batch);
      batch = undefined;
    }
    if (!batch) batch = this.start(key, send);
    const joined = batch;
    return new Promise<SubgraphHttpAnswer>((resolve, reject) => {
      const member: Member = { payload, settled: false, resolve, reject };
      joined.members.push(member);
      joined.size += payload.length + 1;
      joined.waiting++;
      if (!signal) return;
      const onAbort = () => {
        if (member.settled) return;
        member.settled = true;
        reject(signal.reason);
        // The last caller left: nobody wants the answer (a batch not yet sent is then never sent,
        // and a query later in this turn starts a new one rather than joining a cancelled call).
        if (--joined.waiting === 0) {
          if (this.open.get(key) === joined) this.open.delete(key);
          joined.sent = true;
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

  private start(key: string, send: SendBody): Batch {
    const batch: Batch = { members: [], send, size: 1, waiting: 0, sent: false, cancel: new AbortController() };
    this.open.set(key, batch);
    setImmediate(() => this.flush(key, batch));
    return batch;
  }

  private flush(key: string, batch: Batch): void {
    if (this.open.get(key) === batch) this.open.delete(key);
    if (batch.sent) return;
    batch.sent = true;
    // Who left before the call went out is not in it.
    const members = batch.members.filter((member) => !member.settled);
    const [first] = members;
    if (!first) return;
    this.counts.calls++;
    this.onCall?.(members.length);
    if (members.length === 1) {
      Promise.resolve()
        .then(() => batch.send(first.payload, batch.cancel.signal))
        .then(
          (answer) => {
            if (!first.settled) settle(first).resolve(answer);
          },
          (error: unknown) => {
            if (!first.settled) settle(first).reject(error);
          },
        );
      return;
    }
    const unsettled = () => members.filter((member) => !member.settled);
    const body = `[${members.map((member) => member.payload).join(",")}]`;
    // Through a promise: a throw while sending or cutting fails these callers, never the process.
    Promise.resolve()
      .then(() => batch.send(body, batch.cancel.signal))
      .then(
        (answer) => {
          const parts = answer.status === 200 ? splitBatch(answer.text, answer.batchParts, members.length) : undefined;
          if (parts) {
            members.forEach((member, index) => {
              const part = parts[index];
              if (part && !member.settled)
                settle(member).resolve({ status: part.status, contentType: answer.contentType, text: part.text });
            });
          } else if (answer.status >= 500) {
            // The subgraph failed: each of them alone would have failed too.
            for (const member of unsettled()) settle(member).resolve(answer);
          } else {
            // Not a batch reply (a subgraph that takes none, a refusal of the whole): each query on its own.
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

  /** One member's query in a call of its own (after the batch's reply could not be cut). */
  private sendAlone(batch: Batch, member: Member): void {
    this.counts.calls++;
    this.onCall?.(1);
    Promise.resolve()
      .then(() => batch.send(member.payload, batch.cancel.signal))
      .then(
        (answer) => {
          if (!member.settled) settle(member).resolve(answer);
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
