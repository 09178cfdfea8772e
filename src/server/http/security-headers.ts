/**
 * The security headers, as constants: none depends on the request (no nonces). Helmet's defaults
 * for a document, written out; JSON under /api gets only what protects an API response (OWASP's
 * REST Security Cheat Sheet): no sniffing, no framing, no content, no loading by another site.
 */
const HSTS = { "strict-transport-security": "max-age=31536000; includeSubDomains" };

const DOCUMENT_POLICY = [
  "default-src 'self'",
  "base-uri 'self'",
  "font-src 'self' https: data:",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "img-src 'self' data:",
  "object-src 'none'",
  "script-src 'self'",
  "script-src-attr 'none'",
  "style-src 'self' https: 'unsafe-inline'",
];

export interface SecurityHeaders {
  document: Readonly<Record<string, string>>;
  api: Readonly<Record<string, string>>;
}

/** Behind HTTPS, both sets add HSTS and documents upgrade their insecure requests. */
export function securityHeaders(servedOverHttps: boolean): SecurityHeaders {
  const document = {
    "content-security-policy": [...DOCUMENT_POLICY, ...(servedOverHttps ? ["upgrade-insecure-requests"] : [])].join(";"),
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "origin-agent-cluster": "?1",
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    "x-dns-prefetch-control": "off",
    "x-download-options": "noopen",
    "x-frame-options": "DENY",
    "x-permitted-cross-domain-policies": "none",
    "x-xss-protection": "0",
    ...(servedOverHttps ? HSTS : {}),
  };
  const api = {
    "content-security-policy": "default-src 'none';frame-ancestors 'none'",
    "cross-origin-resource-policy": "same-origin",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    ...(servedOverHttps ? HSTS : {}),
  };
  return { document: Object.freeze(document), api: Object.freeze(api) };
}
