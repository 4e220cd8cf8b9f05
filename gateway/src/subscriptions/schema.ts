import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { buildSchema, type GraphQLSchema } from "graphql";
import { type StockChangedDeps, stockChangedField } from "./stock-changed";

/**
 * The SDL, next to this module in the sources (tsx, tests). The bundle
 * (gateway/dist/index.js) has no copy of its own: from there it is read from
 * the sources, which a release ships (deploy/systemd/README.md, step 3).
 */
const candidates = [
  new URL("./schema.graphql", import.meta.url),
  new URL("../src/subscriptions/schema.graphql", import.meta.url),
];

export const subscriptionSchemaPath = fileURLToPath(
  candidates.find((candidate) => existsSync(fileURLToPath(candidate))) ?? (candidates[0] as URL),
);

/** The subscription schema with its resolvers (the SDL's other types resolve by field name). */
export function subscriptionSchema(
  deps: StockChangedDeps,
  sdl = readFileSync(subscriptionSchemaPath, "utf8"),
): GraphQLSchema {
  const schema = buildSchema(sdl);
  const field = schema.getSubscriptionType()?.getFields().stockChanged;
  if (!field) throw new Error(`${subscriptionSchemaPath}: Subscription.stockChanged is missing`);
  const { subscribe, resolve } = stockChangedField(deps);
  field.subscribe = subscribe as NonNullable<typeof field.subscribe>;
  field.resolve = resolve as NonNullable<typeof field.resolve>;
  return schema;
}
