//! Every referral code with its owner, wallet and funnel; an admin blocks a code (or lifts the block).
//! The search and the page are in the URL (`codes`, `codes_after`).
use super::Actions;
use crate::api::admin::load_admin_codes;
use crate::domain::admin::AdminCode;
use crate::domain::refcode::CodeState;
use crate::i18n::*;
use crate::pages::errors::ErrorText;
use crate::routes::query_value;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn Codes() -> impl IntoView {
    let i18n = use_i18n();
    let actions = expect_context::<Actions>();
    let query = use_query_map();
    let search = Memo::new(move |_| query.read().get("codes"));
    let after = Memo::new(move |_| query.read().get("codes_after"));
    let page = crate::resource::load(
        move || (search.get(), after.get(), actions.changes()),
        |(search, after, _)| load_admin_codes(search, after),
    );
    view! {
        <section class="card" data-testid="codes">
            <h2>{t!(i18n, refcodes.admin.codes_title)}</h2>
            <form method="get" class="filters">
                <label>
                    <span>{t!(i18n, refcodes.admin.codes_search)}</span>
                    <input name="codes" value=move || search.get().unwrap_or_default() data-testid="codes-search" />
                </label>
                <button type="submit" class="button secondary">{t!(i18n, refcodes.admin.codes_apply)}</button>
            </form>
            <ErrorText error=Signal::derive(move || actions.code.value().get().and_then(Result::err)) />
            <Suspense fallback=move || view! { <p class="muted">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(page) if page.codes.is_empty() => view! { <p class="muted">{t!(i18n, refcodes.admin.codes_empty)}</p> }.into_any(),
                        Ok(page) => {
                            let next = page.next_cursor.map(|c| {
                                let s = search.get_untracked().map(|s| format!("codes={}&", query_value(&s))).unwrap_or_default();
                                format!("?{s}codes_after={}", query_value(&c))
                            });
                            view! {
                                <CodeTable codes=page.codes />
                                {next.map(|href| view! { <p><a href=href data-testid="codes-next">{t!(i18n, refcodes.admin.next)}</a></p> })}
                            }.into_any()
                        }
                        Err(e) => view! { <ErrorText error=Some(e) /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn CodeTable(codes: Vec<AdminCode>) -> impl IntoView {
    let i18n = use_i18n();
    let toggle = expect_context::<Actions>().code;
    view! {
        <table class="ledger">
            <thead>
                <tr>
                    <th>{t!(i18n, refcodes.admin.code)}</th>
                    <th>{t!(i18n, refcodes.admin.code_owner)}</th>
                    <th>{t!(i18n, refcodes.admin.code_wallet)}</th>
                    <th>{t!(i18n, refcodes.admin.code_funnel)}</th>
                    <th>{t!(i18n, refcodes.admin.code_state)}</th>
                </tr>
            </thead>
            <tbody>
                {codes.into_iter().map(|c| {
                    let blocked = c.blocked;
                    let state = match CodeState::of(c.active, blocked) {
                        CodeState::Active => t!(i18n, refcodes.admin.code_active).into_any(),
                        CodeState::Inactive => t!(i18n, refcodes.admin.code_inactive).into_any(),
                        CodeState::Blocked => t!(i18n, refcodes.admin.code_blocked).into_any(),
                    };
                    let code = c.code.clone();
                    view! {
                        <tr data-testid="code-row" data-code=c.code.clone() data-active=c.active.to_string() data-blocked=blocked.to_string()>
                            <td><code>{c.code.clone()}</code>{c.label.clone().map(|l| view! { <br /><small>{l}</small> })}</td>
                            <td>{c.owner_email.clone().unwrap_or_default()}</td>
                            <td><code>{c.wallet.clone()}</code></td>
                            <td>{format!("{} · {} · {} · {}", c.visits, c.signups, c.orders, c.rewards)}</td>
                            <td>
                                {state}
                                <ActionForm action=toggle attr:class="inline">
                                    <input type="hidden" name="code" value=code />
                                    <input type="hidden" name="blocked" value=(!blocked).to_string() />
                                    <button type="submit" class="link" data-testid="code-toggle">
                                        {if blocked { t!(i18n, refcodes.admin.unblock).into_any() } else { t!(i18n, refcodes.admin.block).into_any() }}
                                    </button>
                                </ActionForm>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}
