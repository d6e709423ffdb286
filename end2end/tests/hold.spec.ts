import { cardPaidReward, expect, newContext, open, PASSWORD, provenWallet, signInAdmin, test, uniqueEmail } from "./helpers";

/** scripts/test.sh runs these against a server of their own with REWARD_HOLD_DAYS=14 (the main one runs with 0). */
const TEXT = {
  en: { onHold: "on hold until", approved: "Approved", mintedCount: /0 rewards? minted/ },
  uk: { onHold: "утримується до", approved: "Схвалено", mintedCount: /Викарбувано 0 винагород/ },
  ru: { onHold: "удерживается до", approved: "Одобрена", mintedCount: /Выпущено 0 вознагражден/ },
} as const;

for (const locale of ["en", "uk", "ru"] as const) {
  test(`a card reward waits out its refund window, shown to the referrer and the admin in ${locale} @hold`, async ({ page, request, browser }) => {
    test.skip(test.info().project.name !== "hydrated", "the hold journey runs hydrated");
    const t = TEXT[locale];
    const referrerEmail = uniqueEmail("hold-ref");
    expect((await request.post("/api/auth/signup", { data: { email: referrerEmail, password: PASSWORD } })).status()).toBe(201);
    const code = `HOLD-${Date.now().toString(36)}`.toUpperCase();
    expect((await request.post("/api/refcodes", { data: { code, wallet: (await provenWallet(request)).address } })).status()).toBe(201);
    const reference = await cardPaidReward(browser, request, code);
    const until = new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10);

    // The admin approves it; "Mint now" leaves it alone, and the row says until when.
    await signInAdmin(page);
    await open(page, `/${locale}/admin/refcodes?code=${code}`);
    const row = page.locator(`[data-testid='ledger-row'][data-order='${reference}']`);
    await expect(row.getByTestId("on-hold")).toContainText(`${t.onHold} ${until}`);
    await row.getByTestId("row-approve").click();
    await expect(row.getByTestId("row-status")).toContainText(t.approved);
    await page.getByTestId("mint-now").click();
    await expect(page.getByTestId("mint-summary")).toContainText(t.mintedCount);
    await expect(row).toHaveAttribute("data-status", "approved");
    await expect(row.getByTestId("on-hold")).toContainText(t.onHold);

    // The referrer sees the same on their own page.
    const context = await newContext(browser);
    const member = await context.newPage();
    expect((await member.request.post("/api/auth/login", { data: { email: referrerEmail, password: PASSWORD } })).status()).toBe(200);
    await open(member, `/${locale}/refcodes`);
    const mine = member.locator(`[data-testid='reward-row'][data-order='${reference}']`);
    await expect(mine.getByTestId("on-hold")).toContainText(`${t.onHold} ${until}`);
    await context.close();
  });
}
