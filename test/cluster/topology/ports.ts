import { createServer } from "node:net";

/**
 * Free loopback TCP ports. Picked at random below the kernel's ephemeral range
 * (so an outgoing connection's local port never takes one between our check
 * and the server binding it, nor while a member is down for a restart), each
 * checked by binding 127.0.0.1 on it; 5432 (the machine's own PostgreSQL) is
 * never handed out. Parallel runs pick different random ports; a collision
 * between the check and the bind is possible in theory, and would show up as
 * a "could not bind" startup error naming the process.
 */

const LOW = 20_000;
const HIGH = 32_000;
const taken = new Set<number>([5432]);

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ host: "127.0.0.1", port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** `count` distinct free ports, never handed out twice by this process. */
export async function freePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  for (let attempt = 0; ports.length < count; attempt++) {
    if (attempt > count * 50) throw new Error(`could not find ${count} free loopback ports in ${LOW}-${HIGH}`);
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW));
    if (taken.has(port) || !(await canBind(port))) continue;
    taken.add(port);
    ports.push(port);
  }
  return ports;
}
