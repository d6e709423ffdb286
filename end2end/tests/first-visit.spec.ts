import { Response } from "@playwright/test";
import { expect, open, test } from "./helpers";

/** What a first-time referral visitor downloads until the landing page is interactive (scripts/test.sh runs it on
 * the release build; the README gives the figures). The budget guards against regressions. */
const BUDGET_BYTES = Number(process.env.FIRST_VISIT_BUDGET_BYTES ?? 400 * 1024);

test("a first visit through a share link stays within its download budget", async ({ page }) => {
  test.skip(test.info().project.name !== "hydrated", "the budget counts the hydrated visit");
  const responses: Response[] = [];
  page.on("response", (r) => responses.push(r));
  await open(page, "/en/?ref=FIRST-VISIT");
  await page.waitForLoadState("networkidle");
  let bytes = 0;
  for (const r of responses) {
    const sizes = await r.request().sizes();
    bytes += sizes.responseHeadersSize + sizes.responseBodySize;
  }
  const kb = (bytes / 1024).toFixed(0);
  console.log(`first visit: ${kb} KB over the wire in ${responses.length} requests`);
  test.info().annotations.push({ type: "first visit", description: `${kb} KB in ${responses.length} requests` });
  expect(bytes).toBeLessThanOrEqual(BUDGET_BYTES);
});
