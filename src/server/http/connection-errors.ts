import { randomUUID } from "node:crypto";
import type { Socket } from "node:net";
import { errorBody } from "./envelope.js";

/**
 * Requests Node's HTTP parser refuses before Fastify sees them (a raw non-ASCII byte in the URL,
 * oversized headers, a request that took too long) still get the envelope and a request id.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket) {
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const [status, reason, message] =
    error.code === "HPE_HEADER_OVERFLOW"
      ? [431, "Request Header Fields Too Large", "the request headers are too large"]
      : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? [408, "Request Timeout", "the request took too long to arrive"]
        : [400, "Bad Request", "the request is not valid HTTP (is the URL percent-encoded?)"];
  const body = JSON.stringify(errorBody("BAD_REQUEST", message));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nx-request-id: ${randomUUID()}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
