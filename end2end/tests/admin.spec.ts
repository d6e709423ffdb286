import { APIRequestContext, Browser, expect, Page, test } from "@playwright/test";
import { open, uniqueEmail } from "./helpers";

const PASSWORD = "password-123";
const WALLET = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";

const TEXT = {
  en: { approve: "Approve", reject: "Reject", reason: "Reason", pending: "Waiting for approval", approved: "Approved", rejected: "Rejected", title: "Referral rewards" },
  uk: { approve: "Схвалити", reject: "Відхилити", reason: "Причина", pending: "Очікує схвалення", approved: "Схвалено", rejected: "Відхилено", title: "Реферальні винагороди" },
  ru: { approve: "Одобрить", reject: "Отклонить", reason: "Причина", pending: "Ожидает одобрения", approved: "Одобрена", rejected: "Отклонена", title: "Реферальные вознаграждения" },
} as const;
type Locale = keyof typeof TEXT;

/** A referred buyer who paid one espresso by test card; returns the order reference (its reward is pending). */
async function cardPaidReward(browser: Browser, request: APIRequestContext, code: string): Promise<string> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`/en/store?ref=${code}`);
  expect((await page.request.post("/api/auth/signup", { data: { email: uniqueEmail("admin-buyer"), password: PASSWORD } })).status()).toBe(201);
  const created = await page.request.post("/api/store/orders", { data: { items: [{ productId: "coffee-filter-ethiopia", quantity: 1 }] } });
  expect(created.status()).toBe(201);
  const reference = (await created.json()).orderReference as string;
  await page.goto(`/en/pay/test/${reference}`);
  await expect(page.locator("body[data-hydrated='true']")).toHaveCount(1);
  await page.getByTestId("test-approve").click();
  await expect(page).toHaveURL(new RegExp(`/en/orders/${reference}$`));
  await expect(page.getByTestId("order")).toHaveAttribute("data-status", "paid");
  await context.close();
  return reference;
}

async function signInAdmin(page: Page) {
  const resp = await page.request.post("/api/auth/login", { data: { email: "admin@refcodes.local", password: "admin-demo-password" } });
  expect(resp.status()).toBe(200);
}

for (const locale of ["en", "uk", "ru"] as const) {
  test(`an admin approves one pending reward and rejects another with a reason in ${locale}`, async ({ page, request, browser }) => {
    test.skip(test.info().project.name !== "hydrated", "the admin journey runs hydrated");
    const t = TEXT[locale as Locale];
    expect((await request.post("/api/auth/signup", { data: { email: uniqueEmail("admin-ref"), password: PASSWORD } })).status()).toBe(201);
    const code = `ADM-${Date.now().toString(36)}`.toUpperCase();
    expect((await request.post("/api/refcodes", { data: { code, wallet: WALLET } })).status()).toBe(201);
    const first = await cardPaidReward(browser, request, code);
    const second = await cardPaidReward(browser, request, code);

    await signInAdmin(page);
    await open(page, `/${locale}/admin/refcodes?status=pending&code=${code}`);
    await expect(page.getByTestId("admin-title")).toHaveText(t.title);
    const rows = page.getByTestId("ledger-row");
    await expect(rows).toHaveCount(2);

    const approveRow = page.locator(`[data-testid='ledger-row'][data-order='${first}']`);
    await expect(approveRow.getByTestId("row-status")).toContainText(t.pending);
    await approveRow.getByTestId("row-approve").click();
    // The filter shows pending rewards only: the approved one leaves the list.
    await expect(approveRow).toHaveCount(0);

    const rejectRow = page.locator(`[data-testid='ledger-row'][data-order='${second}']`);
    await rejectRow.getByTestId("row-reason").fill("test order, not a real sale");
    await rejectRow.getByTestId("row-reject").click();
    await expect(rejectRow).toHaveCount(0);

    await open(page, `/${locale}/admin/refcodes?code=${code}`);
    await expect(page.locator(`[data-testid='ledger-row'][data-order='${first}'] [data-testid='row-status']`)).toContainText(t.approved);
    const rejected = page.locator(`[data-testid='ledger-row'][data-order='${second}'] [data-testid='row-status']`);
    await expect(rejected).toContainText(t.rejected);
    await expect(rejected).toContainText("test order, not a real sale");
    await expect(page.getByTestId("audit")).toContainText("reject");
  });
}
