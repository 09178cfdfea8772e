import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const webRoot = fileURLToPath(new URL(".", import.meta.url));
// The API server `npm run dev` starts next to Vite (PORT, 8000 by default).
const apiServer = `http://localhost:${process.env.PORT ?? "8000"}`;

export default defineConfig({
  root: webRoot,
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL("../dist/web", import.meta.url)),
    emptyOutDir: true,
    // The server's Content-Security-Policy allows no inline script, and no data: scripts either.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  server: {
    proxy: Object.fromEntries(["/api", "/docs", "/openapi.json", "/healthz", "/readyz"].map((path) => [path, apiServer])),
  },
});
