import { cardPaidReward, expect, newContext, open, PASSWORD, provenWallet, signInAdmin, test, uniqueEmail } from "./helpers";


const TEXT = {
  en: { pending: "Waiting for approval", approved: "Approved", rejected: "Rejected", minted: "Paid on chain", title: "Referral rewards", mintNow: "Mint now", mintedCount: /\d+ rewards? minted/, lastRun: "Last run:", gas: "Minter gas balance:" },
  uk: { pending: "Очікує схвалення", approved: "Схвалено", rejected: "Відхилено", minted: "Виплачено в блокчейні", title: "Реферальні винагороди", mintNow: "Карбувати зараз", mintedCount: /Викарбувано \d+ винагород/, lastRun: "Останній запуск:", gas: "Баланс газу мінтера:" },
  ru: { pending: "Ожидает одобрения", approved: "Одобрена", rejected: "Отклонена", minted: "Выплачена в блокчейне", title: "Реферальные вознаграждения", mintNow: "Выпустить сейчас", mintedCount: /Выпущено \d+ вознагражден/, lastRun: "Последний запуск:", gas: "Баланс газа минтера:" },
} as const;
type Locale = keyof typeof TEXT;


for (const locale of ["en", "uk", "ru"] as const) {
  test(`an admin approves one pending reward, rejects another with a reason and mints in ${locale}`, async ({ page, request, browser }) => {
    test.skip(test.info().project.name !== "hydrated", "the admin journey runs hydrated");
    const t = TEXT[locale as Locale];
    const referrerEmail = uniqueEmail("admin-ref");
    expect((await request.post("/api/auth/signup", { data: { email: referrerEmail, password: PASSWORD } })).status()).toBe(201);
    const code = `ADM-${Date.now().toString(36)}`.toUpperCase();
    expect((await request.post("/api/refcodes", { data: { code, wallet: (await provenWallet(request)).address } })).status()).toBe(201);
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
    await expect(page.locator("[data-testid='audit'] li[data-action='reject']").first()).toBeVisible();

    // "Mint now" pays the approved reward on chain; the row then links its transaction.
    await page.getByTestId("mint-now").click();
    await expect(page.getByTestId("mint-summary")).toContainText(t.mintedCount);
    const minted = page.locator(`[data-testid='ledger-row'][data-order='${first}']`);
    await expect(minted).toHaveAttribute("data-status", "minted");
    await expect(minted.getByTestId("row-status")).toContainText(t.minted);
    const txLink = minted.getByTestId("tx-link");
    await expect(txLink).toHaveAttribute("href", /^https:\/\/explorer\.invalid\/tx\/0x[0-9a-f]{64}$/);
    const href = await txLink.getAttribute("href");
    // The chain card shows that run and the balances it read.
    await expect(page.getByTestId("chain-last-run")).toContainText(t.lastRun);
    await expect(page.getByTestId("chain-last-run")).toContainText(t.mintedCount);
    await expect(page.getByTestId("chain-gas")).toContainText(t.gas);

    // The referrer sees the same status and link on their own page.
    const context = await newContext(browser);
    const member = await context.newPage();
    expect((await member.request.post("/api/auth/login", { data: { email: referrerEmail, password: PASSWORD } })).status()).toBe(200);
    await open(member, `/${locale}/refcodes`);
    const mine = member.locator(`[data-testid='reward-row'][data-order='${first}']`);
    await expect(mine.getByTestId("reward-status")).toHaveText(t.minted);
    await expect(mine.getByTestId("tx-link")).toHaveAttribute("href", href!);
    await expect(member.locator(`[data-testid='reward-row'][data-order='${second}'] [data-testid='reward-status']`)).toHaveText(t.rejected);
    await context.close();
  });
}

test("an admin grants credit by email, blocks a code and filters the audit log in uk", async ({ page, request }) => {
  test.skip(test.info().project.name !== "hydrated", "the admin journey runs hydrated");
  const email = uniqueEmail("admin-tools");
  expect((await request.post("/api/auth/signup", { data: { email, password: PASSWORD } })).status()).toBe(201);
  const code = `TOOL-${Date.now().toString(36)}`.toUpperCase();
  expect((await request.post("/api/refcodes", { data: { code, wallet: (await provenWallet(request)).address } })).status()).toBe(201);

  await signInAdmin(page);
  await open(page, `/uk/admin/refcodes?codes=${code}`);
  await page.getByTestId("grant-email").fill(email);
  await page.getByTestId("grant-amount").fill("250.00");
  await page.getByTestId("grant-submit").click();
  await expect(page.getByTestId("granted")).toHaveText("Нараховано. Новий баланс: 250.00 UAH");
  await page.getByTestId("grant-email").fill("nobody@example.com");
  await page.getByTestId("grant-submit").click();
  await expect(page.getByTestId("grant-credit")).toContainText("Облікового запису з такою адресою немає");

  const row = page.locator(`[data-testid='code-row'][data-code='${code}']`);
  await expect(row).toHaveAttribute("data-blocked", "false");
  await row.getByTestId("code-toggle").click();
  await expect(row).toHaveAttribute("data-blocked", "true");
  await expect(row).toContainText("Заблокований");

  await open(page, `/uk/admin/refcodes?audit_action=block_code&audit_target=${code}`);
  const entries = page.locator("[data-testid='audit'] li");
  await expect(entries).toHaveCount(1);
  await expect(entries.first()).toContainText("код заблоковано");

  // Its owner sees the block and cannot switch the code on again to lift it.
  const ownerView = await (await request.get("/uk/refcodes")).text();
  expect(ownerView).toContain("Заблоковано адміністратором");
  const switchOn = await request.patch(`/api/refcodes/${code}`, { data: { active: true } });
  expect(switchOn.status()).toBe(409);
  expect((await switchOn.json()).error).toBe("code_blocked");
});
