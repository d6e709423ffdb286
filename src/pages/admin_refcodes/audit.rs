//! The audit log: the latest admin actions, filtered by action or by the record they touched (in the URL:
//! `audit_action`, `audit_target`).
use super::Actions;
use crate::api::admin::load_audit;
use crate::i18n::*;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

const ACTIONS: [&str; 12] = [
    "approve",
    "reject",
    "void",
    "retry",
    "mint",
    "grant_credit",
    "refund_order",
    "waive_clawback",
    "block_code",
    "unblock_code",
    "grant_admin",
    "revoke_admin",
];

fn action_label(action: &str) -> AnyView {
    let i18n = use_i18n();
    match action {
        "approve" => t!(i18n, refcodes.admin.action_approve).into_any(),
        "reject" => t!(i18n, refcodes.admin.action_reject).into_any(),
        "void" => t!(i18n, refcodes.admin.action_void).into_any(),
        "retry" => t!(i18n, refcodes.admin.action_retry).into_any(),
        "mint" => t!(i18n, refcodes.admin.action_mint).into_any(),
        "grant_credit" => t!(i18n, refcodes.admin.action_grant_credit).into_any(),
        "refund_order" => t!(i18n, refcodes.admin.action_refund_order).into_any(),
        "waive_clawback" => t!(i18n, refcodes.admin.action_waive_clawback).into_any(),
        "block_code" => t!(i18n, refcodes.admin.action_block_code).into_any(),
        "unblock_code" => t!(i18n, refcodes.admin.action_unblock_code).into_any(),
        "grant_admin" => t!(i18n, refcodes.admin.action_grant_admin).into_any(),
        "revoke_admin" => t!(i18n, refcodes.admin.action_revoke_admin).into_any(),
        other => other.to_string().into_any(),
    }
}

#[component]
pub fn Audit() -> impl IntoView {
    let i18n = use_i18n();
    let actions = expect_context::<Actions>();
    let query = use_query_map();
    let action = Memo::new(move |_| query.read().get("audit_action"));
    let target = Memo::new(move |_| query.read().get("audit_target"));
    let entries = crate::resource::load(
        move || (action.get(), target.get(), actions.changes()),
        |(action, target, _)| load_audit(action, target),
    );
    view! {
        <section class="card" data-testid="audit">
            <h2>{t!(i18n, refcodes.admin.audit_title)}</h2>
            <form method="get" class="filters">
                <label>
                    <span>{t!(i18n, refcodes.admin.audit_action)}</span>
                    <select name="audit_action" data-testid="audit-action">
                        <option value="">{t!(i18n, refcodes.admin.any)}</option>
                        {ACTIONS.into_iter().map(|a| view! {
                            <option value=a selected=move || action.get().as_deref() == Some(a)>{action_label(a)}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label>
                    <span>{t!(i18n, refcodes.admin.audit_target)}</span>
                    <input name="audit_target" value=move || target.get().unwrap_or_default() />
                </label>
                <button type="submit" class="button secondary" data-testid="audit-apply">{t!(i18n, refcodes.admin.audit_apply)}</button>
            </form>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let entries = entries.await.unwrap_or_default();
                    if entries.is_empty() {
                        return view! { <p class="muted">{t!(i18n, refcodes.admin.audit_empty)}</p> }.into_any();
                    }
                    view! {
                        <ul class="audit">
                            {entries.into_iter().map(|e| {
                                let count = e.count;
                                let on_rewards = matches!(e.action.as_str(), "approve" | "reject" | "void" | "retry");
                                view! {
                                    <li data-action=e.action.clone()>
                                        {e.at.format("%Y-%m-%d %H:%M:%S").to_string()} " · " {e.actor.clone()} " · "
                                        {action_label(&e.action)} " → " {e.after.clone()}
                                        {on_rewards.then(|| view! { " · " {t!(i18n, refcodes.admin.rewards_count, count = move || count)} })}
                                        {e.reason.clone().map(|r| format!(" · {r}"))}
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                })}
            </Suspense>
        </section>
    }
}
