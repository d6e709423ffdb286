import { Wallet } from "ethers";
import { expect, injectWallet, newContext, open, provenWallet, signUpViaApi, uniqueEmail, test } from "./helpers";

const PASSWORD = "password-123";

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
    const created = await request.post("/api/refcodes", { data: { code: code.toLowerCase(), wallet: (await provenWallet(request)).address } });
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
  const wallet = (await provenWallet(page.request)).address;
  await open(page, "/uk/refcodes");
  await expect(page.getByTestId("refcodes-empty")).toBeVisible();

  const form = page.getByTestId("create-form");
  const code = uniqueCode("ui");
  await form.getByLabel("Код (необов’язково)").fill(code.toLowerCase());
  // A broken checksum (one letter's case flipped) is refused in the reader's language.
  await form.getByLabel("Гаманець для виплат").fill("0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");
  await form.getByRole("button", { name: "Створити код" }).click();
  await expect(form.getByRole("alert")).toContainText("неправильна контрольна сума");

  // A wallet the member has not proven is refused, with what to do.
  await form.getByLabel("Гаманець для виплат").fill(Wallet.createRandom().address);
  await form.getByRole("button", { name: "Створити код" }).click();
  await expect(form.getByRole("alert")).toContainText("Спершу підтвердіть, що цей гаманець ваш");

  await form.getByLabel("Гаманець для виплат").fill(wallet.toLowerCase());
  await form.getByRole("button", { name: "Створити код" }).click();
  const card = page.locator(`[data-testid="refcode"][data-code="${code}"]`);
  await expect(card).toBeVisible();
  await expect(card.getByTestId("code-wallet")).toHaveText(wallet);

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

test("a member proves a wallet by pasting a signature made elsewhere, and cannot remove it while a code pays to it @nojs", async ({ page }) => {
  await signUpViaApi(page, uniqueEmail("paste"));
  await open(page, "/uk/refcodes");
  const card = page.getByTestId("wallets-card");
  await expect(card.getByTestId("wallets-empty")).toBeVisible();
  // The wallet lives elsewhere (a hardware wallet, `cast wallet sign`): here, a key in the test process.
  const wallet = Wallet.createRandom();
  await card.getByLabel("Адреса гаманця").fill(wallet.address.toLowerCase());
  await card.getByRole("button", { name: "Додати гаманець" }).click();
  const challenge = card.getByTestId("wallet-challenge");
  await expect(challenge).toHaveAttribute("data-address", wallet.address);
  const message = await challenge.getByTestId("wallet-message").inputValue();
  expect(message).toContain(`${new URL(page.url()).host} wants you to sign in with your Ethereum account:\n${wallet.address}\n`);

  // A signature by another key is refused in the reader's language, and nothing is stored.
  await challenge.getByTestId("wallet-signature").fill(await Wallet.createRandom().signMessage(message));
  await challenge.getByRole("button", { name: "Підтвердити гаманець" }).click();
  await expect(card.getByRole("alert")).toContainText("Підпис зроблено не ключем цього гаманця");
  await expect(card.getByTestId("wallets-empty")).toBeVisible();

  await card.getByTestId("wallet-signature").fill(await wallet.signMessage(message));
  await card.getByRole("button", { name: "Підтвердити гаманець" }).click();
  const row = card.locator(`[data-testid="wallet"][data-address="${wallet.address}"]`);
  await expect(row).toHaveAttribute("data-proven", "true");
  await expect(row.getByTestId("wallet-proven")).toHaveText("підтверджено");
  await expect(card.getByTestId("wallet-challenge")).toHaveCount(0);

  const code = uniqueCode("paste");
  const form = page.getByTestId("create-form");
  await form.getByLabel("Код (необов’язково)").fill(code);
  await form.getByLabel("Гаманець для виплат").fill(wallet.address);
  await form.getByRole("button", { name: "Створити код" }).click();
  await expect(page.locator(`[data-testid="refcode"][data-code="${code}"]`)).toBeVisible();

  await row.getByRole("button", { name: "Видалити" }).click();
  await expect(card.getByRole("alert")).toContainText(`Коди ${code} виплачують на цей гаманець`);
  await expect(row).toBeVisible();
});

for (const [locale, t] of [
  ["en", { button: "Prove with my browser wallet", proven: "proven", taken: "Another account has proven this wallet" }],
  ["ru", { button: "Подтвердить кошельком браузера", proven: "подтверждён", taken: "Другой аккаунт уже подтвердил этот кошелёк" }],
] as const) {
  test(`a member proves a wallet with the browser's wallet in ${locale}; a second account cannot take it`, async ({ page, browser }) => {
    test.skip(test.info().project.name !== "hydrated", "a browser wallet needs the hydrated page");
    const wallet = Wallet.createRandom();
    await injectWallet(page, wallet);
    await signUpViaApi(page, uniqueEmail(`browser-wallet-${locale}`));
    await open(page, `/${locale}/refcodes`);
    const card = page.getByTestId("wallets-card");
    await card.getByRole("button", { name: t.button }).click();
    const row = card.locator(`[data-testid="wallet"][data-address="${wallet.address}"]`);
    await expect(row).toHaveAttribute("data-proven", "true");
    await expect(row.getByTestId("wallet-proven")).toHaveText(t.proven);
    const code = uniqueCode(`bw${locale}`);
    const created = await page.request.post("/api/refcodes", { data: { code, wallet: wallet.address } });
    expect(created.status()).toBe(201);

    // The same wallet from a second account (the self-referral setup) is refused, and stays the first account's.
    const context = await newContext(browser);
    const second = await context.newPage();
    await injectWallet(second, wallet);
    await second.goto(`/${locale}/?ref=${code}`);
    await signUpViaApi(second, uniqueEmail(`second-${locale}`));
    await open(second, `/${locale}/refcodes`);
    await second.getByTestId("wallets-card").getByRole("button", { name: t.button }).click();
    await expect(second.getByTestId("wallets-card").getByRole("alert")).toContainText(t.taken);
    await expect(second.getByTestId("wallets-empty")).toBeVisible();
    await context.close();
  });
}
