export * from "./auth.js";
export * from "./idempotency.js";
export * from "./task.js";
export * from "./token-revocation.js";
