//! The member's page (the seed's REFCODES route): codes with share link, copy button, QR code and funnel;
//! forms to create, edit, disable and delete codes; the member's own wallets.
use super::errors::ErrorText;
use super::guard::RequireUser;
use super::my_rewards::MyRewards;
use super::wallets::{WalletActions, WalletList, WalletsCard};
use crate::api::refcodes::{
    load_refcodes, CreateRefcode, DeleteRefcode, EditRefcode, RefcodesBoard, Removal,
    SetRefcodeActive,
};
use crate::domain::refcode::{
    format_token_amount, CodeState, RefcodeCard, RewardTally, MAX_CODE_LEN, MIN_CODE_LEN,
    REWARD_TOKEN_DECIMALS,
};
use crate::domain::wallet::is_proven;
use crate::error::AppError;
use crate::i18n::*;
use crate::pages::title::PageTitle;
use crate::routes::use_locale_code;
use leptos::prelude::*;

#[component]
pub fn RefcodesPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <PageTitle text=move || t_string!(i18n, refcodes.page.title).to_string() />
        <RequireUser>
            <h1>{t!(i18n, refcodes.page.title)}</h1>
            <Board />
        </RequireUser>
    }
}

/// Bumped after every successful change; the board reloads on it.
#[derive(Clone, Copy)]
struct Changed(RwSignal<u32>);

/// The orders whose rewards the last wallet change of a code moved to its new wallet; kept by the board, as the
/// code's card is rebuilt by the reload that follows the change.
#[derive(Clone, Copy)]
struct Repointed(RwSignal<Vec<String>>);

impl Changed {
    /// Reloads the board whenever `value` turns into a success.
    fn after<T: Clone + Send + Sync + 'static>(
        self,
        value: impl Fn() -> Option<Result<T, AppError>> + Send + Sync + 'static,
    ) {
        Effect::new(move |_| {
            if matches!(value(), Some(Ok(_))) {
                self.0.update(|n| *n += 1);
            }
        });
    }
}

fn failure<T: Clone + Send + Sync + 'static>(
    value: impl Fn() -> Option<Result<T, AppError>> + Send + Sync + 'static,
) -> Signal<Option<AppError>> {
    Signal::derive(move || value().and_then(Result::err))
}

#[component]
fn Board() -> impl IntoView {
    let i18n = use_i18n();
    let locale = use_locale_code();
    let changed = Changed(RwSignal::new(0));
    // The forms outside the reloading parts keep their state (inputs, messages) across reloads.
    let create = ServerAction::<CreateRefcode>::new();
    let wallets = WalletActions::new(changed.0);
    let repointed = Repointed(RwSignal::new(Vec::new()));
    provide_context(repointed);
    changed.after(move || create.value().get());
    changed.after(move || wallets.challenge.value().get());
    changed.after(move || wallets.prove.value().get());
    changed.after(move || wallets.remove.value().get());
    let board = crate::resource::load(
        move || (locale(), changed.0.get()),
        |(locale, _)| load_refcodes(locale.to_string()),
    );
    let loading = move || view! { <p class="muted">{t!(i18n, common.loading)}</p> };
    let repointed_note = move || {
        let orders = repointed.0.get();
        (!orders.is_empty()).then(|| {
            let orders = orders.join(", ");
            view! {
                <p class="success" role="status" data-testid="repointed">
                    {t!(i18n, refcodes.card.repointed, orders = move || orders.clone())}
                </p>
            }
        })
    };
    view! {
        {repointed_note}
        <Transition fallback=loading>
            {move || Suspend::new(async move {
                match board.await {
                    Ok(board) => view! { <Codes board changed /> }.into_any(),
                    Err(e) => view! { <ErrorText error=Some(e) /> }.into_any(),
                }
            })}
        </Transition>
        <CreateForm create />
        <MyRewards />
        <WalletsCard actions=wallets>
            <Transition fallback=loading>
                {move || Suspend::new(async move {
                    board.await.ok().map(|b| view! { <WalletList wallets=b.wallets challenges=b.challenges actions=wallets /> })
                })}
            </Transition>
        </WalletsCard>
    }
}

