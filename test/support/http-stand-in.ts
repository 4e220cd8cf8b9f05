import type { Server } from "node:http";
import type { AddressInfo } from "node:net";

/** A stand-in subgraph listening on a free loopback port: its /graphql URL and a close that cuts open connections. */
export interface ListeningStandIn {
  url: string;
  close: () => Promise<void>;
}

/** Starts `server` on 127.0.0.1 at a free port (tests' HTTP stand-ins for a subgraph). */
export async function listenStandIn(server: Server): Promise<ListeningStandIn> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
