import type { GraphQLFormattedError } from "graphql";
import { token } from "./tokens";

export interface GraphQLResponse<Data = Record<string, unknown>> {
  status: number;
  data?: Data | null;
  errors?: GraphQLFormattedError[];
}

/**
 * POSTs one operation over HTTP. The caller is an admin ("test-admin") unless
 * `headers.authorization` says otherwise (`anonymousHeaders` from ./tokens for a
 * shopper): most tests exercise what admins and the order service do.
 */
// biome-ignore lint/suspicious/noExplicitAny: tests assert the response field by field; a loose default keeps them short.
export async function gql<Data = Record<string, any>>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<Data>> {
  const sent: Record<string, string> = { "content-type": "application/json", ...headers };
  if (!("authorization" in headers)) sent.authorization = `Bearer ${await token()}`;
  if (!sent.authorization) delete sent.authorization; // "" means: send none
  const response = await fetch(url, {
    method: "POST",
    headers: sent,
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as Omit<GraphQLResponse<Data>, "status">;
  return { status: response.status, ...body };
}

/** The `extensions.code` of every error, for compact assertions. */
export const errorCodes = (response: GraphQLResponse<unknown>) =>
  (response.errors ?? []).map((error) => error.extensions?.code);
