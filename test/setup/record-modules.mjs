// Preloaded with node --import by the start-imports test: records the file of every module the process
// loads into RECORD_MODULES_FILE, one "importer -> module" line each. ES modules are seen by a resolve
// hook; CommonJS ones (required by CommonJS packages, which no hook sees on Node 20) by the require cache at exit.
import { appendFileSync } from "node:fs";
import { createRequire, register } from "node:module";

const file = process.env.RECORD_MODULES_FILE;
register("./record-modules-hooks.mjs", import.meta.url, { data: { file } });
process.on("exit", () => {
  const required = Object.keys(createRequire(import.meta.url).cache);
  appendFileSync(file, required.map((path) => `require -> file://${path}\n`).join(""));
});
