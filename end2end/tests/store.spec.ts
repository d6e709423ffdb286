import { APIRequestContext, Browser, Page } from "@playwright/test";
import { expect, newContext, open, provenWallet, test, uniqueEmail } from "./helpers";

const PASSWORD = "password-123";
const ESPRESSO = "coffee-espresso-blend";

const TEXT = {
  en: { buy: "Buy", payCard: "Pay by card", approve: "Approve payment", payCredit: "Pay with credit", waiting: "waiting for payment", paid: "paid", pending: "Waiting for approval", approved: "Approved" },
  uk: { buy: "Купити", payCard: "Оплатити карткою", approve: "Підтвердити оплату", payCredit: "Оплатити кредитом", waiting: "очікує оплати", paid: "оплачено", pending: "Очікує схвалення", approved: "Схвалено" },
  ru: { buy: "Купить", payCard: "Оплатить картой", approve: "Подтвердить оплату", payCredit: "Оплатить кредитом", waiting: "ожидает оплаты", paid: "оплачен", pending: "Ожидает одобрения", approved: "Одобрена", minted: "Выплачена в блокчейне" },
} as const;
type Locale = keyof typeof TEXT;

const uniqueCode = () => `SHOP-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 5)}`.toUpperCase();

/** A referrer (API only, in the `request` fixture's own cookie jar) with a fresh code. */
async function referrerWithCode(request: APIRequestContext) {
  const email = uniqueEmail("shop-referrer");
  expect((await request.post("/api/auth/signup", { data: { email, password: PASSWORD } })).status()).toBe(201);
  const code = uniqueCode();
  expect((await request.post("/api/refcodes", { data: { code, wallet: (await provenWallet(request)).address } })).status()).toBe(201);
  return { email, code };
}

/** A visitor who opened the share link and signed up; returns their user id. */
async function referredVisitor(page: Page, locale: Locale, code: string) {
  await open(page, `/${locale}/store?ref=${code}`);
  const resp = await page.request.post("/api/auth/signup", { data: { email: uniqueEmail("shop-buyer"), password: PASSWORD } });
  expect(resp.status()).toBe(201);
  return (await resp.json()).userId as string;
}

/** Buys one espresso blend from the store page and lands on the order page. */
async function buyEspresso(page: Page, locale: Locale) {
  const t = TEXT[locale];
  await open(page, `/${locale}/store`);
  const product = page.locator(`[data-product='${ESPRESSO}']`);
  await product.getByRole("button", { name: t.buy }).click();
  await expect(page).toHaveURL(new RegExp(`/${locale}/orders/RC-[0-9A-F]{16}$`));
  await expect(page.getByTestId("order-status")).toHaveText(t.waiting);
}

/** The referrer's own rewards as their /refcodes page shows them, in a browser context of their own; the page
 * is opened again until the newest reward shows `status` (a background mint may still be on its way). */
async function referrerSees(browser: Browser, locale: Locale, email: string, status: string) {
  const context = await newContext(browser, { javaScriptEnabled: test.info().project.name === "hydrated" });
  const page = await context.newPage();
  expect((await page.request.post("/api/auth/login", { data: { email, password: PASSWORD } })).status()).toBe(200);
  await expect(async () => {
    await open(page, `/${locale}/refcodes`);
    await expect(page.getByTestId("reward-row").first().getByTestId("reward-status")).toHaveText(status, { timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
  await context.close();
}

for (const locale of ["en", "uk"] as const) {
  test(`a referred visitor buys by test card in ${locale} and the referrer sees a pending reward @nojs`, async ({ page, request, browser }) => {
    const t = TEXT[locale];
    const referrer = await referrerWithCode(request);
    await referredVisitor(page, locale, referrer.code);
    await buyEspresso(page, locale);
    await expect(page.getByTestId("order-referral")).toContainText(referrer.code);

    await page.getByTestId("pay-card").click();
    await expect(page).toHaveURL(new RegExp(`/${locale}/pay/test/RC-`));
    if (test.info().project.name === "hydrated") {
      await expect(page.locator("body[data-hydrated='true']")).toHaveCount(1);
    }
    await page.getByRole("button", { name: t.approve }).click();
    await expect(page).toHaveURL(new RegExp(`/${locale}/orders/RC-`));
    await expect(page.getByTestId("order-status")).toHaveText(t.paid);

    await referrerSees(browser, locale, referrer.email, t.pending);
  });
}

test("a referred visitor pays with credit in ru and the referrer sees the reward paid on chain @nojs", async ({ page, request, browser }) => {
  const t = TEXT.ru;
  const referrer = await referrerWithCode(request);
  const buyerId = await referredVisitor(page, "ru", referrer.code);

  // The demo admin grants the buyer some credit.
  const admin = await newContext(browser);
  const login = await admin.request.post("/api/auth/login", { data: { email: "admin@refcodes.local", password: "admin-demo-password" } });
  expect(login.status()).toBe(200);
  const granted = await admin.request.post("/api/admin/credit-grants", { data: { userId: buyerId, amount: "500.00" } });
  expect(granted.status()).toBe(200);
  await admin.close();

  await buyEspresso(page, "ru");
  await expect(page.getByTestId("credit-balance")).toContainText("500.00");
  await page.getByRole("button", { name: t.payCredit }).click();
  await expect(page.getByTestId("order-status")).toHaveText(t.paid);
  await expect(page.getByTestId("order")).toHaveAttribute("data-status", "paid");

  // Approved at once (crypto rail) and minted by the run the payment started in the background.
  await referrerSees(browser, "ru", referrer.email, t.minted);
});
