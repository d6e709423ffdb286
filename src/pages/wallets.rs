//! The member's payout wallets on `/refcodes`: each is proven by signing an EIP-4361 message, either in the
//! browser's own wallet (an injected EIP-1193 provider, after hydration) or anywhere else with the signature pasted
//! back (a plain form: works without JavaScript).
use super::errors::ErrorText;
use crate::api::refcodes::{IssueWalletChallenge, ProveWallet, RemoveWallet};
use crate::domain::wallet::{Wallet, WalletChallenge};
use crate::error::AppError;
use crate::i18n::*;
use leptos::prelude::*;

/// Why the browser's wallet did not prove an address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BrowserWalletError {
    /// No EIP-1193 provider (`window.ethereum`) in this browser.
    NoWallet,
    /// The wallet refused to share an account or to sign.
    Refused,
    Server(AppError),
}

/// The forms of the wallet card; the board reloads after each success (`reload`).
#[derive(Clone, Copy)]
pub struct WalletActions {
    pub challenge: ServerAction<IssueWalletChallenge>,
    pub prove: ServerAction<ProveWallet>,
    pub remove: ServerAction<RemoveWallet>,
    pub reload: RwSignal<u32>,
}

impl WalletActions {
    pub fn new(reload: RwSignal<u32>) -> Self {
        WalletActions {
            challenge: ServerAction::new(),
            prove: ServerAction::new(),
            remove: ServerAction::new(),
            reload,
        }
    }
}

fn failure<T: Clone + Send + Sync + 'static>(
    value: impl Fn() -> Option<Result<T, AppError>> + Send + Sync + 'static,
) -> Signal<Option<AppError>> {
    Signal::derive(move || value().and_then(Result::err))
}

/// The card's forms; `list` (the wallets and open messages) comes from the page's board.
#[component]
pub fn WalletsCard(actions: WalletActions, children: Children) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="card" data-testid="wallets-card">
            <h2>{t!(i18n, refcodes.wallets.title)}</h2>
            <p class="hint">{t!(i18n, refcodes.wallets.lead)}</p>
            {children()}
            <ErrorText error=failure(move || actions.remove.value().get()) />
            <ErrorText error=failure(move || actions.prove.value().get()) />
            <BrowserWallet reload=actions.reload />
            <ActionForm action=actions.challenge attr:data-testid="wallet-form">
                <label>
                    <span>{t!(i18n, refcodes.wallets.address)}</span>
                    <input type="text" name="address" required autocomplete="off" placeholder="0x…" />
                </label>
                <ErrorText error=failure(move || actions.challenge.value().get()) />
                <button type="submit" class="button">{t!(i18n, refcodes.wallets.add)}</button>
            </ActionForm>
        </section>
    }
}

