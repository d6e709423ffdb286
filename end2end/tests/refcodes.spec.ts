import { expect, open, signUpViaApi, uniqueEmail, test } from "./helpers";

const PASSWORD = "password-123";
// An EIP-55 example address (checksum form).
const WALLET = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";

const TEXT = {
  en: {
    invited: "You were invited with the code",
    email: "Email",
    password: "Password",
    signUp: "Create account",
    oneVisit: "1 visit",
    noVisits: "0 visits",
    oneSignup: "1 signup",
    copy: "Copy link",
    copied: "Copied",
  },
  uk: {
    invited: "Вас запрошено з кодом",
    email: "Електронна пошта",
    password: "Пароль",
    signUp: "Створити обліковий запис",
    oneVisit: "1 перехід",
    noVisits: "0 переходів",
    oneSignup: "1 реєстрація",
    copy: "Скопіювати посилання",
    copied: "Скопійовано",
  },
  ru: {
    invited: "Вас пригласили с кодом",
    email: "Электронная почта",
    password: "Пароль",
    signUp: "Создать аккаунт",
    oneVisit: "1 переход",
    noVisits: "0 переходов",
    oneSignup: "1 регистрация",
    copy: "Скопировать ссылку",
    copied: "Скопировано",
  },
} as const;

/** A vanity code nobody else has: letters, digits and dashes, at most 24. */
const uniqueCode = (locale: string) =>
  `E2E-${locale}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 5)}`.toUpperCase();

for (const locale of ["uk", "en", "ru"] as const) {
  test(`a visitor through a ${locale} share link is captured, counted and attributed @nojs`, async ({ page, request }) => {
    const t = TEXT[locale];
    const hydrated = test.info().project.name === "hydrated";

    // The referrer works through the API in a cookie jar of their own (the `request` fixture).
    const referrerEmail = uniqueEmail(`referrer-${locale}`);
    expect((await request.post("/api/auth/signup", { data: { email: referrerEmail, password: PASSWORD } })).status()).toBe(201);
    const code = uniqueCode(locale);
    const created = await request.post("/api/refcodes", { data: { code: code.toLowerCase(), wallet: WALLET } });
    expect(created.status()).toBe(201);
    expect((await created.json()).code).toBe(code);

    // The visitor opens the share link: the notice names the code; after hydration the visit is counted once.
    const tracked = hydrated ? page.waitForResponse((r) => r.url().endsWith("/api/refcodes/track")) : null;
    await open(page, `/${locale}/?ref=${code.toLowerCase()}`);
    const notice = page.getByTestId("ref-notice");
    await expect(notice).toContainText(t.invited);
    await expect(notice).toContainText(code);
    if (tracked) {
      expect((await tracked).status()).toBe(204);
    }
    const cookies = await page.context().cookies();
    const ringRef = cookies.find((c) => c.name === "ring_ref");
    expect(ringRef?.value).toBe(code);
    expect(ringRef?.httpOnly).toBe(true);
    expect(ringRef?.sameSite).toBe("Lax");

    // The visitor signs up with the form.
    const visitorEmail = uniqueEmail(`visitor-${locale}`);
    await open(page, `/${locale}/signup`);
    await page.getByLabel(t.email).fill(visitorEmail);
    await page.getByLabel(t.password).fill(PASSWORD);
    await page.getByRole("button", { name: t.signUp }).click();
    await expect(page.getByTestId("signed-in-as")).toContainText(visitorEmail);
    const me = await (await page.request.get("/api/me")).json();
    expect(me.referredBy.code).toBe(code);

    // The referrer's page shows the visit and the signup (visits are written within a second).
    await page.context().clearCookies();
    expect((await page.request.post("/api/auth/login", { data: { email: referrerEmail, password: PASSWORD } })).status()).toBe(200);
    await open(page, `/${locale}/refcodes`);
    const card = page.locator(`[data-testid="refcode"][data-code="${code}"]`);
    await expect(card).toBeVisible();
    await expect(async () => {
      await page.reload();
      await expect(card.getByTestId("funnel-visits")).toHaveAttribute("data-count", hydrated ? "1" : "0", { timeout: 2_000 });
    }).toPass({ timeout: 15_000 });
    await expect(card.getByTestId("funnel-visits")).toContainText(hydrated ? t.oneVisit : t.noVisits);
    await expect(card.getByTestId("funnel-signups")).toHaveAttribute("data-count", "1");
    await expect(card.getByTestId("funnel-signups")).toContainText(t.oneSignup);

    // Its full share link, a copy button and a QR code drawn by the server.
    await expect(card.getByTestId("share-link")).toHaveValue(new RegExp(`^https?://[^/]+/${locale}/\\?ref=${code}$`));
    await expect(card.getByTestId("qr").locator("svg")).toHaveCount(1);
    const copy = card.getByTestId("copy-link");
    await expect(copy).toHaveText(t.copy);
    if (hydrated) {
      await open(page, `/${locale}/refcodes`);
      await expect(async () => {
        await copy.click();
        await expect(copy).toHaveText(t.copied, { timeout: 1_000 });
      }).toPass();
    }
  });
}

