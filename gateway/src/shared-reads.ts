/**
 * Identical subgraph reads in flight at the same time share one call. A
 * storefront's traffic repeats itself: in `npm run bench`'s catalog mix 18% of
 * the requests equal one of the 49 sent just before them, so the same goods
 * page, and the same stocks of it, are being fetched twice at once. The second
 * caller waits for the first call's answer instead of sending its own.
 *
 * What is shared is the raw answer (status, type, text): every caller parses
 * it into its own objects, because @apollo/gateway merges fetched data into
 * each request's result in place. Only queries are shared (a mutation is never
 * sent once for two callers), and only between callers with the same
 * credentials: the key holds the authorization header, so one shopper's token
 * never answers another's request. One caller leaving must not fail the
 * others: each caller stops waiting when its own client leaves, and the call
 * itself is cancelled (the subgraph stops working on it) once all have left.
 *
 * No library does this for an arbitrary promise with per-caller abort (a
 * DataLoader batches within one request, not across requests).
 */
import { joinedFailure } from "./subgraph-http-client";

interface Call<Answer> {
  answer: Promise<Answer>;
  /** Callers still waiting; when the last one leaves, the call is cancelled. */
  waiting: number;
  cancel: AbortController;
}

export class SharedReads<Answer> {
  private readonly inFlight = new Map<string, Call<Answer>>();

  /** Calls made and calls saved since start (for metrics and tests). */
  readonly counts = { sent: 0, shared: 0 };

  /**
   * `send()`'s answer, or that of an identical call already in flight.
   * `signal` ends this caller's wait only; `send` gets a signal that aborts
   * once every caller of the call has left (nobody wants the answer any more).
   */
  run(key: string, send: (signal: AbortSignal) => Promise<Answer>, signal?: AbortSignal): Promise<Answer> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    let call = this.inFlight.get(key);
    // Whoever joins a call in flight sees its failure marked as joined (counted once, for the sender).
    const sender = !call;
    if (call) {
      this.counts.shared++;
    } else {
      this.counts.sent++;
      const cancel = new AbortController();
      const created: Call<Answer> = { answer: send(cancel.signal), waiting: 0, cancel };
      this.inFlight.set(key, created);
      const forget = () => {
        if (this.inFlight.get(key) === created) this.inFlight.delete(key);
      };
      created.answer.then(forget, forget);
      call = created;
    }
    call.waiting++;
    const joined = call;
    return new Promise<Answer>((resolve, reject) => {
      const onAbort = () => {
        reject(signal?.reason);
        if (--joined.waiting === 0) {
          // The last caller left: a later identical query must not join a call being cancelled.
          if (this.inFlight.get(key) === joined) this.inFlight.delete(key);
          joined.cancel.abort(signal?.reason);
        }
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      joined.answer.then(
        (value) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(value);
        },
        (error: unknown) => {
          signal?.removeEventListener("abort", onAbort);
          reject(sender ? error : joinedFailure(error));
        },
      );
    });
  }

  /** Calls in flight now. */
  get size() {
    return this.inFlight.size;
  }
}
