/**
 * npm run dev: the API server (restarted by tsx on a change under src/) and Vite's dev server with hot
 * reload, which proxies /api and the server's other paths to it. Open the Vite URL.
 */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createServer } from "vite";

const root = fileURLToPath(new URL("..", import.meta.url));
const VITE_PORT = Number(process.env.VITE_PORT ?? 5173);
const viteOrigins = [`http://localhost:${VITE_PORT}`, `http://127.0.0.1:${VITE_PORT}`];

// The browser's Origin is Vite's, so the server must trust it for cookie-authenticated writes.
const trustedOrigins = [process.env.TRUSTED_ORIGINS, ...viteOrigins].filter(Boolean).join(",");
const server = spawn(process.execPath, [createRequire(import.meta.url).resolve("tsx/cli"), "watch", "--clear-screen=false", "src/server/server.ts"], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, TRUSTED_ORIGINS: trustedOrigins },
});

const vite = await createServer({
  configFile: path.join(root, "web", "vite.config.ts"),
  server: { port: VITE_PORT, strictPort: true },
});
await vite.listen();
vite.printUrls();

let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  server.kill("SIGTERM");
  void vite.close();
}
server.on("exit", (code) => {
  if (!stopping) process.stderr.write(`the API server exited (${code}); stopping\n`);
  stop();
  process.exitCode = code ?? 0;
});
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