/// The member's wallets, each proven or not, and the messages waiting for a signature.
#[component]
pub fn WalletList(
    wallets: Vec<Wallet>,
    challenges: Vec<WalletChallenge>,
    actions: WalletActions,
) -> impl IntoView {
    let i18n = use_i18n();
    let list = if wallets.is_empty() {
        view! { <p class="muted" data-testid="wallets-empty">{t!(i18n, refcodes.wallets.empty)}</p> }.into_any()
    } else {
        view! {
            <ul class="wallets" data-testid="wallets">
                {wallets.into_iter().map(|w| view! { <WalletRow wallet=w actions /> }).collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        {list}
        {challenges.into_iter().map(|c| view! { <PasteProof challenge=c prove=actions.prove /> }).collect_view()}
    }
}

#[component]
fn WalletRow(wallet: Wallet, actions: WalletActions) -> impl IntoView {
    let i18n = use_i18n();
    let proven = wallet.proven();
    let badge = if proven {
        view! { <span class="badge" data-testid="wallet-proven">{t!(i18n, refcodes.wallets.proven)}</span> }.into_any()
    } else {
        view! { <span class="badge muted" data-testid="wallet-unproven">{t!(i18n, refcodes.wallets.unproven)}</span> }.into_any()
    };
    let (attr, shown, field) = (
        wallet.address.clone(),
        wallet.address.clone(),
        wallet.address.clone(),
    );
    // A wallet declared before proofs existed is proven like a new one: its message is issued from here.
    let prove = (!proven).then(|| {
        view! {
            <ActionForm action=actions.challenge attr:class="inline">
                <input type="hidden" name="address" value=wallet.address />
                <button type="submit" class="link" data-testid="prove-wallet">{t!(i18n, refcodes.wallets.prove)}</button>
            </ActionForm>
        }
    });
    view! {
        <li data-testid="wallet" data-address=attr data-proven=proven.to_string()>
            <code>{shown}</code>" "{badge}
            {prove}
            <ActionForm action=actions.remove attr:class="inline">
                <input type="hidden" name="address" value=field />
                <button type="submit" class="link">{t!(i18n, refcodes.wallets.remove)}</button>
            </ActionForm>
        </li>
    }
}

/// An issued message to sign anywhere (a hardware wallet, `cast wallet sign`, a mobile wallet) and the field to paste
/// the signature into.
#[component]
fn PasteProof(challenge: WalletChallenge, prove: ServerAction<ProveWallet>) -> impl IntoView {
    let i18n = use_i18n();
    let address = challenge.address.clone();
    let expires = challenge.expires_at.format("%H:%M UTC").to_string();
    view! {
        <div class="proof" data-testid="wallet-challenge" data-address=challenge.address.clone()>
            <h3>{t!(i18n, refcodes.wallets.sign_title, address = move || address.clone())}</h3>
            <p class="hint">{t!(i18n, refcodes.wallets.sign_hint, time = move || expires.clone())}</p>
            <ActionForm action=prove>
                <textarea name="message" readonly rows="11" cols="64" data-testid="wallet-message">{challenge.message}</textarea>
                <label>
                    <span>{t!(i18n, refcodes.wallets.signature)}</span>
                    <input type="text" name="signature" required autocomplete="off" placeholder="0x…" data-testid="wallet-signature" />
                </label>
                <button type="submit" class="button">{t!(i18n, refcodes.wallets.prove)}</button>
            </ActionForm>
        </div>
    }
}

/// "Prove with my browser wallet": shown once hydrated in a browser that has one.
#[component]
fn BrowserWallet(reload: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let available = RwSignal::new(false);
    let outcome = RwSignal::new(None::<Result<(), BrowserWalletError>>);
    let busy = RwSignal::new(false);
    Effect::new(move |_| available.set(browser::has_wallet()));
    let prove = move |_| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = browser::prove().await;
            if result.is_ok() {
                reload.update(|n| *n += 1);
            }
            outcome.set(Some(result));
            busy.set(false);
        });
    };
    let refused = move || match outcome.get() {
        Some(Err(BrowserWalletError::NoWallet)) => {
            Some(t!(i18n, refcodes.wallets.no_browser_wallet).into_any())
        }
        Some(Err(BrowserWalletError::Refused)) => {
            Some(t!(i18n, refcodes.wallets.browser_refused).into_any())
        }
        _ => None,
    };
    let server_error = Signal::derive(move || match outcome.get() {
        Some(Err(BrowserWalletError::Server(e))) => Some(e),
        _ => None,
    });
    view! {
        <Show when=move || available.get()>
            <p>
                <button type="button" class="button" data-testid="browser-wallet" disabled=move || busy.get() on:click=prove>
                    {t!(i18n, refcodes.wallets.browser)}
                </button>
            </p>
        </Show>
        {move || refused().map(|text| view! { <p class="error" role="alert" data-testid="browser-wallet-error">{text}</p> })}
        <ErrorText error=server_error />
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    //! The injected EIP-1193 provider (`window.ethereum`), through `request({method, params})`.
    use super::BrowserWalletError;
    use crate::api::refcodes::{issue_wallet_challenge, prove_wallet};
    use js_sys::{Array, Function, Object, Promise, Reflect};
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;

    fn provider() -> Option<JsValue> {
        let window = web_sys::window()?;
        let ethereum = Reflect::get(&window, &JsValue::from_str("ethereum")).ok()?;
        (ethereum.is_object()).then_some(ethereum)
    }

    pub fn has_wallet() -> bool {
        provider().is_some()
    }

    async fn request(
        provider: &JsValue,
        method: &str,
        params: Array,
    ) -> Result<JsValue, BrowserWalletError> {
        let call = || -> Result<Promise, JsValue> {
            let args = Object::new();
            Reflect::set(&args, &"method".into(), &method.into())?;
            Reflect::set(&args, &"params".into(), &params)?;
            let request: Function = Reflect::get(provider, &"request".into())?.dyn_into()?;
            request.call1(provider, &args)?.dyn_into()
        };
        let promise = call().map_err(|_| BrowserWalletError::NoWallet)?;
        JsFuture::from(promise)
            .await
            .map_err(|_| BrowserWalletError::Refused)
    }

    /// `personal_sign` takes the message as hex-encoded UTF-8.
    fn hex_utf8(text: &str) -> String {
        let mut hex = String::with_capacity(2 + text.len() * 2);
        hex.push_str("0x");
        for b in text.bytes() {
            hex.push_str(&format!("{b:02x}"));
        }
        hex
    }

    /// Asks the wallet for its account, has the server issue the message, has the wallet sign it, sends it back.
    pub async fn prove() -> Result<(), BrowserWalletError> {
        let provider = provider().ok_or(BrowserWalletError::NoWallet)?;
        let accounts = request(&provider, "eth_requestAccounts", Array::new()).await?;
        let account = Array::from(&accounts)
            .get(0)
            .as_string()
            .ok_or(BrowserWalletError::Refused)?;
        let challenge = issue_wallet_challenge(account.clone())
            .await
            .map_err(BrowserWalletError::Server)?;
        let params = Array::of2(&hex_utf8(&challenge.message).into(), &account.into());
        let signature = request(&provider, "personal_sign", params)
            .await?
            .as_string()
            .ok_or(BrowserWalletError::Refused)?;
        prove_wallet(challenge.message, signature)
            .await
            .map(drop)
            .map_err(BrowserWalletError::Server)
    }
}

#[cfg(not(feature = "hydrate"))]
mod browser {
    //! On the server there is no browser wallet: the button is never shown.
    use super::BrowserWalletError;

    pub fn has_wallet() -> bool {
        false
    }

    pub async fn prove() -> Result<(), BrowserWalletError> {
        Err(BrowserWalletError::NoWallet)
    }
}
