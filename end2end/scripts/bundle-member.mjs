// A member of the release bundle's own, made through the JSON API as a client would: sign-up, a wallet proven by
// signing the issued EIP-4361 message (ethers), then the code BUNDLE-CHECK paying to it. Used by scripts/test.sh.
// Usage: node scripts/bundle-member.mjs http://127.0.0.1:PORT
import { Wallet } from "ethers";

const base = process.argv[2];
const cookies = new Map();

async function post(path, body) {
  const cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  const resp = await fetch(base + path, {
    method: "POST",
    headers: { "content-type": "application/json", cookie },
    body: JSON.stringify(body),
  });
  for (const set of resp.headers.getSetCookie()) {
    const [pair] = set.split(";");
    const at = pair.indexOf("=");
    cookies.set(pair.slice(0, at), pair.slice(at + 1));
  }
  if (resp.status !== 201) {
    throw new Error(`${path}: ${resp.status} ${await resp.text()}`);
  }
  return resp.json();
}

const wallet = Wallet.createRandom();
await post("/api/auth/signup", { email: "bundle@example.com", password: "bundle-check-password" });
const { message } = await post("/api/me/wallets/challenge", { address: wallet.address });
await post("/api/me/wallets", { message, signature: await wallet.signMessage(message) });
await post("/api/refcodes", { code: "BUNDLE-CHECK", wallet: wallet.address });
console.log(`bundle member: code BUNDLE-CHECK pays to ${wallet.address}, proven`);
