import net from "node:net";

/**
 * A TCP proxy on a loopback port in front of PostgreSQL, which a test can cut
 * (every connection through it ends at once: "Connection terminated
 * unexpectedly"), reset (RST: ECONNRESET), close (new connections are refused:
 * ECONNREFUSED) and open again on the same port, as a failover does to a
 * service behind HAProxy.
 */
export interface TcpProxy {
  port: number;
  /** The URL through the proxy: `directUrl` with its host and port replaced. */
  urlOf(directUrl: string): string;
  /** Ends every open connection (a FIN to both sides); the proxy keeps listening. */
  cut(): void;
  /** Resets every open connection (RST); the proxy keeps listening. */
  reset(): void;
  /** Stops listening and ends every connection: connecting is refused until `open()`. */
  close(): Promise<void>;
  /** Listens again on the same port. */
  open(): Promise<void>;
  /** Connections open right now. */
  readonly connections: number;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<[net.Socket, net.Socket]>();
  const handle = (client: net.Socket) => {
    const server = net.connect(target.port, target.host);
    const pair: [net.Socket, net.Socket] = [client, server];
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      server.destroy();
    };
    client.on("error", end).on("close", end);
    server.on("error", end).on("close", end);
    client.pipe(server);
    server.pipe(client);
  };
  let listener = net.createServer(handle);
  await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
  const { port } = listener.address() as net.AddressInfo;
  const each = (action: (socket: net.Socket) => void) => {
    for (const pair of [...pairs]) {
      pairs.delete(pair);
      for (const socket of pair) action(socket);
    }
  };
  return {
    port,
    urlOf(directUrl) {
      const url = new URL(directUrl);
      url.hostname = "127.0.0.1";
      url.port = String(port);
      return url.toString();
    },
    cut: () => each((socket) => socket.destroy()),
    reset: () => each((socket) => socket.resetAndDestroy()),
    async close() {
      const closed = new Promise<void>((resolve) => listener.close(() => resolve()));
      each((socket) => socket.destroy());
      await closed;
    },
    async open() {
      listener = net.createServer(handle);
      await new Promise<void>((resolve, reject) => {
        listener.once("error", reject);
        listener.listen(port, "127.0.0.1", resolve);
      });
    },
    get connections() {
      return pairs.size;
    },
  };
}
