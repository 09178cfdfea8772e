import { defineConfig } from "drizzle-kit";

// Only for generating migrations (npm run db:generate); the server applies them itself at start.
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/server/db/schema/index.ts",
  out: "./drizzle",
});
