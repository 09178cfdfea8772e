import { connect, createServer, type Server, type Socket } from "node:net";

/**
 * What the proxy does with connections:
 * - forward: pass bytes both ways (after `latencyMs`, if set);
 * - refuse: reset every new connection at once, as a database that is down does;
 * - blackhole: accept new connections and never answer, as a network that drops packets does.
 */
export type ProxyMode = "forward" | "refuse" | "blackhole";

/**
 * A TCP proxy between the server under test and PostgreSQL, so tests can take the database away
 * and give it back without touching the real one.
 */
export class TcpProxy {
  private mode: ProxyMode = "forward";
  private latencyMs = 0;
  private readonly sockets = new Set<Socket>();
  private readonly blackholed = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {
    server.on("connection", (client) => this.accept(client));
  }

  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    return new TcpProxy(server, (server.address() as { port: number }).port, target);
  }

  /** The same database URL, pointing at the proxy. */
  static async for(databaseUrl: string): Promise<{ proxy: TcpProxy; url: string }> {
    const url = new URL(databaseUrl);
    const proxy = await TcpProxy.start({ host: url.hostname, port: Number(url.port || 5432) });
    url.hostname = "127.0.0.1";
    url.port = String(proxy.port);
    return { proxy, url: url.toString() };
  }

  /** Cuts every open connection (the peers see a reset) and treats new ones as `mode` says. */
  cut(mode: Exclude<ProxyMode, "forward">): void {
    this.mode = mode;
    for (const socket of this.sockets) socket.resetAndDestroy();
    this.sockets.clear();
    this.blackholed.clear();
  }

  /** Delays every chunk, in both directions, by this long. */
  delay(latencyMs: number): void {
    this.latencyMs = latencyMs;
  }

  /** Forwards again without latency; connections held in the blackhole are cut. */
  restore(): void {
    this.mode = "forward";
    this.latencyMs = 0;
    for (const socket of this.blackholed) socket.resetAndDestroy();
    this.blackholed.clear();
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private track(socket: Socket) {
    this.sockets.add(socket);
    socket.on("close", () => this.sockets.delete(socket));
    // A reset from either side is the point of this proxy, not a failure of the test.
    socket.on("error", () => socket.destroy());
  }

  private accept(client: Socket) {
    if (this.mode === "refuse") {
      client.on("error", () => {});
      client.resetAndDestroy();
      return;
    }
    this.track(client);
    if (this.mode === "blackhole") {
      this.blackholed.add(client);
      client.on("data", () => {});
      return;
    }
    const upstream = connect(this.target);
    this.track(upstream);
    this.pipe(client, upstream);
    this.pipe(upstream, client);
  }

  private pipe(from: Socket, to: Socket) {
    from.on("close", () => to.destroy());
    // Chunks leave in arrival order, each no earlier than latencyMs after it came, even when the
    // latency changes while some are still waiting.
    const waiting: { chunk: Buffer; due: number }[] = [];
    let timer: NodeJS.Timeout | undefined;
    const drain = () => {
      timer = undefined;
      while (waiting.length > 0 && waiting[0]!.due <= Date.now()) {
        const { chunk } = waiting.shift()!;
        if (!to.destroyed) to.write(chunk);
      }
      if (waiting.length > 0) timer = setTimeout(drain, waiting[0]!.due - Date.now());
    };
    from.on("data", (chunk: Buffer) => {
      const due = Math.max(Date.now() + this.latencyMs, waiting.at(-1)?.due ?? 0);
      waiting.push({ chunk, due });
      if (due <= Date.now() && waiting.length === 1) drain();
      else timer ??= setTimeout(drain, due - Date.now());
    });
    from.on("close", () => clearTimeout(timer));
  }
}
