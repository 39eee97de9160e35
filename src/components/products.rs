use leptos::prelude::*;

use crate::format;
use crate::state::AppState;

/// The best sellers of the counted purchases, by revenue, when the files
/// name products.
#[component]
pub fn ProductPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        let Some(f) = state.finished.get() else {
            return ().into_any();
        };
        let products = f.summary.products.clone();
        if products.top.is_empty() {
            return ().into_any();
        }
        let currency = f.summary.currency.clone();
        let best = products.top.first().map_or(1.0, |p| p.revenue.max(0.01));
        view! {
            <section class="panel" aria-labelledby="products-title" id="products">
                <div class="panel-head">
                    <h2 id="products-title">"Best sellers"</h2>
                    <p class="muted">
                        {format!(
                            "{} products in {} order lines that count",
                            format::int(products.distinct),
                            format::int(products.lines)
                        )}
                    </p>
                </div>
                <div class="table-scroll">
                    <table class="data" id="product-table">
                        <thead>
                            <tr>
                                <th scope="col">"Product"</th>
                                <th scope="col">"Revenue"</th>
                                <th scope="col" class="num">"Units"</th>
                                <th scope="col" class="num">"Orders"</th>
                                <th scope="col" class="num">"Customers"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {products.top.into_iter().map(|p| {
                                let width = format!("width: {:.1}%", (p.revenue / best * 100.0).clamp(0.0, 100.0));
                                view! {
                                    <tr>
                                        <th scope="row" class="ellipsis" title=p.product.clone()>{p.product.clone()}</th>
                                        <td class="nowrap">
                                            <div class="bar" role="img" aria-label=format::money(p.revenue, currency.as_deref())>
                                                <span style=width></span>
                                            </div>
                                            <span class="bar-label">{format::money(p.revenue, currency.as_deref())}</span>
                                        </td>
                                        <td class="num">{format::units(p.units)}</td>
                                        <td class="num">{format::int(p.orders)}</td>
                                        <td class="num">{format::int(p.customers)}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            </section>
        }
        .into_any()
    }
}
