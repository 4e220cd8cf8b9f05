/** One HTTP request a client library sent, and what came back. */
export interface SentRequest {
  method: string;
  url: URL;
  headers: Headers;
  /** The body as sent (undefined for GET). */
  body?: string;
  status?: number;
  responseType?: string | null;
  responseHeaders?: Headers;
  /** The answer's raw text, before the client parsed it. */
  responseText?: string;
}

/** The GraphQL request parameters of a recorded request, from its JSON body or its query string (GET). */
export function paramsOf(request: SentRequest): { query?: string; extensions?: unknown; operationName?: string } {
  if (request.method === "GET") {
    const get = (name: string) => request.url.searchParams.get(name) ?? undefined;
    const extensions = get("extensions");
    return {
      query: get("query"),
      operationName: get("operationName"),
      extensions: extensions ? JSON.parse(extensions) : undefined,
    };
  }
  return request.body ? JSON.parse(request.body) : {};
}

/**
 * A `fetch` for client libraries that records every request (method, URL,
 * headers, body) and its answer, and passes both through unchanged: the tests
 * count round trips and check what went over the wire.
 */
export function recordingFetch() {
  const requests: SentRequest[] = [];
  const recorder: typeof fetch = async (input, init) => {
    const request = input instanceof Request ? input : undefined;
    const sent: SentRequest = {
      method: (init?.method ?? request?.method ?? "GET").toUpperCase(),
      url: new URL(request ? request.url : String(input)),
      headers: new Headers(init?.headers ?? request?.headers),
    };
    if (typeof init?.body === "string") sent.body = init.body;
    else if (request && sent.method !== "GET") sent.body = await request.clone().text();
    requests.push(sent);
    const response = await fetch(input, init);
    sent.status = response.status;
    sent.responseType = response.headers.get("content-type");
    sent.responseHeaders = response.headers;
    sent.responseText = await response.clone().text();
    return response;
  };
  return {
    fetch: recorder,
    requests,
    clear() {
      requests.length = 0;
    },
  };
}
