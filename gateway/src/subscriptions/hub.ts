import { compareCursors } from "@emshop/common/events/stock-event";
import type { GraphQLError } from "graphql";
import { feedUnavailable } from "./errors";
import type { LiveStockEvent } from "./live-event";

/** One subscription as the hub sees it. */
export interface HubListener {
  deliver(event: LiveStockEvent): void;
  /** The live stream can no longer promise continuity: the subscription ends with this error. */
  interrupt(error: GraphQLError): void;
}

/** Where live events come from (JetStream or the feed poller); it calls back into the hub. */
export interface LiveSource {
  stop(): Promise<void>;
}

/** What a source reports to the hub. */
export interface HubSink {
  /** The source has its place in the feed: from now on every later change reaches `publish`. */
  goLive(): void;
  publish(event: LiveStockEvent): void;
  interrupt(error: GraphQLError): void;
}

/** How long a first subscriber waits for the source to find its place (connect, read the head). */
const LIVE_TIMEOUT_MS = 5000;

/**
 * The fan-out of one gateway process: one source of live events, shared by
 * every subscriber (each filters for itself). The source starts with the first
 * subscription, so a gateway nobody subscribes to never polls or connects.
 * Events go on in feed order, each once: one older than or equal to the last
 * passed on (a relay that published again after a crash) is dropped.
 */
export class StockEventHub implements HubSink {
  private readonly listeners = new Set<HubListener>();
  private last: string | undefined;
  private source: LiveSource | undefined;
  private live = false;
  private wakeLive: (() => void)[] = [];
  private stopped = false;

  constructor(private readonly startSource: (sink: HubSink) => LiveSource) {}

  get subscribers() {
    return this.listeners.size;
  }

  /**
   * Registers a subscription once the source is live (starting it if need be);
   * returns how to unregister it. SUBGRAPH_UNAVAILABLE when the source does not
   * go live in time: a subscriber is never told "live" while changes could slip by.
   */
  async listen(listener: HubListener): Promise<() => void> {
    if (this.stopped) throw feedUnavailable(new Error("the gateway is stopping"));
    this.source ??= this.startSource(this);
    if (!this.live) await this.whenLive();
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private whenLive(): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.wakeLive = this.wakeLive.filter((wake) => wake !== done);
        reject(feedUnavailable(new Error(`the live source was not up within ${LIVE_TIMEOUT_MS} ms`)));
      }, LIVE_TIMEOUT_MS);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.wakeLive.push(done);
    });
  }

  goLive() {
    this.live = true;
    for (const wake of this.wakeLive.splice(0)) wake();
  }

  publish(event: LiveStockEvent) {
    if (this.last !== undefined && compareCursors(event.cursor, this.last) <= 0) return;
    this.last = event.cursor;
    for (const listener of this.listeners) listener.deliver(event);
  }

  interrupt(error: GraphQLError) {
    for (const listener of [...this.listeners]) listener.interrupt(error);
    this.listeners.clear();
  }

  /** Stops the source (the transports have ended every subscription before). */
  async stop() {
    this.stopped = true;
    const source = this.source;
    this.source = undefined;
    this.live = false;
    await source?.stop();
  }
}
