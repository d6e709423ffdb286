import { test as base, APIRequestContext, Browser, BrowserContext, BrowserContextOptions, expect, Page } from "@playwright/test";
import { getBytes, HDNodeWallet, Wallet } from "ethers";

/** What the browser reported as broken during one test: uncaught page errors and `console.error` messages. */
const browserErrors: string[] = [];

// The browser's own note about a 4xx answer is expected (a guarded page, a refused form) — but not for the site's
// own assets under /pkg (a missing wasm chunk); everything else on console.error — a panic in hydration, a failed
// server function, a 5xx — is a defect.
const EXPECTED = /^Failed to load resource: the server responded with a status of 4\d\d\b/;

/** Reports every uncaught error and console.error of the context's pages to the running test. */
export function watchErrors(context: BrowserContext) {
  context.on("weberror", (e) => browserErrors.push(`page error: ${e.error().stack ?? e.error().message}`));
  context.on("console", (m) => {
    if (m.type() === "error" && !(EXPECTED.test(m.text()) && !m.location().url.includes("/pkg/"))) {
      browserErrors.push(`console.error at ${m.location().url}: ${m.text()}`);
    }
  });
}

/** A browser context of its own (another user), watched like the test's own. */
export async function newContext(browser: Browser, options?: BrowserContextOptions) {
  const context = await browser.newContext(options);
  watchErrors(context);
  return context;
}

/** Every journey fails when its pages threw or logged an error, even if everything it asserted held. */
export const test = base.extend<{ failOnBrowserErrors: void }>({
  failOnBrowserErrors: [
    async ({ context }, use) => {
      browserErrors.length = 0;
      watchErrors(context);
      await use();
      expect(browserErrors, "uncaught page errors and console.error messages").toEqual([]);
    },
    { auto: true },
  ],
});
export { expect };

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

export const PASSWORD = "password-123";

/**
 * A new wallet, proven (message, signature, proof) through the JSON API by the member signed in on `request`;
 * returns its key. Signed with ethers, independently of the app's own code.
 */
export async function provenWallet(request: APIRequestContext): Promise<HDNodeWallet> {
  const wallet = Wallet.createRandom();
  const issued = await request.post("/api/me/wallets/challenge", { data: { address: wallet.address } });
  expect(issued.status()).toBe(201);
  const { message } = await issued.json();
  const proven = await request.post("/api/me/wallets", { data: { message, signature: await wallet.signMessage(message) } });
  expect(proven.status()).toBe(201);
  return wallet;
}

/**
 * Gives the page a browser wallet: an EIP-1193 provider at `window.ethereum` that shares `wallet`'s account and
 * signs with its key (the signing happens in the test process, with ethers).
 */
export async function injectWallet(page: Page, wallet: HDNodeWallet) {
  await page.exposeFunction("__testWalletSign", (hex: string) => wallet.signMessage(getBytes(hex)));
  await page.addInitScript((address: string) => {
    const w = window as unknown as { ethereum: unknown; __testWalletSign: (hex: string) => Promise<string> };
    w.ethereum = {
      request: async ({ method, params }: { method: string; params?: string[] }) => {
        if (method === "eth_requestAccounts" || method === "eth_accounts") return [address.toLowerCase()];
        if (method === "personal_sign" && params) return w.__testWalletSign(params[0]);
        throw Object.assign(new Error(`unsupported method ${method}`), { code: 4200 });
      },
    };
  }, wallet.address);
}

/** On the test payment page, the order's buyer makes the provider notify `outcome` (approve, decline, refund). */
export async function testPayment(page: Page, reference: string, outcome: "approve" | "decline" | "refund") {
  await page.goto(`/en/pay/test/${reference}`);
  await expect(page.locator("body[data-hydrated='true']")).toHaveCount(1);
  await page.getByTestId(`test-${outcome}`).click();
  await expect(page).toHaveURL(new RegExp(`/en/orders/${reference}$`));
}

/**
 * A referred buyer who paid one espresso by test card; returns the order reference (its reward is pending).
 * `later`, if given, runs as that buyer before their browser context closes (a refund, say).
 */
export async function cardPaidReward(
  browser: Browser,
  request: APIRequestContext,
  code: string,
  later?: (buyer: Page, reference: string) => Promise<void>,
): Promise<string> {
  const context = await newContext(browser);
  const page = await context.newPage();
  await page.goto(`/en/store?ref=${code}`);
  expect((await page.request.post("/api/auth/signup", { data: { email: uniqueEmail("admin-buyer"), password: PASSWORD } })).status()).toBe(201);
  const created = await page.request.post("/api/store/orders", { data: { items: [{ productId: "coffee-filter-ethiopia", quantity: 1 }] } });
  expect(created.status()).toBe(201);
  const reference = (await created.json()).orderReference as string;
  await testPayment(page, reference, "approve");
  await expect(page.getByTestId("order")).toHaveAttribute("data-status", "paid");
  await later?.(page, reference);
  await context.close();
  return reference;
}

/** Signs the demo admin in on `page`. */
export async function signInAdmin(page: Page) {
  const resp = await page.request.post("/api/auth/login", { data: { email: "admin@refcodes.local", password: "admin-demo-password" } });
  expect(resp.status()).toBe(200);
}
