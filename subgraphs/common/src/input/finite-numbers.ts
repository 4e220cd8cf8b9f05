import { GraphQLError, type ValidationRule } from "graphql";

/**
 * graphql-js parses a Float literal such as `1e400` to Infinity without
 * complaint (its parseLiteral has no finiteness check, unlike parseValue for
 * variables). Infinity then fails later, inside @apollo/gateway's planner or
 * a resolver, as a 500 or a driver error; this rule refuses it up front as the
 * client's validation error.
 */
export const FiniteNumberLiterals: ValidationRule = (context) => ({
  FloatValue(node) {
    if (!Number.isFinite(Number.parseFloat(node.value)))
      context.reportError(
        new GraphQLError(`the number literal ${node.value.slice(0, 40)} is out of range (not a finite Float)`, {
          nodes: node,
        }),
      );
  },
});
