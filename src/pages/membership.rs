//! Membership tiers and the upgrade: an upgrade is an order, paid like any other.
use super::errors::ErrorText;
use crate::api::store::{load_tiers, TierOffer, UpgradeMembership};
use crate::domain::money::display;
use crate::i18n::*;
use crate::pages::title::PageTitle;
use crate::routes;
use crate::routes::use_locale_code;
use leptos::prelude::*;

pub fn tier_name(id: &str) -> AnyView {
    let i18n = use_i18n();
    match id {
        "plus" => t!(i18n, common.membership.tier_plus).into_any(),
        "pro" => t!(i18n, common.membership.tier_pro).into_any(),
        _ => t!(i18n, common.membership.tier_basic).into_any(),
    }
}

fn tier_body(id: &str) -> AnyView {
    let i18n = use_i18n();
    match id {
        "plus" => t!(i18n, common.membership.tier_plus_body).into_any(),
        "pro" => t!(i18n, common.membership.tier_pro_body).into_any(),
        _ => t!(i18n, common.membership.tier_basic_body).into_any(),
    }
}

#[component]
pub fn MembershipPage() -> impl IntoView {
    let i18n = use_i18n();
    let upgrade = ServerAction::<UpgradeMembership>::new();
    let tiers = crate::resource::load(|| (), |_| load_tiers());
    view! {
        <PageTitle text=move || t_string!(i18n, common.membership.title).to_string() />
        <h1>{t!(i18n, common.membership.title)}</h1>
        <p class="lead">{t!(i18n, common.membership.body)}</p>
        <ErrorText error=Signal::derive(move || upgrade.value().get().and_then(Result::err)) />
            <Suspense fallback=move || view! { <p class="muted">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match tiers.await {
                        Ok(board) => view! {
                            <ul class="tiers" data-testid="tiers">
                                {board.tiers.into_iter().map(|t| view! { <TierCard tier=t upgrade signed_in=board.signed_in /> }).collect_view()}
                            </ul>
                        }
                            .into_any(),
                        Err(e) => view! { <ErrorText error=Some(e) /> }.into_any(),
                    }
                })}
            </Suspense>
    }
}

#[component]
fn TierCard(
    tier: TierOffer,
    upgrade: ServerAction<UpgradeMembership>,
    signed_in: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let locale = use_locale_code();
    let price = if tier.price == 0 {
        t!(i18n, common.membership.free).into_any()
    } else {
        display(tier.price, &tier.currency).into_any()
    };
    let id = tier.id.clone();
    let form_id = tier.id.clone();
    view! {
        <li class="card tier" data-testid="tier" data-tier=tier.id.clone() data-current=tier.current.to_string()>
            <h2>{tier_name(&tier.id)}</h2>
            <p class="price">{price}</p>
            <p>{tier_body(&tier.id)}</p>
            {tier.current.then(|| view! {
                <p class="notice">{t!(i18n, common.membership.current, tier = move || tier_name(&id))}</p>
            })}
            {(tier.available && signed_in).then(|| view! {
                <ActionForm action=upgrade attr:class="inline">
                    <input type="hidden" name="locale" value=locale />
                    <input type="hidden" name="tier" value=form_id.clone() />
                    <button type="submit" class="button">{t!(i18n, common.membership.upgrade)}</button>
                </ActionForm>
            })}
            {(tier.available && !signed_in).then(|| view! {
                <a class="button" href=move || routes::sign_in_then(locale(), &routes::href(locale(), routes::MEMBERSHIP))>
                    {t!(i18n, common.membership.upgrade)}
                </a>
            })}
        </li>
    }
}
