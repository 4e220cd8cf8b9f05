import { isDeepStrictEqual } from "node:util";
import { postGraphql } from "./http";
import type { Target } from "./targets";
import type { Workload } from "./workload";

/**
 * Before anything is measured, every target must give the right answers: a
 * fast error is not a fast gateway. For a sample of the sequence's requests,
 * each gateway's `data` must have no errors, non-null `stocks` and
 * `stockStatus` everywhere, equal the other gateways' data, and, without the
 * inventory fields, equal what the goods subgraph answers directly.
 */

const SAMPLE = 40;

type Json = unknown;

/** The answer without the fields the inventory subgraph adds. */
function withoutStock(value: Json): Json {
  if (Array.isArray(value)) return value.map(withoutStock);
  if (value && typeof value === "object")
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => key !== "stocks" && key !== "stockStatus")
        .map(([key, inner]) => [key, withoutStock(inner)]),
    );
  return value;
}

/** Where a goods object lacks its stock fields, as a path, or undefined when all are there. */
function missingStock(data: Json): string | undefined {
  const goods: Record<string, unknown>[] = [];
  const answer = data as { goodsList?: { items: Record<string, unknown>[] }; goods?: Record<string, unknown> | null };
  if (answer.goodsList) {
    if (answer.goodsList.items.length === 0) return "goodsList.items is empty";
    goods.push(...answer.goodsList.items);
  } else if (answer.goods) goods.push(answer.goods);
  else return "neither goodsList nor goods in the answer";
  const bad = goods.find((item) => item.stocks == null || item.stockStatus == null);
  return bad
    ? `goods ${String(bad.id)} has stocks=${String(bad.stocks)} stockStatus=${String(bad.stockStatus)}`
    : undefined;
}

const excerpt = (value: Json) => JSON.stringify(value).slice(0, 400);

/** Indexes of the sample: spread over the sequence, list and detail requests both included. */
function sampleIndexes(workload: Workload): number[] {
  const step = Math.max(1, Math.floor(workload.requests.length / SAMPLE));
  const indexes = Array.from({ length: Math.min(SAMPLE, workload.requests.length) }, (_, i) => i * step);
  const firstDetail = workload.requests.findIndex((request) => request.kind === "detail");
  if (firstDetail >= 0 && !indexes.includes(firstDetail)) indexes.push(firstDetail);
  return indexes;
}

/** Throws, naming the target, request and difference, unless every target answers the sample correctly. */
export async function checkAnswers(targets: Target[], workload: Workload): Promise<number> {
  const indexes = sampleIndexes(workload);
  for (const index of indexes) {
    let reference: { target: Target; data: Json } | undefined;
    for (const target of targets) {
      const body = (target.withStocks ? workload.bodies.gateway : workload.bodies.direct)[index] ?? "";
      const answer = await postGraphql(target.url, body);
      const where = `${target.key} (${target.name}), request #${index} ${body.slice(0, 160)}…`;
      if (answer.status !== 200 || answer.errors?.length || !answer.data)
        throw new Error(`${where}: HTTP ${answer.status}, answer ${excerpt(answer)}`);
      const expected = workload.requests[index];
      if (expected?.kind === "detail" && !(answer.data as { goods?: unknown }).goods)
        throw new Error(`${where}: goods(id: ${expected.id}) is null`);
      if (target.withStocks) {
        const missing = missingStock(answer.data);
        if (missing) throw new Error(`${where}: ${missing}`);
      }
      if (!reference) reference = { target, data: answer.data };
      else {
        const same =
          target.withStocks && reference.target.withStocks
            ? isDeepStrictEqual(answer.data, reference.data)
            : isDeepStrictEqual(withoutStock(answer.data), withoutStock(reference.data));
        if (!same)
          throw new Error(
            `${where}: answer differs from ${reference.target.key}'s:\n  ${reference.target.key}: ${excerpt(reference.data)}\n  ${target.key}: ${excerpt(answer.data)}`,
          );
      }
    }
  }
  return indexes.length;
}
