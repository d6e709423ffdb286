//! The store: the catalog with a buy form per product. Buying creates an order (prices from the server)
//! and opens its page, where it is paid.
use super::errors::ErrorText;
use crate::api::store::{load_catalog, BuyProduct};
use crate::domain::money::display;
use crate::domain::store::Product;
use crate::i18n::*;
use crate::pages::title::PageTitle;
use crate::routes::use_locale_code;
use leptos::prelude::*;

#[component]
pub fn StorePage() -> impl IntoView {
    let i18n = use_i18n();
    let catalog = crate::resource::load(|| (), |_| load_catalog());
    let buy = ServerAction::<BuyProduct>::new();
    view! {
        <PageTitle text=move || t_string!(i18n, common.store.title).to_string() />
        <h1>{t!(i18n, common.store.title)}</h1>
        <p class="lead">{t!(i18n, common.store.body)}</p>
        <ErrorText error=Signal::derive(move || buy.value().get().and_then(Result::err)) />
        <Suspense fallback=move || view! { <p class="muted">{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match catalog.await {
                    Ok(products) if products.is_empty() => view! { <p>{t!(i18n, common.store.empty)}</p> }.into_any(),
                    Ok(products) => view! {
                        <ul class="products" data-testid="catalog">
                            {products.into_iter().map(|p| view! { <ProductCard product=p buy /> }).collect_view()}
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
fn ProductCard(product: Product, buy: ServerAction<BuyProduct>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = use_locale_code();
    let name = product.name.clone();
    let vendor = product.vendor_name.clone();
    let stock = product.stock;
    let price = display(product.price, &product.currency);
    let max = stock.clamp(1, 99);
    let id = product.id.clone();
    view! {
        <li class="card product" data-testid="product" data-product=product.id.clone()>
            <h2>{move || name.get(locale()).to_string()}</h2>
            <p class="muted">{t!(i18n, common.store.vendor, vendor = move || vendor.clone())}</p>
            <p class="price">{price}</p>
            {if stock > 0 {
                view! {
                    <p class="hint">{t!(i18n, common.store.in_stock, count = move || stock)}</p>
                    <ActionForm action=buy attr:class="inline">
                        <input type="hidden" name="locale" value=locale />
                        <input type="hidden" name="product_id" value=id.clone() />
                        <label>
                            <span>{t!(i18n, common.store.quantity)}</span>
                            <input type="number" name="quantity" value="1" min="1" max=max required />
                        </label>
                        <button type="submit" class="button">{t!(i18n, common.store.buy)}</button>
                    </ActionForm>
                }
                    .into_any()
            } else {
                view! { <p class="muted">{t!(i18n, common.store.sold_out)}</p> }.into_any()
            }}
        </li>
    }
}
