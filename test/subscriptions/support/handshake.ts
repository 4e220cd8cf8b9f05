import WebSocket from "ws";

/** How a WebSocket handshake ended: opened (101), or refused with a status and its JSON body. */
export type Handshake = { opened: true } | { opened: false; status: number; body: unknown };

/** Tries the upgrade with `headers` (e.g. a browser's Origin) and closes again at once. */
export function tryHandshake(url: string, headers: Record<string, string>): Promise<Handshake> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, "graphql-transport-ws", { headers });
    socket.once("open", () => {
      socket.close();
      resolve({ opened: true });
    });
    socket.once("unexpected-response", (_request, response) => {
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        text += chunk;
      });
      response.once("end", () => {
        resolve({ opened: false, status: response.statusCode ?? 0, body: text ? JSON.parse(text) : null });
        socket.terminate();
      });
    });
    socket.once("error", (error) => reject(error));
  });
}
