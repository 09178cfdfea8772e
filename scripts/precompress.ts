import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const TEXT_FILES = /\.(html|js|css|svg|txt|json|map|webmanifest)$/;

/**
 * Writes name.br (brotli, best quality) and name.gz (gzip level 9) beside each text file under dir,
 * for a server that picks one by the request's Accept-Encoding. Done once at build time, so the
 * slowest settings cost nothing per request. A copy that would not be smaller is not written.
 * Returns how many files got copies.
 */
export function precompress(dir: string): number {
  let count = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !TEXT_FILES.test(entry.name)) continue;
    const file = path.join(entry.parentPath, entry.name);
    const original = readFileSync(file);
    const copies = {
      br: brotliCompressSync(original, {
        params: {
          [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
          [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
          [constants.BROTLI_PARAM_SIZE_HINT]: original.length,
        },
      }),
      gz: gzipSync(original, { level: 9 }),
    };
    let wrote = false;
    for (const [extension, copy] of Object.entries(copies)) {
      if (copy.length >= original.length) continue;
      writeFileSync(`${file}.${extension}`, copy);
      wrote = true;
    }
    if (wrote) count += 1;
  }
  return count;
}