#[component]
fn Codes(board: RefcodesBoard, changed: Changed) -> impl IntoView {
    let i18n = use_i18n();
    let RefcodesBoard {
        cards,
        wallets,
        max_codes,
        cookie_days,
        ..
    } = board;
    let held = cards.len();
    if cards.is_empty() {
        return view! {
            <section class="card empty" data-testid="refcodes-empty">
                <h2>{t!(i18n, refcodes.page.empty_title)}</h2>
                <p>{t!(i18n, refcodes.page.empty_body, days = move || cookie_days)}</p>
            </section>
        }
        .into_any();
    }
    view! {
        <p class="muted" data-testid="codes-count">
            {t!(i18n, refcodes.page.codes_count, count = move || held, max = move || max_codes)}
        </p>
        <ul class="codes" data-testid="refcodes-list">
            {cards
                .into_iter()
                .map(|card| {
                    let wallet_proven = is_proven(&wallets, &card.refcode.wallet);
                    view! { <CodeCard card wallet_proven changed /> }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn CreateForm(create: ServerAction<CreateRefcode>) -> impl IntoView {
    let i18n = use_i18n();
    let created = move || create.value().get().and_then(Result::ok).map(|c| c.code);
    view! {
        <section class="card">
            <h2>{t!(i18n, refcodes.create.title)}</h2>
            <ActionForm action=create attr:data-testid="create-form">
                <label>
                    <span>{t!(i18n, refcodes.create.code)}</span>
                    <input
                        type="text"
                        name="code"
                        autocomplete="off"
                        maxlength=MAX_CODE_LEN
                        pattern="[A-Za-z0-9\\-]*"
                    />
                </label>
                <p class="hint">
                    {t!(i18n, refcodes.create.code_hint, min = move || MIN_CODE_LEN, count = move || MAX_CODE_LEN)}
                </p>
                <label>
                    <span>{t!(i18n, refcodes.create.wallet)}</span>
                    <input type="text" name="wallet" required autocomplete="off" placeholder="0x…" />
                </label>
                <label>
                    <span>{t!(i18n, refcodes.create.label)}</span>
                    <input type="text" name="label" autocomplete="off" />
                </label>
                <ErrorText error=failure(move || create.value().get()) />
                {move || {
                    created()
                        .map(|code| {
                            view! {
                                <p class="success" role="status">
                                    {t!(i18n, refcodes.create.created, code = move || code.clone())}
                                </p>
                            }
                        })
                }}
                <button type="submit" class="button" disabled=move || create.pending().get()>
                    {t!(i18n, refcodes.create.submit)}
                </button>
            </ActionForm>
        </section>
    }
}

#[component]
fn CodeCard(card: RefcodeCard, wallet_proven: bool, changed: Changed) -> impl IntoView {
    let i18n = use_i18n();
    let edit = ServerAction::<EditRefcode>::new();
    let toggle = ServerAction::<SetRefcodeActive>::new();
    let delete = ServerAction::<DeleteRefcode>::new();
    changed.after(move || edit.value().get());
    let repointed = use_context::<Repointed>();
    Effect::new(move |_| {
        if let (Some(Ok(edited)), Some(r)) = (edit.value().get(), repointed) {
            r.0.set(edited.repointed_rewards);
        }
    });
    changed.after(move || toggle.value().get());
    changed.after(move || delete.value().get());
    let RefcodeCard {
        refcode,
        funnel,
        share_link,
        qr_svg,
    } = card;
    let code = refcode.code.clone();
    let (code_attr, code_title, code_edit, code_toggle, code_delete) =
        (code.clone(), code.clone(), code.clone(), code.clone(), code);
    let (active, blocked) = (refcode.active, refcode.blocked);
    let label = refcode.label.clone().unwrap_or_default();
    let label_shown = label.clone();
    let state = CodeState::of(active, blocked);
    let status = match state {
        CodeState::Active => t!(i18n, refcodes.card.active).into_any(),
        CodeState::Inactive => t!(i18n, refcodes.card.inactive).into_any(),
        CodeState::Blocked => t!(i18n, refcodes.card.blocked).into_any(),
    };
    let toggle_text = if active {
        t!(i18n, refcodes.card.disable).into_any()
    } else {
        t!(i18n, refcodes.card.enable).into_any()
    };
    view! {
        <li class="card code" data-testid="refcode" data-code=code_attr data-active=active.to_string() data-blocked=blocked.to_string()>
            <header class="code-head">
                <h2 class="code-name">{code_title}</h2>
                <span class=if state == CodeState::Active { "badge" } else { "badge muted" } data-testid="code-state">{status}</span>
                {(!label.is_empty()).then(|| view! { <span class="code-label">{label_shown}</span> })}
            </header>
            {blocked.then(|| view! { <p class="notice" data-testid="code-blocked">{t!(i18n, refcodes.card.blocked_note)}</p> })}
            <div class="share">
                <label>
                    <span>{t!(i18n, refcodes.card.share_link)}</span>
                    <input type="text" readonly value=share_link.clone() data-testid="share-link" />
                </label>
                <CopyButton text=share_link.clone() />
                <figure
                    class="qr"
                    data-testid="qr"
                    role="img"
                    aria-label=move || t_string!(i18n, refcodes.card.qr_alt)
                    inner_html=qr_svg
                ></figure>
            </div>
            <p class="wallet">
                {t!(i18n, refcodes.card.wallet)} " " <code data-testid="code-wallet">{refcode.wallet.clone()}</code>
            </p>
            {(!wallet_proven).then(|| view! { <p class="notice" data-testid="code-wallet-unproven">{t!(i18n, refcodes.card.wallet_unproven)}</p> })}
            <FunnelView funnel />
            <details class="edit">
                <summary>{t!(i18n, refcodes.card.edit)}</summary>
                <ActionForm action=edit>
                    <input type="hidden" name="code" value=code_edit />
                    <label>
                        <span>{t!(i18n, refcodes.create.wallet)}</span>
                        <input type="text" name="wallet" required autocomplete="off" value=refcode.wallet.clone() />
                    </label>
                    <label>
                        <span>{t!(i18n, refcodes.create.label)}</span>
                        <input type="text" name="label" autocomplete="off" value=label />
                    </label>
                    <button type="submit" class="button">{t!(i18n, refcodes.card.save)}</button>
                </ActionForm>
            </details>
            <ErrorText error=failure(move || edit.value().get()) />
            <div class="actions">
                {(!blocked).then(|| view! {
                    <ActionForm action=toggle attr:class="inline">
                        <input type="hidden" name="code" value=code_toggle />
                        <input type="hidden" name="active" value=(!active).to_string() />
                        <button type="submit" class="button secondary" data-testid="toggle-code">{toggle_text}</button>
                    </ActionForm>
                })}
                <ActionForm action=delete attr:class="inline">
                    <input type="hidden" name="code" value=code_delete />
                    <button type="submit" class="button danger" data-testid="delete-code">
                        {t!(i18n, refcodes.card.delete)}
                    </button>
                </ActionForm>
            </div>
            <ErrorText error=failure(move || toggle.value().get()) />
            <ErrorText error=failure(move || delete.value().get()) />
            {move || {
                matches!(delete.value().get(), Some(Ok(Removal::Deactivated)))
                    .then(|| view! { <p class="notice" role="status">{t!(i18n, refcodes.card.deactivated_instead)}</p> })
            }}
        </li>
    }
}

/// Copies the share link (after hydration; before it, the link field can be selected by hand).
#[component]
fn CopyButton(text: String) -> impl IntoView {
    let i18n = use_i18n();
    let copied = RwSignal::new(false);
    let copy = move |_| {
        #[cfg(feature = "hydrate")]
        {
            // The promise settles on its own; the field shows the link either way.
            let _ = window().navigator().clipboard().write_text(&text);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = &text;
        copied.set(true);
    };
    view! {
        <button type="button" class="button secondary" data-testid="copy-link" on:click=copy>
            <Show when=move || copied.get() fallback=move || t!(i18n, refcodes.card.copy)>
                {t!(i18n, refcodes.card.copied)}
            </Show>
        </button>
    }
}

#[component]
fn FunnelView(funnel: crate::domain::refcode::Funnel) -> impl IntoView {
    let i18n = use_i18n();
    let (visits, signups, orders) = (funnel.visits, funnel.signups, funnel.orders);
    let tally = |testid: &'static str, t: RewardTally, label: AnyView| {
        let count = t.count;
        let amount = format_token_amount(&t.amount_wei, REWARD_TOKEN_DECIMALS);
        view! {
            <li data-testid=testid data-count=count data-amount-wei=t.amount_wei.clone()>
                {label} ": "
                {t!(i18n, refcodes.funnel.rewards, count = move || count)} " · "
                {t!(i18n, refcodes.funnel.amount, amount = move || amount.clone())}
            </li>
        }
    };
    view! {
        <section class="funnel">
            <h3>{t!(i18n, refcodes.funnel.title)}</h3>
            <ul class="funnel-steps">
                <li data-testid="funnel-visits" data-count=visits>
                    {t!(i18n, refcodes.funnel.visits, count = move || visits)}
                </li>
                <li data-testid="funnel-signups" data-count=signups>
                    {t!(i18n, refcodes.funnel.signups, count = move || signups)}
                </li>
                <li data-testid="funnel-orders" data-count=orders>
                    {t!(i18n, refcodes.funnel.orders, count = move || orders)}
                </li>
            </ul>
            <ul class="funnel-rewards">
                {tally("rewards-pending", funnel.pending, t!(i18n, refcodes.funnel.pending).into_any())}
                {tally("rewards-approved", funnel.approved, t!(i18n, refcodes.funnel.approved).into_any())}
                {tally("rewards-minted", funnel.minted, t!(i18n, refcodes.funnel.minted).into_any())}
                {(funnel.clawed_back.count > 0).then(|| tally("rewards-clawed-back", funnel.clawed_back, t!(i18n, refcodes.funnel.clawed_back).into_any()))}
            </ul>
        </section>
    }
}
