//! The reward ledger: filters (kept in the URL), totals, row and bulk actions, the CSV export of the filter.
use super::Actions;
use crate::api::admin::{load_admin_rewards, AdminAct, AdminBulk};
use crate::domain::admin::{AdminReward, RewardFilter, StatusTotal};
use crate::domain::money::display;
use crate::domain::refcode::{format_token_amount, REWARD_TOKEN_DECIMALS};
use crate::domain::reward::{RewardKind, RewardStatus, TxLinks};
use crate::domain::store::{AttributedVia, Rail};
use crate::i18n::*;
use crate::pages::errors::ErrorText;
use crate::pages::reward_labels::{reward_status_label, HoldNote, NettedNote, PriceNote, TxHash};
use crate::routes::query_value;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The filter and page cursor as the URL's query holds them.
fn filter_from_query(get: impl Fn(&str) -> Option<String>) -> RewardFilter {
    let text = |k: &str| get(k).filter(|v| !v.trim().is_empty());
    RewardFilter {
        status: text("status").and_then(|s| RewardStatus::parse(&s)),
        rail: text("rail").and_then(|r| match r.as_str() {
            "fiat" => Some(Rail::Fiat),
            "crypto" => Some(Rail::Crypto),
            _ => None,
        }),
        kind: text("kind").and_then(|k| match k.as_str() {
            "store" => Some(RewardKind::Store),
            "membership" => Some(RewardKind::Membership),
            _ => None,
        }),
        code: text("code"),
        referrer: text("referrer"),
        from: text("from").and_then(|d| d.parse().ok()),
        to: text("to").and_then(|d| d.parse().ok()),
        search: text("search"),
    }
}

/// The same filter as a query string (for the CSV link and the next page).
fn query_of(f: &RewardFilter) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut push = |k: &str, v: Option<String>| {
        if let Some(v) = v {
            parts.push(format!("{k}={}", query_value(&v)));
        }
    };
    push("status", f.status.map(|s| s.as_str().into()));
    push("rail", f.rail.map(|r| r.as_str().into()));
    push("kind", f.kind.map(|k| k.as_str().into()));
    push("code", f.code.clone());
    push("referrer", f.referrer.clone());
    push("from", f.from.map(|d| d.to_string()));
    push("to", f.to.map(|d| d.to_string()));
    push("search", f.search.clone());
    parts.join("&")
}

