import { pino, type DestinationStream } from "pino";
import type { LogLevel } from "./config/config.js";

/**
 * JSON lines on standard output. Fastify's request serializers log no headers; the redaction is a
 * second line of defence should a header ever be logged.
 */
export function createLogger(level: LogLevel, destination?: DestinationStream) {
  const options = {
    level,
    redact: {
      paths: ["req.headers.authorization", "req.headers.cookie", 'res.headers["set-cookie"]'],
      censor: "[redacted]",
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
