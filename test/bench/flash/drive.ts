import { percentile } from "../catalog-scale/measure";
import { type SellAnswer, type Seller, type SellRequest, SOLD } from "./answers";
import type { PlannedSell } from "./plan";

/**
 * Runs the plan from `clients` concurrent clients (closed loop: each sends its
 * next call when it has its answer), in plan order. A repeat that waits for
 * its order's first answer holds its client meanwhile, as an order service
 * retrying a call would.
 */
export async function runPlan(plan: readonly PlannedSell[], clients: number, sell: Seller) {
  const firstAnswers = new Map<string, Promise<SellAnswer>>();
  const answers: { planned: PlannedSell; answer: SellAnswer }[] = [];
  let cursor = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (cursor < plan.length) {
        const planned = plan[cursor++] as PlannedSell;
        const { orderSn } = planned.request;
        let answer: Promise<SellAnswer>;
        if (planned.kind === "first") {
          // Registered before any await: a repeat taken right after finds it.
          answer = sell(planned.request);
          firstAnswers.set(orderSn, answer);
        } else {
          if (planned.kind === "conflict" || planned.afterFirstAnswer) await firstAnswers.get(orderSn);
          answer = sell(planned.request);
        }
        answers.push({ planned, answer: await answer });
      }
    }),
  );
  return { answers, elapsedS: (performance.now() - started) / 1000 };
}

export interface DriveFigures {
  sold: number;
  /** Answers other than SOLD (stock never runs out here: each one is a failure). */
  refused: number;
  /** How many of each code other than SOLD, with a sample message. */
  refusals: Record<string, { count: number; message?: string }>;
  elapsedS: number;
  sellsPerSec: number;
  refusedPerSec: number;
  p50Ms: number;
  p99Ms: number;
}

/** Latency percentiles of answers, in ms. */
export function latencyOf(answers: readonly SellAnswer[]) {
  const sorted = answers.map((answer) => answer.ms).sort((a, b) => a - b);
  return { p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99) };
}

/** `clients` closed loops sending `next()` for `seconds`; every answer should be SOLD. */
export async function driveFor(seconds: number, clients: number, sell: Seller, next: () => SellRequest) {
  const answers: SellAnswer[] = [];
  const started = performance.now();
  const stopAt = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < stopAt) answers.push(await sell(next()));
    }),
  );
  const elapsedS = (performance.now() - started) / 1000;
  const refusals: DriveFigures["refusals"] = {};
  let sold = 0;
  for (const answer of answers) {
    if (answer.code === SOLD) {
      sold++;
      continue;
    }
    const seen = refusals[answer.code] ?? { count: 0, ...(answer.message ? { message: answer.message } : {}) };
    seen.count++;
    refusals[answer.code] = seen;
  }
  const refused = answers.length - sold;
  return {
    sold,
    refused,
    refusals,
    elapsedS,
    sellsPerSec: sold / elapsedS,
    refusedPerSec: refused / elapsedS,
    ...latencyOf(answers),
  } satisfies DriveFigures;
}
