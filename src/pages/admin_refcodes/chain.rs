//! The chain card: the minter's gas and the treasury (with a warning when either is low), how the last run ended,
//! and what the last reconciliation found (`src/server/mint/health.rs` records them).
use super::Actions;
use crate::api::admin::load_chain_health;
use crate::domain::chain_watch::{Balances, ChainHealth, Drift, LastRun, Recorded, Report};
use crate::domain::refcode::{format_token_amount, REWARD_TOKEN_DECIMALS};
use crate::i18n::*;
use crate::pages::errors::ErrorText;
use leptos::prelude::*;

/// The chain's gas token has 18 decimals, as the reward token.
const GAS_DECIMALS: usize = 18;
/// Drift rows shown (after a database restore there may be thousands; the endpoint lists them all).
const DRIFT_ROWS: usize = 50;

#[component]
pub fn ChainCard() -> impl IntoView {
    let i18n = use_i18n();
    let actions = expect_context::<Actions>();
    let health = crate::resource::load(move || actions.changes(), |_| load_chain_health());
    view! {
        <section class="card" data-testid="admin-chain">
            <h2>{t!(i18n, refcodes.admin.chain_title)}</h2>
            <p class="muted">{t!(i18n, refcodes.admin.chain_lead)}</p>
            <Suspense fallback=move || view! { <p class="muted">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match health.await {
                        Ok(h) if h == ChainHealth::default() => {
                            view! { <p class="muted">{t!(i18n, refcodes.admin.chain_never)}</p> }.into_any()
                        }
                        Ok(h) => view! {
                            {h.balances.map(|b| view! { <BalancesView balances=b /> })}
                            {h.last_run.map(|r| view! { <LastRunView run=r /> })}
                            {h.reconciliation.map(|r| view! { <DriftView report=r /> })}
                        }
                        .into_any(),
                        Err(e) => view! { <ErrorText error=Some(e) /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

fn when(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

#[component]
fn BalancesView(balances: Recorded<Balances>) -> impl IntoView {
    let i18n = use_i18n();
    let b = balances.doc;
    let gas = format_token_amount(&b.gas_wei, GAS_DECIMALS);
    let low = format_token_amount(&b.low_gas_wei, GAS_DECIMALS);
    let tokens = |wei: &str| format_token_amount(wei, REWARD_TOKEN_DECIMALS);
    let (treasury, owed) = (tokens(&b.treasury_wei), tokens(&b.owed_wei));
    let transfer = b.mode == "transfer";
    view! {
        <p data-testid="chain-gas" data-low=b.gas_low.to_string()>
            {t!(i18n, refcodes.admin.chain_gas)} " " {gas} " · " <code>{b.minter.clone()}</code>
            " (" {when(balances.at)} ")"
        </p>
        {b.gas_low.then(|| view! {
            <p class="error" role="alert" data-testid="chain-gas-low">{t!(i18n, refcodes.admin.chain_gas_low, low = move || low.clone())}</p>
        })}
        <p data-testid="chain-treasury" data-mode=b.mode.clone() data-short=b.treasury_short.to_string()>
            {t!(i18n, refcodes.admin.chain_treasury)} " " {treasury} " · "
            {t!(i18n, refcodes.admin.chain_owed)} " " {owed} " · "
            {if transfer {
                t!(i18n, refcodes.admin.chain_mode_transfer).into_any()
            } else {
                t!(i18n, refcodes.admin.chain_mode_mint).into_any()
            }}
        </p>
        {b.treasury_short.then(|| view! {
            <p class="error" role="alert" data-testid="chain-treasury-short">{t!(i18n, refcodes.admin.chain_treasury_short)}</p>
        })}
    }
}

#[component]
fn LastRunView(run: Recorded<LastRun>) -> impl IntoView {
    let i18n = use_i18n();
    let at = when(run.at);
    match (run.doc.summary, run.doc.error) {
        (Some(s), _) => {
            let (minted, failed, waiting) = (s.minted, s.failed, s.pending + s.deferred);
            let (resent, reopened) = (s.resent, s.reopened);
            view! {
                <p data-testid="chain-last-run" data-minted=minted>
                    {t!(i18n, refcodes.admin.chain_last_run)} " " {at} " · "
                    {t!(i18n, refcodes.admin.mint_minted, count = move || minted)} " · "
                    {t!(i18n, refcodes.admin.mint_failed, count = move || failed)} " · "
                    {t!(i18n, refcodes.admin.mint_waiting, count = move || waiting)}
                    {(resent > 0).then(|| view! { " · " {t!(i18n, refcodes.admin.chain_resent, n = move || resent)} })}
                    {(reopened > 0).then(|| view! { " · " {t!(i18n, refcodes.admin.chain_reopened, n = move || reopened)} })}
                    {s.stopped_by.map(|why| view! { " · " {t!(i18n, refcodes.admin.mint_stopped)} " " {why} })}
                </p>
            }
            .into_any()
        }
        (None, error) => view! {
            <p class="error" data-testid="chain-last-run" data-failed="true">
                {t!(i18n, refcodes.admin.chain_run_failed)} " " {at} " · " {error.unwrap_or_default()}
            </p>
        }
        .into_any(),
    }
}

#[component]
fn DriftView(report: Recorded<Report>) -> impl IntoView {
    let i18n = use_i18n();
    let r = report.doc;
    let summary = view! {
        <p data-testid="chain-reconciled" data-drift=r.drift.len()>
            {t!(i18n, refcodes.admin.chain_reconciled)} " " {when(report.at)} " · "
            {t!(i18n, refcodes.admin.chain_blocks)} " " {r.from_block} "–" {r.to_block}
        </p>
    };
    let more = r.drift.len().saturating_sub(DRIFT_ROWS);
    let rows = if r.drift.is_empty() {
        view! { <p class="muted">{t!(i18n, refcodes.admin.chain_no_drift)}</p> }.into_any()
    } else {
        view! {
            <p class="error" role="alert">{t!(i18n, refcodes.admin.chain_drift)}</p>
            <ul class="tx-list">{r.drift.into_iter().take(DRIFT_ROWS).map(|d| view! { <DriftRow drift=d /> }).collect_view()}</ul>
            {(more > 0).then(|| view! { <p class="muted">{t!(i18n, refcodes.admin.chain_more_drift, n = move || more)}</p> })}
        }
        .into_any()
    };
    view! { {summary} {rows} }
}

#[component]
fn DriftRow(drift: Drift) -> impl IntoView {
    let i18n = use_i18n();
    let kind = drift.kind();
    let label = move || match kind {
        "mintedNotPaid" => t_string!(i18n, refcodes.admin.drift_mintedNotPaid),
        "paidNotMinted" => t_string!(i18n, refcodes.admin.drift_paidNotMinted),
        "recipientMismatch" => t_string!(i18n, refcodes.admin.drift_recipientMismatch),
        "amountMismatch" => t_string!(i18n, refcodes.admin.drift_amountMismatch),
        _ => t_string!(i18n, refcodes.admin.drift_txMismatch),
    };
    view! {
        <li data-testid="drift-row" data-kind=kind>
            {label} " · " <code>{drift.subject().to_string()}</code>
        </li>
    }
}
