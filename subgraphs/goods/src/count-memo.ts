/**
 * Goods counts (`total`, `totalUpTo`) remembered per filter, in this process.
 *
 * A count is the costly half of a catalog page at scale: a keyword's trigram
 * bitmap is built in full before the first row, 10–45 ms at a million goods
 * (README, "Catalog at scale"), and a storefront asks the same popular
 * searches over and over. The answer only changes when goods (or the category
 * tree, for category filters) change, and every such write notifies
 * `catalog_changed` (migrations/goods/0004 and 0006): the owner clears this
 * memo on each notification, in every replica, and on its own writes at once.
 *
 * What is kept is the promise, from the moment the count is started, so
 * concurrent identical pages share one statement; `clear()` drops it, so a
 * count started before a write is never served after the write's
 * notification. A failed count is not kept. Entries also expire after
 * `ttlMs`: with read replicas a count is read a moment behind the primary, and
 * one computed just before a replica replayed a write would otherwise outlive
 * that write's notification (the bound is documented in the README).
 *
 * Bounded by entries (oldest first out; a Map keeps insertion order, and a
 * hit moves its entry to the end). A hand-written map rather than an LRU
 * library: the clear-on-notify and keep-the-promise rules are the point, and
 * they are these few lines.
 */
export interface CountMemoOptions {
  /** Most filters remembered; 0 turns the memo off. */
  maxEntries: number;
  /** How long a count is served, at most. */
  ttlMs: number;
}

interface Entry {
  count: Promise<number>;
  expires: number;
}

export class CountMemo {
  readonly #entries = new Map<string, Entry>();
  #hits = 0;
  #misses = 0;

  constructor(
    private readonly options: CountMemoOptions,
    private readonly now: () => number = Date.now,
  ) {}

  /** The remembered count for `key`, or `compute()`'s, remembered. */
  get(key: string, compute: () => Promise<number>): Promise<number> {
    const found = this.#entries.get(key);
    const now = this.now();
    if (found && found.expires > now) {
      this.#hits++;
      this.#entries.delete(key);
      this.#entries.set(key, found);
      return found.count;
    }
    this.#misses++;
    const count = compute();
    if (this.options.maxEntries <= 0) return count;
    const entry = { count, expires: now + this.options.ttlMs };
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    while (this.#entries.size > this.options.maxEntries) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
    count.catch(() => {
      if (this.#entries.get(key) === entry) this.#entries.delete(key);
    });
    return count;
  }

  /** Forgets every count (goods or categories changed). */
  clear() {
    this.#entries.clear();
  }

  /** Counts remembered now, and answers from memory / from the database so far (metrics and tests). */
  get stats() {
    return { entries: this.#entries.size, hits: this.#hits, misses: this.#misses };
  }
}