test("a member creates, edits, disables and deletes a code on the page, with translated inline errors", async ({ page }) => {
  await signUpViaApi(page, uniqueEmail("creator"));
  await open(page, "/uk/refcodes");
  await expect(page.getByTestId("refcodes-empty")).toBeVisible();

  const form = page.getByTestId("create-form");
  const code = uniqueCode("ui");
  await form.getByLabel("Код (необов’язково)").fill(code.toLowerCase());
  // A broken checksum (one letter's case flipped) is refused in the reader's language.
  await form.getByLabel("Гаманець для виплат").fill("0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");
  await form.getByRole("button", { name: "Створити код" }).click();
  await expect(form.getByRole("alert")).toContainText("неправильна контрольна сума");

  await form.getByLabel("Гаманець для виплат").fill(WALLET.toLowerCase());
  await form.getByRole("button", { name: "Створити код" }).click();
  const card = page.locator(`[data-testid="refcode"][data-code="${code}"]`);
  await expect(card).toBeVisible();
  await expect(card.getByTestId("code-wallet")).toHaveText(WALLET);

  // The same code again is taken.
  await form.getByLabel("Код (необов’язково)").fill(code);
  await form.getByRole("button", { name: "Створити код" }).click();
  await expect(form.getByRole("alert")).toContainText("Цей код уже зайнятий");

  await card.getByText("Змінити").click();
  await card.getByLabel("Позначка (необов’язково)").fill("Розсилка");
  await card.getByRole("button", { name: "Зберегти" }).click();
  await expect(page.locator(`[data-testid="refcode"][data-code="${code}"] .code-label`)).toHaveText("Розсилка");

  await page.locator(`[data-testid="refcode"][data-code="${code}"]`).getByTestId("toggle-code").click();
  await expect(page.locator(`[data-testid="refcode"][data-code="${code}"]`)).toHaveAttribute("data-active", "false");

  await page.locator(`[data-testid="refcode"][data-code="${code}"]`).getByTestId("delete-code").click();
  await expect(page.locator(`[data-testid="refcode"][data-code="${code}"]`)).toHaveCount(0);
  await expect(page.getByTestId("refcodes-empty")).toBeVisible();
});

test("a member keeps their wallets on the page @nojs", async ({ page }) => {
  await signUpViaApi(page, uniqueEmail("wallets"));
  await open(page, "/en/refcodes");
  const card = page.getByTestId("wallets-card");
  await expect(card.getByTestId("wallets-empty")).toBeVisible();
  await card.getByLabel("Wallet address").fill(WALLET.toLowerCase());
  await card.getByRole("button", { name: "Add wallet" }).click();
  await expect(card.getByTestId("wallets")).toContainText(WALLET);
  await card.getByRole("button", { name: "Remove" }).click();
  await expect(card.getByTestId("wallets-empty")).toBeVisible();
});
