export * from "./auth.js";
export * from "./task.js";
export * from "./idempotency.js";
