import { BrokenCircuitError, CircuitState, ConsecutiveBreaker, circuitBreaker, handleWhen } from "cockatiel";

export interface CircuitOptions {
  /** Consecutive failures (transport errors, timeouts, 5xx without GraphQL) that open the circuit. */
  failureThreshold: number;
  /** How long an open circuit fails fast before one request is let through as a probe. */
  cooldownMs: number;
}

export const DEFAULT_CIRCUIT: CircuitOptions = { failureThreshold: 5, cooldownMs: 5000 };

/** "closed": calls go through; "open": they fail fast; "half-open": one probe is in flight, the rest fail fast. */
export type CircuitStateName = "closed" | "open" | "half-open";

/** Thrown instead of calling the subgraph while its circuit is open (or its probe is in flight). */
export class CircuitOpenError extends Error {
  constructor(readonly serviceName: string) {
    super(`circuit open for subgraph "${serviceName}"`);
  }
}

/** Marks an error the breaker counts; unwrapped again before the caller sees it. */
class CountedFailure extends Error {
  constructor(readonly original: unknown) {
    super("counted failure");
  }
}

/**
 * Decides whether a failed call counts against the subgraph. `probe` is true
 * for the one call let through after the cool-down: it must show that the
 * subgraph answers, so the caller should count any kind of unavailability then.
 */
export type FailureClassifier = (error: unknown, probe: boolean) => boolean;

/**
 * One subgraph's circuit breaker, shared by every request to it: cockatiel's
 * CircuitBreakerPolicy with a ConsecutiveBreaker, plus two things it does not
 * do by itself:
 *
 * - while half-open, cockatiel makes every other caller wait for the probe
 *   (up to a whole timeout when the subgraph is frozen); here they fail fast,
 *   so an open circuit never costs a shopper the timeout except the prober;
 * - a failure that arrives after the circuit already left "closed" (a straggler
 *   from before it opened) is not counted: it says nothing new and would
 *   otherwise re-open a half-open circuit behind the probe's back.
 */
export class SubgraphCircuit {
  private readonly breaker: ConsecutiveBreaker;
  private readonly policy;
  private changedAt = Date.now();

  constructor(
    readonly serviceName: string,
    readonly options: CircuitOptions = DEFAULT_CIRCUIT,
    onChange?: (state: CircuitStateName, serviceName: string) => void,
  ) {
    this.breaker = new ConsecutiveBreaker(options.failureThreshold);
    this.policy = circuitBreaker(
      handleWhen((error) => error instanceof CountedFailure),
      { halfOpenAfter: options.cooldownMs, breaker: this.breaker },
    );
    this.policy.onStateChange(() => {
      this.changedAt = Date.now();
      onChange?.(this.state, serviceName);
    });
  }

  get state(): CircuitStateName {
    switch (this.policy.state) {
      case CircuitState.Closed:
        return "closed";
      case CircuitState.HalfOpen:
        return "half-open";
      default:
        return "open";
    }
  }

  /** When the circuit last changed state (start-up for one that never did). */
  get since(): Date {
    return new Date(this.changedAt);
  }

  /** Failures in a row so far (0 after any success). */
  get consecutiveFailures(): number {
    return this.breaker.state;
  }

  /**
   * Runs `call` unless the circuit is open, in which case CircuitOpenError is
   * thrown at once and nothing is sent. Errors `counts` accepts are counted;
   * all errors reach the caller unchanged.
   */
  async run<T>(call: () => Promise<T>, counts: FailureClassifier): Promise<T> {
    const before = this.policy.state;
    if (before === CircuitState.HalfOpen || before === CircuitState.Isolated)
      throw new CircuitOpenError(this.serviceName);
    // Open when called and not refused below: the cool-down is over and this call is the probe.
    const probe = before === CircuitState.Open;
    try {
      return await this.policy.execute(async () => {
        try {
          return await call();
        } catch (error) {
          const stillClosed = this.policy.state === CircuitState.Closed;
          throw (probe || stillClosed) && counts(error, probe) ? new CountedFailure(error) : error;
        }
      });
    } catch (error) {
      if (error instanceof BrokenCircuitError) throw new CircuitOpenError(this.serviceName);
      throw error instanceof CountedFailure ? error.original : error;
    }
  }
}

/** The breakers of all subgraphs, one per name, created on first use and shared by the data sources and readiness. */
export class SubgraphCircuits {
  private readonly circuits = new Map<string, SubgraphCircuit>();
  readonly options: CircuitOptions;

  constructor(
    options: Partial<CircuitOptions> = {},
    private readonly onChange?: (state: CircuitStateName, serviceName: string) => void,
  ) {
    this.options = { ...DEFAULT_CIRCUIT, ...options };
  }

  for(serviceName: string): SubgraphCircuit {
    let circuit = this.circuits.get(serviceName);
    if (!circuit) {
      circuit = new SubgraphCircuit(serviceName, this.options, this.onChange);
      this.circuits.set(serviceName, circuit);
    }
    return circuit;
  }
}
