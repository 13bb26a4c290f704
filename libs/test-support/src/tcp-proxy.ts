import { createServer, connect, type Socket } from 'node:net';
import { once } from 'node:events';

/**
 * A TCP proxy in front of a real PostgreSQL, Redis or RabbitMQ, so a test can take "the network" away from one
 * service and give it back, without stopping the shared server that other tests are using. `listenPort` lets a
 * test open it where a service already expects its dependency (one that was not there when it started).
 */
export async function startTcpProxy(target: { host: string; port: number }, listenPort = 0) {
  const sockets = new Set<Socket>();
  const pairs = new Set<[Socket, Socket]>();
  let down = false;
  const server = createServer((client) => {
    if (down) {
      client.destroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    sockets.add(client);
    sockets.add(upstream);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
      pairs.delete(pair);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  server.listen(listenPort, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    port,
    /** The same URL with host and port replaced by the proxy's. */
    url(original: string): string {
      const u = new URL(original);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    /** Drops every open connection and refuses new ones until `restore()`. */
    cut(): void {
      down = true;
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    restore(): void {
      down = false;
    },
    /**
     * Keeps the open connections open but carries nothing more on them, as a network that loses packets without
     * a reset does (a failover, a dropped NAT entry); new connections still go through.
     */
    stall(): void {
      for (const [client, upstream] of pairs) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
      }
      pairs.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export type TcpProxy = Awaited<ReturnType<typeof startTcpProxy>>;
