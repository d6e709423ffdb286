import { createHash } from "node:crypto";
import { Response } from "@playwright/test";
import { expect, open, provenWallet, test, uniqueEmail } from "./helpers";

/** What a first-time referral visitor downloads until the landing page is interactive (scripts/test.sh runs it on
 * the release build; the README gives the figures). The budget: 250 KB. */
const BUDGET_BYTES = Number(process.env.FIRST_VISIT_BUDGET_BYTES ?? 250 * 1024);

test("a first visit through a share link stays within its download budget", async ({ page, request }) => {
  test.skip(test.info().project.name !== "hydrated", "the budget counts the hydrated visit");
  // A live code (only those are captured), made by a referrer in a cookie jar of their own.
  const signup = { email: uniqueEmail("first-visit"), password: "password-123" };
  expect((await request.post("/api/auth/signup", { data: signup })).status()).toBe(201);
  const code = `FV-${Date.now().toString(36)}`.toUpperCase();
  const wallet = (await provenWallet(request)).address;
  expect((await request.post("/api/refcodes", { data: { code, wallet } })).status()).toBe(201);
  const responses: Response[] = [];
  page.on("response", (r) => responses.push(r));
  await open(page, `/en/?ref=${code}`);
  await expect(page.getByTestId("ref-notice")).toContainText(code);
  await page.waitForLoadState("networkidle");
  let bytes = 0;
  const lines: string[] = [];
  for (const r of responses) {
    const sizes = await r.request().sizes();
    const size = sizes.responseHeadersSize + sizes.responseBodySize;
    bytes += size;
    lines.push(`  ${(size / 1024).toFixed(1).padStart(7)} KB  ${r.headers()["content-encoding"] ?? "-"}  ${new URL(r.url()).pathname}`);
  }
  const kb = (bytes / 1024).toFixed(0);
  console.log(`first visit: ${kb} KB over the wire in ${responses.length} requests\n${lines.join("\n")}`);
  test.info().annotations.push({ type: "first visit", description: `${kb} KB in ${responses.length} requests` });
  expect(bytes).toBeLessThanOrEqual(BUDGET_BYTES);
  // A site file is kept for a year exactly when its name carries the MD5 of the bytes served.
  const site = responses.filter((r) => new URL(r.url()).pathname.startsWith("/pkg/"));
  let named = 0;
  for (const r of site) {
    const hash = createHash("md5").update(await r.body()).digest("base64url");
    const dotted = new URL(r.url()).pathname.split("/").pop()!.split(".");
    const byContent = dotted.slice(1, -1).includes(hash);
    named += byContent ? 1 : 0;
    const expected = byContent ? "public, max-age=31536000, immutable" : "public, no-cache";
    expect(r.headers()["cache-control"], `${r.url()} (md5 ${hash})`).toBe(expected);
  }
  expect(named, "most site files are named by their content").toBeGreaterThan(site.length / 2);
});
