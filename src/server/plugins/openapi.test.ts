import { describe, expect, it } from "vitest";
import { buildTestApp } from "../../../test/app.js";

describe("the OpenAPI document's server", () => {
  it("is the configured public URL (BETTER_AUTH_URL)", async () => {
    const t = await buildTestApp({ BETTER_AUTH_URL: "https://tasks.example.org" });
    try {
      const document = (await t.app.inject({ method: "GET", url: "/openapi.json" })).json();
      expect(document.servers).toEqual([expect.objectContaining({ url: "https://tasks.example.org" })]);
    } finally {
      await t.close();
    }
  });
});
