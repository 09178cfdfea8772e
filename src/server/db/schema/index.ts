export * from "./auth.js";
export * from "./task.js";
