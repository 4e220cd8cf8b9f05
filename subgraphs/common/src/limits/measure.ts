import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  getNamedType,
  getNullableType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
  visit,
} from "graphql";

/** What an unpaged list is assumed to hold (children of a category, its brands, …). */
export const LIST_FACTOR = 10;
/** Arguments that bound a list's length. */
const PAGE_ARGUMENTS = ["pageSize", "first", "limit"];

export interface OperationSize {
  depth: number;
  aliases: number;
  directives: number;
  /** Estimated number of fields in the answer. */
  cost: number;
  /** The most representations one `_entities` field asks for (0 without one). */
  entities: number;
  /** Fields the operation selects at its root (fragments expanded): for a mutation, its writes. */
  rootFields: number;
}

/** How many representations an `_entities` field names, as a list literal or through a variable. */
function representationsOf(field: FieldNode, variables: Record<string, unknown>): number {
  const argument = field.arguments?.find((arg) => arg.name.value === "representations")?.value;
  if (argument?.kind === Kind.LIST) return argument.values.length;
  const value = argument?.kind === Kind.VARIABLE ? variables[argument.name.value] : undefined;
  return Array.isArray(value) ? value.length : 0;
}

function numberOf(node: ValueNode | undefined, variables: Record<string, unknown>): number | undefined {
  if (!node) return undefined;
  if (node.kind === Kind.INT) return Number(node.value);
  if (node.kind === Kind.VARIABLE) {
    const value = variables[node.name.value];
    return typeof value === "number" ? value : undefined;
  }
  return undefined;
}

/**
 * How many times a field's selection is answered: its page size for a paged
 * list, the representations for `_entities`, LIST_FACTOR for other lists, else 1.
 * A page size beyond what the resolver allows still counts as asked: the
 * estimate must not trust a limit enforced later.
 */
function multiplier(
  field: FieldNode,
  definition: GraphQLField<unknown, unknown> | undefined,
  variables: Record<string, unknown>,
  pageFromParent: number | undefined,
): { times: number; page: number | undefined } {
  if (field.name.value === "_entities")
    return { times: Math.max(1, representationsOf(field, variables) || LIST_FACTOR), page: undefined };
  const isList = definition ? isListType(getNullableType(definition.type)) : false;
  for (const name of PAGE_ARGUMENTS) {
    const argument = definition?.args.find((arg) => arg.name === name);
    if (!argument) continue;
    const given = numberOf(field.arguments?.find((arg) => arg.name.value === name)?.value, variables);
    const size = Math.max(
      1,
      given ?? (typeof argument.defaultValue === "number" ? argument.defaultValue : LIST_FACTOR),
    );
    // A paged list repeats its selection; a page object (items, total, …) hands the size to its list.
    return isList ? { times: size, page: undefined } : { times: 1, page: size };
  }
  if (isList) return { times: pageFromParent ?? LIST_FACTOR, page: undefined };
  return { times: 1, page: undefined };
}

/**
 * Root fields, through inline fragments and fragment spreads (a fragment counts
 * wherever it is spread, memoised so nested spreads stay linear; validation has
 * already refused fragment cycles).
 */
function countRootFields(
  selections: SelectionSetNode,
  fragments: Map<string, FragmentDefinitionNode>,
  memo = new Map<string, number>(),
): number {
  let count = 0;
  for (const selection of selections.selections) {
    if (selection.kind === Kind.FIELD) count++;
    else if (selection.kind === Kind.INLINE_FRAGMENT) count += countRootFields(selection.selectionSet, fragments, memo);
    else {
      const name = selection.name.value;
      const fragment = fragments.get(name);
      if (!fragment || memo.get(name) === -1) continue;
      if (!memo.has(name)) {
        memo.set(name, -1); // in progress: a cycle (already refused by validation) counts nothing
        memo.set(name, countRootFields(fragment.selectionSet, fragments, memo));
      }
      count += memo.get(name) ?? 0;
    }
  }
  return count;
}

/**
 * Measures an operation before it runs: nesting depth, aliases, directives
 * and an estimate of the answer's size (each field counts 1, times how often
 * its parent list repeats it). Fragments are expanded where they are spread,
 * so a fragment cannot hide a fan-out. Hand-written because the libraries at
 * hand (graphql-armor's cost limit, depth limits) do not weight lists by their
 * page size, which is what tells `goodsList(pageSize: 100)` from a cheap query.
 */
export function measureOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> = {},
  stopAtCost = Number.POSITIVE_INFINITY,
): OperationSize {
  const fragments = new Map<string, FragmentDefinitionNode>();
  let directives = 0;
  let entities = 0;
  visit(document, {
    Field: (node) => {
      if (node.name.value === "_entities") entities = Math.max(entities, representationsOf(node, variables));
    },
    FragmentDefinition: (node) => {
      fragments.set(node.name.value, node);
    },
    Directive: () => {
      directives++;
    },
  });
  type Size = { cost: number; depth: number; aliases: number };
  // A fragment is measured once and reused wherever it is spread: fragments
  // spreading fragments twice over would otherwise take exponential time.
  const measured = new Map<string, Size>();

  const walk = (
    selections: SelectionSetNode,
    type: GraphQLNamedType | undefined,
    seen: Set<string>,
    page: number | undefined,
  ): Size => {
    const size: Size = { cost: 0, depth: 0, aliases: 0 };
    const add = (inner: Size, times = 1, extraDepth = 0) => {
      size.cost += times * inner.cost;
      size.depth = Math.max(size.depth, inner.depth + extraDepth);
      size.aliases += inner.aliases;
    };
    for (const selection of selections.selections) {
      if (size.cost > stopAtCost) break; // already over: no need to explore a bomb to its end
      if (selection.kind === Kind.FIELD) {
        const definition =
          type && (isObjectType(type) || isInterfaceType(type)) ? type.getFields()[selection.name.value] : undefined;
        const { times, page: inner } = multiplier(selection, definition, variables, page);
        const child = selection.selectionSet
          ? walk(selection.selectionSet, definition ? getNamedType(definition.type) : undefined, seen, inner)
          : { cost: 0, depth: 0, aliases: 0 };
        size.cost += 1;
        if (selection.alias) size.aliases++;
        add(child, times, 1);
        size.depth = Math.max(size.depth, 1);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const on = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : type;
        add(walk(selection.selectionSet, on ?? undefined, seen, page));
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment || seen.has(name)) continue; // cycles are refused by validation anyway
        const key = `${name}:${page ?? ""}`;
        let inner = measured.get(key);
        if (!inner) {
          inner = walk(
            fragment.selectionSet,
            schema.getType(fragment.typeCondition.name.value) ?? undefined,
            new Set([...seen, name]),
            page,
          );
          measured.set(key, inner);
        }
        add(inner);
      }
    }
    return size;
  };

  const root =
    operation.operation === "mutation"
      ? schema.getMutationType()
      : operation.operation === "subscription"
        ? schema.getSubscriptionType()
        : schema.getQueryType();
  const { cost, depth, aliases } = walk(operation.selectionSet, root ?? undefined, new Set(), undefined);
  return { depth, aliases, directives, cost, entities, rootFields: countRootFields(operation.selectionSet, fragments) };
}
