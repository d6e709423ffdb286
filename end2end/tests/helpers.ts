import { expect, Page, test } from "@playwright/test";

export const uniqueEmail = (tag: string) => `${tag}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.com`;

/** Opens a page and, in the hydrated project, waits until the wasm has taken over. */
export async function open(page: Page, path: string) {
  await page.goto(path);
  if (test.info().project.name === "hydrated") {
    await expect(page.locator("body[data-hydrated='true']")).toHaveCount(1);
  }
}

/** Creates an account through the JSON API; the page's context keeps the session cookie. */
export async function signUpViaApi(page: Page, email: string, password = "password-123") {
  const resp = await page.request.post("/api/auth/signup", { data: { email, password } });
  expect(resp.status()).toBe(201);
}
