import type { ApolloServerPlugin, BaseContext } from "@apollo/server";
import Negotiator from "negotiator";

const JSON_TYPE = "application/json; charset=utf-8";
const GRAPHQL_RESPONSE_TYPE = "application/graphql-response+json; charset=utf-8";

/** The media type a single-result answer is sent as, the way Apollo Server chooses it (no Accept: JSON). */
export function responseMediaType(accept: string | undefined): string | undefined {
  if (!accept) return JSON_TYPE;
  return new Negotiator({ headers: { accept } }).mediaType([JSON_TYPE, GRAPHQL_RESPONSE_TYPE]) ?? undefined;
}

/**
 * The status of a request error (parse or validation failure, a refused
 * limit, bad variables: an answer without `data`) as the GraphQL-over-HTTP
 * spec asks. With `application/json` the server SHOULD answer 200 for any
 * well-formed GraphQL-over-HTTP request, because intermediaries may replace
 * a 4xx body; with `application/graphql-response+json` the status carries
 * the meaning: 400. Apollo Server answers 400 in both cases. Requests that
 * are not well-formed (bad JSON, no query, wrong method: `BAD_REQUEST`) keep
 * their 4xx.
 */
export function graphqlOverHttpStatus<Context extends BaseContext>(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ request, response }) {
          if (response.body.kind !== "single") return;
          const result = response.body.singleResult;
          if (result.data !== undefined || !result.errors?.length || response.http.status !== 400) return;
          // A request that is not well-formed GraphQL over HTTP (no query, a query that is not a string)
          // keeps its 400 whatever the client accepts.
          if (result.errors.some((error) => error.extensions?.code === "BAD_REQUEST")) return;
          const type = responseMediaType(request.http?.headers.get("accept"));
          if (type !== JSON_TYPE) return;
          response.http.headers.set("content-type", type);
          response.http.status = 200;
        },
      };
    },
  };
}
