import { expect, open, signUpViaApi, uniqueEmail, test } from "./helpers";

test("an anonymous visitor opening /en/refcodes lands on sign-in and comes back after @nojs", async ({ page }) => {
  const email = uniqueEmail("guarded");
  const resp = await page.request.post("/api/auth/signup", { data: { email, password: "password-123" } });
  expect(resp.status()).toBe(201);
  await page.context().clearCookies();

  await open(page, "/en/refcodes");
  await expect(page).toHaveURL(/\/en\/signin\?next=\/en\/refcodes$/);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("password-123");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/en\/refcodes$/);
  await expect(page.getByRole("heading", { name: "My referral codes" })).toBeVisible();
});

test("a member opening /en/admin/refcodes sees the 403 page @nojs", async ({ page }) => {
  await signUpViaApi(page, uniqueEmail("member"));
  const resp = await page.goto("/en/admin/refcodes");
  expect(resp?.status()).toBe(403);
  await expect(page.getByTestId("forbidden")).toContainText("Access denied");
  await expect(page.getByRole("link", { name: "Admin" })).toHaveCount(0);

  await open(page, "/uk/admin/refcodes");
  await expect(page.getByTestId("forbidden")).toContainText("Доступ заборонено");
});

test("an admin sees the admin link and page @nojs", async ({ page }) => {
  const login = await page.request.post("/api/auth/login", { data: { email: "admin@refcodes.local", password: "admin-demo-password" } });
  expect(login.status()).toBe(200);
  await open(page, "/ru/");
  await page.getByRole("link", { name: "Администрирование" }).click();
  await expect(page.getByTestId("admin-title")).toHaveText("Реферальные вознаграждения");
});
