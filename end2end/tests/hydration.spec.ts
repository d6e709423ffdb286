import { expect, newContext, open, test } from "./helpers";

const LOCALES = ["en", "uk", "ru"] as const;
const PUBLIC = ["/", "/?ref=NO-SUCH-CODE", "/signin", "/signup", "/store", "/membership"];

// Every page of the build under test hydrates in every locale, without a page error or console.error
// (the helpers' fixture fails the test on either): the journeys reach most pages, this reaches them all.
test("every public page hydrates in en, uk and ru", async ({ page }) => {
  test.skip(test.info().project.name !== "hydrated", "hydration needs JavaScript");
  for (const locale of LOCALES) {
    for (const path of PUBLIC) {
      await open(page, `/${locale}${path}`);
    }
  }
});

test("the member and admin pages hydrate in en, uk and ru", async ({ browser }) => {
  test.skip(test.info().project.name !== "hydrated", "hydration needs JavaScript");
  const context = await newContext(browser);
  const page = await context.newPage();
  const login = await page.request.post("/api/auth/login", { data: { email: "admin@refcodes.local", password: "admin-demo-password" } });
  expect(login.status()).toBe(200);
  for (const locale of LOCALES) {
    for (const path of ["/refcodes", "/admin/refcodes", "/membership", "/store"]) {
      await open(page, `/${locale}${path}`);
    }
  }
  await context.close();
});
