//! The admin page (the seed's ADMIN_REFCODES route): minting and credit tools, the chain card (balances, last run,
//! drift), the reward ledger with filters
//! (kept in the URL), totals, row and bulk actions and the CSV export, the paid orders to refund, the
//! clawbacks, the codes overview, the audit log.
mod audit;
mod chain;
mod clawbacks;
mod codes;
mod ledger;
mod refunds;
mod tools;

use super::guard::RequireUser;
use crate::api::admin::{
    AdminAct, AdminBulk, AdminGrantCredit, AdminMintNow, AdminRefundOrder, AdminSetCodeBlocked,
    AdminWaiveClawback,
};
use crate::error::AppError;
use crate::i18n::*;
use crate::pages::errors::ErrorText;
use crate::pages::title::PageTitle;
use crate::resource::Loaded;
use leptos::prelude::*;
use serde::{de::DeserializeOwned, Serialize};

/// The page's actions; every section refreshes when any of them completes.
#[derive(Clone, Copy)]
struct Actions {
    act: ServerAction<AdminAct>,
    bulk: ServerAction<AdminBulk>,
    mint: ServerAction<AdminMintNow>,
    grant: ServerAction<AdminGrantCredit>,
    code: ServerAction<AdminSetCodeBlocked>,
    refund: ServerAction<AdminRefundOrder>,
    waive: ServerAction<AdminWaiveClawback>,
}

impl Actions {
    fn new() -> Actions {
        Actions {
            act: ServerAction::new(),
            bulk: ServerAction::new(),
            mint: ServerAction::new(),
            grant: ServerAction::new(),
            code: ServerAction::new(),
            refund: ServerAction::new(),
            waive: ServerAction::new(),
        }
    }

    /// Changes whenever an action completed.
    fn changes(self) -> usize {
        self.act.version().get()
            + self.bulk.version().get()
            + self.mint.version().get()
            + self.grant.version().get()
            + self.code.version().get()
            + self.refund.version().get()
            + self.waive.version().get()
    }
}

#[component]
pub fn AdminRefcodesPage() -> impl IntoView {
    let i18n = use_i18n();
    provide_context(Actions::new());
    view! {
        <PageTitle text=move || t_string!(i18n, refcodes.admin.title).to_string() />
        <RequireUser admin=true>
            <h1 data-testid="admin-title">{t!(i18n, refcodes.admin.title)}</h1>
            <p class="lead">{t!(i18n, refcodes.admin.lead)}</p>
            <div class="admin-tools">
                <tools::MintNow />
                <tools::GrantCredit />
                <tools::RefundOrder />
            </div>
            <chain::ChainCard />
            <ledger::Ledger />
            <refunds::ToRefund />
            <clawbacks::Clawbacks />
            <codes::Codes />
            <audit::Audit />
        </RequireUser>
    }
}

/// A section's list: "loading…" while it loads, `empty` when there is nothing, a `<ul>` of `row`s, or the error.
fn loaded_list<T, V>(
    list: Loaded<Result<Vec<T>, AppError>>,
    empty: fn(leptos_i18n::I18nContext<Locale>) -> AnyView,
    row: fn(T) -> V,
) -> impl IntoView
where
    T: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let i18n = use_i18n();
    view! {
        <Suspense fallback=move || view! { <p class="muted">{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(items) if items.is_empty() => empty(i18n),
                    Ok(items) => view! { <ul class="tx-list">{items.into_iter().map(row).collect_view()}</ul> }.into_any(),
                    Err(e) => view! { <ErrorText error=Some(e) /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