#[component]
pub fn Ledger() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let filter = Memo::new(move |_| filter_from_query(|k| query.read().get(k)));
    let cursor = Memo::new(move |_| query.read().get("cursor"));
    let actions = expect_context::<Actions>();
    let (act, bulk) = (actions.act, actions.bulk);
    let page = crate::resource::load(
        move || (filter.get(), cursor.get(), actions.changes()),
        |(filter, cursor, _)| load_admin_rewards(filter, cursor),
    );
    let selected = RwSignal::new(Vec::<String>::new());
    view! {
        <FilterForm filter />
        <ErrorText error=Signal::derive(move || act.value().get().and_then(Result::err)) />
        <Suspense fallback=move || view! { <p class="muted">{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => {
                        let f = filter.get_untracked();
                        let next = page.next_cursor.clone().map(|c| {
                            let q = query_of(&f);
                            if q.is_empty() { format!("?cursor={c}") } else { format!("?{q}&cursor={c}") }
                        });
                        view! {
                            <Totals totals=page.totals.clone() />
                            <BulkBar bulk selected filter=f.clone() matching=page.totals.iter().map(|t| t.count).sum() />
                            <Rows rows=page.rows links=page.tx_links act selected />
                            {next.map(|href| view! { <p><a href=href data-testid="next-page">{t!(i18n, refcodes.admin.next)}</a></p> })}
                            <p><a href=format!("/api/admin/rewards.csv?{}", query_of(&f)) data-testid="export-csv" download>{t!(i18n, refcodes.admin.export_csv)}</a></p>
                        }
                            .into_any()
                    }
                    Err(e) => view! { <ErrorText error=Some(e) /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn FilterForm(filter: Memo<RewardFilter>) -> impl IntoView {
    let i18n = use_i18n();
    let f = move || filter.get();
    let option = move |value: &'static str, label: AnyView, current: Option<String>| {
        view! { <option value=value selected=current.as_deref() == Some(value)>{label}</option> }
    };
    view! {
        <form method="get" class="card filters" data-testid="filters">
            <label>
                <span>{t!(i18n, refcodes.admin.status)}</span>
                <select name="status">
                    <option value="">{t!(i18n, refcodes.admin.any)}</option>
                    {RewardStatus::ALL.into_iter().map(|s| {
                        view! { <option value=s.as_str() selected=move || f().status == Some(s)>{reward_status_label(s)}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>
                <span>{t!(i18n, refcodes.admin.rail)}</span>
                <select name="rail">
                    <option value="">{t!(i18n, refcodes.admin.any)}</option>
                    {move || {
                        let current = f().rail.map(|r| r.as_str().to_string());
                        view! {
                            {option("fiat", t!(i18n, refcodes.admin.rail_fiat).into_any(), current.clone())}
                            {option("crypto", t!(i18n, refcodes.admin.rail_crypto).into_any(), current)}
                        }
                    }}
                </select>
            </label>
            <label>
                <span>{t!(i18n, refcodes.admin.kind)}</span>
                <select name="kind">
                    <option value="">{t!(i18n, refcodes.admin.any)}</option>
                    {move || {
                        let current = f().kind.map(|k| k.as_str().to_string());
                        view! {
                            {option("store", t!(i18n, refcodes.admin.kind_store).into_any(), current.clone())}
                            {option("membership", t!(i18n, refcodes.admin.kind_membership).into_any(), current)}
                        }
                    }}
                </select>
            </label>
            <label><span>{t!(i18n, refcodes.admin.code)}</span><input name="code" value=move || f().code.unwrap_or_default() /></label>
            <label><span>{t!(i18n, refcodes.admin.referrer)}</span><input name="referrer" type="email" value=move || f().referrer.unwrap_or_default() /></label>
            <label><span>{t!(i18n, refcodes.admin.from)}</span><input name="from" type="date" value=move || f().from.map(|d| d.to_string()).unwrap_or_default() /></label>
            <label><span>{t!(i18n, refcodes.admin.to)}</span><input name="to" type="date" value=move || f().to.map(|d| d.to_string()).unwrap_or_default() /></label>
            <label><span>{t!(i18n, refcodes.admin.search)}</span><input name="search" value=move || f().search.unwrap_or_default() /></label>
            <button type="submit" class="button" data-testid="apply-filters">{t!(i18n, refcodes.admin.apply)}</button>
        </form>
    }
}

#[component]
fn Totals(totals: Vec<StatusTotal>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ul class="totals" data-testid="totals">
            {totals.into_iter().map(|t| {
                let count = t.count;
                let tokens = format_token_amount(&t.amount_wei, REWARD_TOKEN_DECIMALS);
                view! {
                    <li data-status=t.status.as_str() data-currency=t.currency.clone() data-count=count>
                        {reward_status_label(t.status)} ": "
                        {t!(i18n, refcodes.admin.rewards_count, count = move || count)} " · "
                        {display(t.fiat_amount, &t.currency)} " " {t.currency.clone()} " · "
                        {t!(i18n, refcodes.funnel.amount, amount = move || tokens.clone())}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

#[component]
fn BulkBar(
    bulk: ServerAction<AdminBulk>,
    selected: RwSignal<Vec<String>>,
    filter: RewardFilter,
    matching: i64,
) -> impl IntoView {
    let i18n = use_i18n();
    let reason = RwSignal::new(String::new());
    let confirming = RwSignal::new(false);
    let run = move |action: &'static str, all: bool| {
        let ids = if all {
            Vec::new()
        } else {
            selected.get_untracked()
        };
        let reason = Some(reason.get_untracked()).filter(|r| !r.trim().is_empty());
        bulk.dispatch(AdminBulk {
            action: action.into(),
            reason,
            ids,
            filter: filter.clone(),
        });
        selected.set(Vec::new());
    };
    let count = move || selected.get().len();
    let done = move || {
        bulk.value().get().and_then(Result::ok).map(|d| {
        let moved = d.moved;
        view! { <p class="notice" role="status" data-testid="bulk-done">{t!(i18n, refcodes.admin.done, count = move || moved)}</p> }
    })
    };
    let run_all = run.clone();
    view! {
        <section class="card bulk" data-testid="bulk">
            <h2>{t!(i18n, refcodes.admin.bulk_title)}</h2>
            <label><span>{t!(i18n, refcodes.admin.reason)}</span><input bind:value=reason data-testid="bulk-reason" /></label>
            <button type="button" class="button" disabled=move || count() == 0 on:click={let run = run.clone(); move |_| run("approve", false)}>
                {t!(i18n, refcodes.admin.approve_selected, count = count)}
            </button>
            <button type="button" class="button secondary" disabled=move || count() == 0 on:click=move |_| run("reject", false)>
                {t!(i18n, refcodes.admin.reject_selected, count = count)}
            </button>
            <button
                type="button"
                class="button secondary"
                data-testid="approve-all"
                disabled=matching == 0
                on:click=move |_| confirming.set(true)
            >
                {t!(i18n, refcodes.admin.approve_all, count = move || matching)}
            </button>
            <Show when=move || confirming.get()>
                <p class="notice" data-testid="confirm-all">
                    {t!(i18n, refcodes.admin.confirm_all, count = move || matching)} " "
                    <button type="button" class="button" data-testid="confirm-all-yes" on:click={
                        let run_all = run_all.clone();
                        move |_| {
                            confirming.set(false);
                            run_all("approve", true);
                        }
                    }>{t!(i18n, refcodes.admin.yes)}</button>
                    <button type="button" class="link" on:click=move |_| confirming.set(false)>{t!(i18n, refcodes.admin.cancel)}</button>
                </p>
            </Show>
            {done}
            <ErrorText error=Signal::derive(move || bulk.value().get().and_then(Result::err)) />
        </section>
    }
}

#[component]
fn Rows(
    rows: Vec<AdminReward>,
    links: TxLinks,
    act: ServerAction<AdminAct>,
    selected: RwSignal<Vec<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    if rows.is_empty() {
        return view! { <p class="muted" data-testid="ledger-empty">{t!(i18n, refcodes.admin.empty)}</p> }.into_any();
    }
    view! {
        <table class="ledger" data-testid="ledger">
            <thead>
                <tr>
                    <th></th>
                    <th>{t!(i18n, refcodes.rewards.order)}</th>
                    <th>{t!(i18n, refcodes.admin.people)}</th>
                    <th>{t!(i18n, refcodes.admin.amount)}</th>
                    <th>{t!(i18n, refcodes.rewards.status)}</th>
                    <th>{t!(i18n, refcodes.rewards.tx)}</th>
                    <th>{t!(i18n, refcodes.admin.actions)}</th>
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|r| view! { <Row r links=links.clone() act selected /> }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
fn Row(
    r: AdminReward,
    links: TxLinks,
    act: ServerAction<AdminAct>,
    selected: RwSignal<Vec<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = r.id.clone();
    let toggle_id = id.clone();
    let checked = {
        let id = id.clone();
        move || selected.get().contains(&id)
    };
    let toggle = move |_| {
        selected.update(|s| match s.iter().position(|x| *x == toggle_id) {
            Some(i) => {
                s.remove(i);
            }
            None => s.push(toggle_id.clone()),
        })
    };
    let status = r.status;
    let tokens = format_token_amount(&r.amount_wei, REWARD_TOKEN_DECIMALS);
    let price = r
        .oracle_price
        .clone()
        .map(|p| format_token_amount(&p, r.oracle_decimals.unwrap_or(0) as usize));
    let button = |action: &'static str, label: AnyView| {
        let id = id.clone();
        view! {
            <ActionForm action=act attr:class="inline">
                <input type="hidden" name="id" value=id />
                <input type="hidden" name="action" value=action />
                <button type="submit" class="link" data-testid=format!("row-{action}")>{label}</button>
            </ActionForm>
        }
    };
    view! {
        <tr data-testid="ledger-row" data-id=r.id.clone() data-status=status.as_str() data-order=r.order_reference.clone()>
            <td><input type="checkbox" prop:checked=checked on:change=toggle aria-label=r.order_reference.clone() /></td>
            <td>
                <code>{r.order_reference.clone()}</code><br />
                <small>{r.created_at.format("%Y-%m-%d %H:%M").to_string()}</small>
            </td>
            <td>
                {r.buyer_email.clone().unwrap_or_default()} " → " {r.referrer_email.clone().unwrap_or_default()}<br />
                <small>{r.referral_code.clone()} " · " <code>{r.referrer_wallet.clone()}</code></small>
                {r.attributed_via.map(|via| view! {
                    <br />
                    <small class="muted" data-testid="row-via">
                        {match via {
                            AttributedVia::Link => t!(i18n, refcodes.admin.via_link).into_any(),
                            AttributedVia::Signup => t!(i18n, refcodes.admin.via_signup).into_any(),
                        }}
                    </small>
                })}
            </td>
            <td>
                {display(r.fiat_amount, &r.currency)} " · " {t!(i18n, refcodes.funnel.amount, amount = move || tokens.clone())}<br />
                <small>{price.map(|p| format!("@ {p} {}", r.currency))} " " {r.rail.as_str()}</small>
            </td>
            <td data-testid="row-status">
                {reward_status_label(status)}
                <HoldNote until=r.hold_until />
                <NettedNote wei=r.netted_wei.clone() />
                <PriceNote needed=r.price_needed />
                {r.last_error.clone().map(|e| view! { <br /><small class="error">{e}</small> })}
                {r.rejected_reason.clone().map(|e| view! { <br /><small>{e}</small> })}
                {r.clawback_wei.clone().map(|wei| {
                    let amount = format_token_amount(&wei, REWARD_TOKEN_DECIMALS);
                    view! { <br /><small class="error" data-testid="row-clawback">{t!(i18n, refcodes.admin.clawback, amount = move || amount.clone())}</small> }
                })}
            </td>
            <td data-testid="row-tx">
                {r.tx_hash.clone().map(|hash| view! { <TxHash hash links /> })}
                {r.block_number.map(|b| view! { <br /><small>{format!("#{b}")}</small> })}
            </td>
            <td class="actions">
                {(status == RewardStatus::Pending).then(|| button("approve", t!(i18n, refcodes.admin.approve).into_any()))}
                {(status == RewardStatus::Failed).then(|| button("retry", t!(i18n, refcodes.admin.retry).into_any()))}
                {status.can_become(RewardStatus::Voided).then(|| button("void", t!(i18n, refcodes.admin.void).into_any()))}
                {(status == RewardStatus::Pending).then(|| {
                    let id = id.clone();
                    view! {
                        <ActionForm action=act attr:class="inline reject">
                            <input type="hidden" name="id" value=id />
                            <input type="hidden" name="action" value="reject" />
                            <input name="reason" required placeholder=move || t_string!(i18n, refcodes.admin.reason) data-testid="row-reason" />
                            <button type="submit" class="link" data-testid="row-reject">{t!(i18n, refcodes.admin.reject)}</button>
                        </ActionForm>
                    }
                })}
            </td>
        </tr>
    }
}
