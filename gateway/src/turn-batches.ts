import { joinedFailure, type SubgraphHttpAnswer } from "./subgraph-http-client";

/**
 * What the gateway's two kinds of cross-request batching share
 * (./entity-batches.ts, ./operation-batches.ts): callers with the same key
 * join one batch during an event-loop turn; the batch goes out on
 * `setImmediate`, after the I/O callbacks of the turn (a lone caller waits
 * for no timer, a loaded gateway collects what its turn produced). Each
 * caller waits on its own signal: one leaving does not fail the others, a
 * caller that left before the batch went out is not in it, and the call is
 * cancelled once every caller has left. How a batch is sent and its answer
 * split is the subclass's.
 *
 * No library does this for per-caller abort with a cancelled shared call (a
 * DataLoader batches within one request, with no abort), hence this file.
 */

/** One caller of a batch: what it brings, and how it is answered (once). */
export interface Caller<Item, Answer> {
  item: Item;
  settled: boolean;
  resolve: (answer: Answer) => void;
  reject: (error: unknown) => void;
}

export interface Batch<Item, Answer, Send> {
  callers: Caller<Item, Answer>[];
  /** The first caller's sender (the others' would send the same query with the same headers). */
  send: Send;
  /** Callers still waiting for an answer. */
  waiting: number;
  sent: boolean;
  /** Aborted once every caller has left: the call in flight is cut off. */
  cancel: AbortController;
}

/** Marks a caller answered (or failed) and returns it, so nothing settles it twice. */
function settle<Item, Answer>(caller: Caller<Item, Answer>): Caller<Item, Answer> {
  caller.settled = true;
  return caller;
}

/** The callers not yet answered (or gone). */
const unsettled = <Item, Answer>(callers: readonly Caller<Item, Answer>[]) =>
  callers.filter((caller) => !caller.settled);

/**
 * One failure of the subgraph for everyone in the call: the first caller sees
 * it as its own (the circuit breaker counts it once), the others as joined.
 */
function failAll<Item, Answer>(callers: readonly Caller<Item, Answer>[], error: unknown): void {
  unsettled(callers).forEach((caller, index) => {
    settle(caller).reject(index === 0 ? error : joinedFailure(error));
  });
}

/** Settles `caller` with what `call` gives (through a promise: a throw fails the caller, never the process). */
export function answerWith<Item, Answer>(caller: Caller<Item, Answer>, call: () => Promise<Answer>): void {
  Promise.resolve()
    .then(call)
    .then(
      (answer) => {
        if (!caller.settled) settle(caller).resolve(answer);
      },
      (error: unknown) => {
        if (!caller.settled) settle(caller).reject(error);
      },
    );
}

export abstract class TurnBatches<Item, Answer, Send> {
  private readonly open = new Map<string, Batch<Item, Answer, Send>>();

  /** Callers that joined and calls sent since start (for tests, metrics and the benchmark). */
  protected readonly tally = { joined: 0, calls: 0 };

  /** Whether `item` still fits into `batch`; when it does not, the batch goes now and the item starts the next. */
  protected abstract fits(batch: Batch<Item, Answer, Send>, item: Item): boolean;

  /** Sends the batch for these callers (those still waiting, at least one) and settles every one of them. */
  protected abstract dispatch(batch: Batch<Item, Answer, Send>, callers: Caller<Item, Answer>[]): void;

  /** Counts one call sent, carrying `callers` of them. */
  protected counted(callers: number): void {
    this.tally.calls++;
    this.onCall?.(callers);
  }

  /**
   * Sends one call for `callers` and settles each of them: its own part when
   * `split` can cut the answer; the whole answer when there is one caller or
   * the subgraph failed (a 5xx: alone, each would have had it too); else each
   * caller again in a call of its own (`alone`), so that each gets the answer
   * it would have had alone. A failure of the call fails every caller, counted
   * once for the circuit breaker.
   */
  protected answerFrom(
    callers: Caller<Item, Answer>[],
    call: () => Promise<SubgraphHttpAnswer>,
    answers: {
      split: (raw: SubgraphHttpAnswer) => Answer[] | undefined;
      whole: (raw: SubgraphHttpAnswer) => Answer;
      alone: (caller: Caller<Item, Answer>) => Promise<Answer>;
    },
  ): void {
    // Through a promise: a throw while sending or splitting fails these callers, never the process.
    Promise.resolve()
      .then(call)
      .then(
        (raw) => {
          const parts = answers.split(raw);
          if (parts) {
            callers.forEach((caller, index) => {
              if (!caller.settled) settle(caller).resolve(parts[index] as Answer);
            });
          } else if (callers.length === 1 || raw.status >= 500) {
            for (const caller of unsettled(callers)) settle(caller).resolve(answers.whole(raw));
          } else {
            for (const caller of unsettled(callers)) {
              this.counted(1);
              answerWith(caller, () => answers.alone(caller));
            }
          }
        },
        (error: unknown) => failAll(callers, error),
      )
      .catch((error: unknown) => {
        for (const caller of unsettled(callers)) settle(caller).reject(error);
      });
  }

  constructor(
    /** Told, per call sent, how many callers it carries (the batch-size metric). */
    private readonly onCall?: (callers: number) => void,
  ) {}

  /** This caller's answer from the batch of its key in this turn; `signal` ends this caller's wait only. */
  protected join(key: string, item: Item, send: Send, signal?: AbortSignal): Promise<Answer> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    this.tally.joined++;
    let batch = this.open.get(key);
    if (batch && !this.fits(batch, item)) {
      this.flush(key, batch);
      batch = undefined;
    }
    if (!batch) batch = this.start(key, send);
    const joined = batch;
    return new Promise<Answer>((resolve, reject) => {
      const caller: Caller<Item, Answer> = { item, settled: false, resolve, reject };
      joined.callers.push(caller);
      joined.waiting++;
      if (!signal) return;
      const onAbort = () => {
        if (caller.settled) return;
        caller.settled = true;
        reject(signal.reason);
        // The last caller left: nobody wants the answer (a batch not yet sent is then never sent,
        // and a caller later in this turn starts a new one rather than joining a cancelled call).
        if (--joined.waiting === 0) {
          if (this.open.get(key) === joined) this.open.delete(key);
          joined.sent = true;
          joined.cancel.abort(signal.reason);
        }
      };
      signal.addEventListener("abort", onAbort, { once: true });
      caller.resolve = (answer) => {
        signal.removeEventListener("abort", onAbort);
        resolve(answer);
      };
      caller.reject = (error) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      };
    });
  }

  private start(key: string, send: Send): Batch<Item, Answer, Send> {
    const batch: Batch<Item, Answer, Send> = {
      callers: [],
      send,
      waiting: 0,
      sent: false,
      cancel: new AbortController(),
    };
    this.open.set(key, batch);
    setImmediate(() => this.flush(key, batch));
    return batch;
  }

  private flush(key: string, batch: Batch<Item, Answer, Send>): void {
    if (this.open.get(key) === batch) this.open.delete(key);
    if (batch.sent) return;
    batch.sent = true;
    // Who left before the call went out is not in it.
    const callers = unsettled(batch.callers);
    if (callers.length === 0) return;
    this.counted(callers.length);
    try {
      this.dispatch(batch, callers);
    } catch (error) {
      for (const caller of unsettled(callers)) settle(caller).reject(error);
    }
  }

  /** Batches collecting now (not yet sent). */
  get size() {
    return this.open.size;
  }
}
