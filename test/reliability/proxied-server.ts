import pg from "pg";
import { processStorage } from "../process-storage.js";
import { type ServerProcess, startServer } from "../server-process.js";
import { TcpProxy } from "../tcp-proxy.js";

export interface ProxiedServer {
  server: ServerProcess;
  /** Between the server and PostgreSQL: cut it, slow it, restore it. */
  proxy: TcpProxy;
  /**
   * The test's own way to the database, around the proxy. A client, not a pool: a pool's end()
   * resolves before its connections have closed, and dropping the database then terminates them
   * with an error nobody listens to.
   */
  direct: pg.Client;
  databaseUrl: string;
  /** Stops the server and discards its database; resolves with the server's exit code. */
  discard(): Promise<number | null>;
}

/** A server process on a fresh PostgreSQL clone that it reaches only through a TCP proxy. */
export async function startProxiedServer(name: string, env: Record<string, string> = {}): Promise<ProxiedServer> {
  const storage = await processStorage(name);
  if (!storage.databaseUrl) throw new Error("this suite needs the postgres project");
  const databaseUrl = storage.databaseUrl;
  const { proxy, url } = await TcpProxy.for(databaseUrl);
  const direct = new pg.Client({ connectionString: databaseUrl });
  await direct.connect();
  const server = await startServer({
    ...storage.env,
    DATABASE_URL: url,
    NODE_ENV: "test",
    BETTER_AUTH_SECRET: `${name}-test-secret-`.padEnd(40, "x"),
    RATE_LIMIT_PER_MINUTE: "1000000",
    ...env,
  });
  return {
    server,
    proxy,
    direct,
    databaseUrl,
    async discard() {
      const exitCode = await server.stop();
      await proxy.close();
      await direct.end();
      await storage.discard();
      return exitCode;
    },
  };
}
