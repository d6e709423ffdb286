import { expect, open, uniqueEmail, test } from "./helpers";

test("sign up, sign out, sign in, then switch en → uk → ru @nojs", async ({ page }) => {
  const email = uniqueEmail("journey");
  await open(page, "/en/signup");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("password-123");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByTestId("signed-in-as")).toContainText(email);

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByTestId("signed-in-as")).toHaveCount(0);
  await page.getByRole("link", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/en\/signin/);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("password-123");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("signed-in-as")).toContainText(email);

  await page.getByRole("link", { name: "Українська" }).click();
  await expect(page).toHaveURL(/\/uk\/?$/);
  await expect(page.locator("html")).toHaveAttribute("lang", "uk");
  await expect(page.getByRole("link", { name: "Магазин" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Мої реферальні коди", exact: true })).toBeVisible();
  await expect(page.getByRole("button", { name: "Вийти" })).toBeVisible();

  await page.getByRole("link", { name: "Русский" }).click();
  await expect(page).toHaveURL(/\/ru\/?$/);
  await expect(page.locator("html")).toHaveAttribute("lang", "ru");
  await expect(page.getByRole("link", { name: "Мои реферальные коды", exact: true })).toBeVisible();
  await expect(page.getByRole("button", { name: "Выйти" })).toBeVisible();
});

test("the switcher keeps the current page @nojs", async ({ page }) => {
  await open(page, "/en/signin");
  await page.getByRole("link", { name: "Українська" }).click();
  await expect(page).toHaveURL(/\/uk\/signin$/);
  await expect(page.getByRole("heading", { name: "Вхід" })).toBeVisible();
});

test("a wrong password gets the translated generic message", async ({ page }) => {
  await open(page, "/uk/signin");
  await page.getByLabel("Електронна пошта").fill(uniqueEmail("nobody"));
  await page.getByLabel("Пароль").fill("wrong-password");
  await page.getByRole("button", { name: "Увійти" }).click();
  await expect(page.getByRole("alert")).toHaveText("Неправильна пошта або пароль.");
});

test("a short password is refused with a plural-correct message in Russian", async ({ page }) => {
  await open(page, "/ru/signup");
  await page.getByLabel("Электронная почта").fill(uniqueEmail("short"));
  await page.getByLabel("Пароль").fill("short");
  await page.getByRole("button", { name: "Создать аккаунт" }).click();
  await expect(page.getByRole("alert")).toHaveText("Пароль должен содержать не менее 8 символов.");
});
