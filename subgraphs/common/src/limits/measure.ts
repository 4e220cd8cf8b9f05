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
export const LIST_FACTOR = 20;
/** Arguments that bound a list's length. */
const PAGE_ARGUMENTS = ["pageSize", "first", "limit"];

export interface OperationSize {
  depth: number;
  aliases: number;
  directives: number;
  /** Estimated number of fields in the answer. */
  cost: number;
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
) {
  if (field.name.value === "_entities") {
    const representations = field.arguments?.find((argument) => argument.name.value === "representations");
    if (representations?.value.kind === Kind.LIST) return Math.max(1, representations.value.values.length);
    const value =
      representations?.value.kind === Kind.VARIABLE ? variables[representations.value.name.value] : undefined;
    return Array.isArray(value) ? Math.max(1, value.length) : LIST_FACTOR;
  }
  for (const name of PAGE_ARGUMENTS) {
    const argument = definition?.args.find((arg) => arg.name === name);
    if (!argument) continue;
    const given = numberOf(field.arguments?.find((arg) => arg.name.value === name)?.value, variables);
    const size = given ?? (typeof argument.defaultValue === "number" ? argument.defaultValue : LIST_FACTOR);
    return Math.max(1, size);
  }
  return definition && isListType(getNullableType(definition.type)) ? LIST_FACTOR : 1;
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
  visit(document, {
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

  const walk = (selections: SelectionSetNode, type: GraphQLNamedType | undefined, seen: Set<string>): Size => {
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
        const child = selection.selectionSet
          ? walk(selection.selectionSet, definition ? getNamedType(definition.type) : undefined, seen)
          : { cost: 0, depth: 0, aliases: 0 };
        size.cost += 1;
        if (selection.alias) size.aliases++;
        add(child, multiplier(selection, definition, variables), 1);
        size.depth = Math.max(size.depth, 1);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const on = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : type;
        add(walk(selection.selectionSet, on ?? undefined, seen));
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment || seen.has(name)) continue; // cycles are refused by validation anyway
        let inner = measured.get(name);
        if (!inner) {
          inner = walk(
            fragment.selectionSet,
            schema.getType(fragment.typeCondition.name.value) ?? undefined,
            new Set([...seen, name]),
          );
          measured.set(name, inner);
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
  const { cost, depth, aliases } = walk(operation.selectionSet, root ?? undefined, new Set());
  return { depth, aliases, directives, cost };
}
