//! The admin page (the seed's ADMIN_REFCODES route): minting and credit tools, the reward ledger with filters
//! (kept in the URL), totals, row and bulk actions and the CSV export, the paid orders to refund, the codes
//! overview, the audit log.
mod audit;
mod codes;
mod ledger;
mod refunds;
mod tools;

use super::guard::RequireUser;
use crate::api::admin::{
    AdminAct, AdminBulk, AdminGrantCredit, AdminMintNow, AdminRefundOrder, AdminSetCodeBlocked,
};
use crate::i18n::*;
use leptos::prelude::*;
use leptos_meta::Title;

/// The page's actions; every section refreshes when any of them completes.
#[derive(Clone, Copy)]
struct Actions {
    act: ServerAction<AdminAct>,
    bulk: ServerAction<AdminBulk>,
    mint: ServerAction<AdminMintNow>,
    grant: ServerAction<AdminGrantCredit>,
    code: ServerAction<AdminSetCodeBlocked>,
    refund: ServerAction<AdminRefundOrder>,
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
    }
}

#[component]
pub fn AdminRefcodesPage() -> impl IntoView {
    let i18n = use_i18n();
    provide_context(Actions::new());
    view! {
        <Title text=move || t_string!(i18n, refcodes.admin.title) />
        <RequireUser admin=true>
            <h1 data-testid="admin-title">{t!(i18n, refcodes.admin.title)}</h1>
            <p class="lead">{t!(i18n, refcodes.admin.lead)}</p>
            <div class="admin-tools">
                <tools::MintNow />
                <tools::GrantCredit />
                <tools::RefundOrder />
            </div>
            <ledger::Ledger />
            <refunds::ToRefund />
            <codes::Codes />
            <audit::Audit />
        </RequireUser>
    }
}
