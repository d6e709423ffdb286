import { cardPaidReward, expect, newContext, open, PASSWORD, provenWallet, signInAdmin, test, testPayment, uniqueEmail } from "./helpers";

const TEXT = {
  en: { title: "Clawbacks", open: "Open", waived: "Waived", notice: "Clawback waived." },
  uk: { title: "Стягнення", open: "Відкрите", waived: "Списане", notice: "Стягнення списано." },
  ru: { title: "Взыскания", open: "Открыто", waived: "Списано", notice: "Взыскание списано." },
} as const;

for (const locale of ["en", "uk", "ru"] as const) {
  test(`a refund after payout is clawed back, shown to the referrer and waived by the admin in ${locale}`, async ({ page, request, browser }) => {
    test.skip(test.info().project.name !== "hydrated", "the clawback journey runs hydrated");
    const t = TEXT[locale];
    const referrerEmail = uniqueEmail("claw-ref");
    expect((await request.post("/api/auth/signup", { data: { email: referrerEmail, password: PASSWORD } })).status()).toBe(201);
    const code = `CLAW-${Date.now().toString(36)}`.toUpperCase();
    expect((await request.post("/api/refcodes", { data: { code, wallet: (await provenWallet(request)).address } })).status()).toBe(201);

    // The admin approves and mints the reward; then the buyer's card payment is refunded.
    await signInAdmin(page);
    const reference = await cardPaidReward(browser, request, code, async (buyer, reference) => {
      await open(page, `/${locale}/admin/refcodes?code=${code}`);
      const row = page.locator(`[data-testid='ledger-row'][data-order='${reference}']`);
      await row.getByTestId("row-approve").click();
      await expect(row).toHaveAttribute("data-status", "approved");
      await page.getByTestId("mint-now").click();
      await expect(row).toHaveAttribute("data-status", "minted");
      await testPayment(buyer, reference, "refund");
      await expect(buyer.getByTestId("order")).toHaveAttribute("data-status", "refunded");
    });

    // The admin sees the clawback on the reward's row and in the clawbacks list.
    await open(page, `/${locale}/admin/refcodes?code=${code}`);
    const row = page.locator(`[data-testid='ledger-row'][data-order='${reference}']`);
    await expect(row).toHaveAttribute("data-status", "minted");
    await expect(row.getByTestId("row-clawback")).toBeVisible();
    const listed = page.getByTestId("admin-clawbacks").locator(`[data-testid='clawback-row'][data-order='${reference}']`);
    await expect(listed).toHaveAttribute("data-status", "open");
    await expect(listed).toContainText(referrerEmail);
    await expect(listed).toContainText(t.open);

    // So does the referrer, in their language.
    const context = await newContext(browser);
    const member = await context.newPage();
    expect((await member.request.post("/api/auth/login", { data: { email: referrerEmail, password: PASSWORD } })).status()).toBe(200);
    await open(member, `/${locale}/refcodes`);
    const mine = member.getByTestId("clawbacks").locator(`[data-testid='clawback-row'][data-order='${reference}']`);
    await expect(member.getByRole("heading", { name: t.title })).toBeVisible();
    await expect(mine).toHaveAttribute("data-status", "open");
    await expect(member.getByTestId("rewards-clawed-back")).toHaveAttribute("data-count", "1");

    // The admin waives the rest with a reason; both pages say so.
    await listed.getByTestId("clawback-reason").fill("goodwill");
    await listed.getByTestId("clawback-waive").click();
    await expect(page.getByTestId("clawback-waived")).toContainText(t.notice);
    await expect(listed).toHaveAttribute("data-status", "waived");
    await expect(listed).toContainText(t.waived);
    await open(member, `/${locale}/refcodes`);
    await expect(mine).toHaveAttribute("data-status", "waived");
    await expect(mine).toHaveAttribute("data-left-wei", "0");
    await context.close();
  });
}
