//! "What to offer whom": how well recommendations did on the store's own
//! history, products bought together, cross-sells, what each segment is
//! most often recommended, and replenishment cycles with who is due. Every
//! count of customers opens them in the drill-down.

use leptos::prelude::*;
use segmenter_engine::interest::{Evaluation, Rule};
use segmenter_engine::summary::{GroupOffers, ReplenishmentEntry};

use crate::format;
use crate::state::AppState;

/// Rows shown per table.
const SHOWN: usize = 5;

#[component]
pub fn InterestPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        let f = state.finished.get()?;
        let s = &f.summary;
        let interest = s.interest.clone();
        if interest.cross_sells.is_empty()
            && interest.bundles.is_empty()
            && s.replenishment.is_empty()
        {
            return None;
        }
        let replenishment: Vec<(String, ReplenishmentEntry)> = s
            .replenishment
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        Some(view! {
            <section class="panel interest" id="interest" aria-labelledby="interest-title">
                <div class="panel-head">
                    <h2 id="interest-title">"What to offer whom"</h2>
                    <p class="muted">"From the products in your orders: what goes together, what to recommend, and who is about to run out."</p>
                </div>
                {interest.evaluation.clone().map(|e| view! { <EvaluationView evaluation=e/> })}
                <div class="chart-pair">
                    <RuleTable id="bundles" title="Bought together in one order" rules=interest.bundles.clone() joiner=" + "/>
                    <RuleTable id="cross-sells" title="Customers who bought … also bought …" rules=one_way(&interest.cross_sells) joiner=" → "/>
                </div>
                <OffersTable offers=s.offers_by_group.clone()/>
                <ReplenishmentTable entries=replenishment/>
            </section>
        })
    }
}

/// One rule per pair (both directions of a pair have the same lift).
fn one_way(rules: &[Rule]) -> Vec<Rule> {
    let mut seen = Vec::new();
    rules
        .iter()
        .filter(|r| {
            let pair = if r.from < r.to {
                (&r.from, &r.to)
            } else {
                (&r.to, &r.from)
            };
            let new = !seen.contains(&pair);
            seen.push(pair);
            new
        })
        .cloned()
        .collect()
}

#[component]
fn EvaluationView(evaluation: Evaluation) -> impl IntoView {
    let e = evaluation;
    let gap = e.hit_rate - e.baseline_hit_rate;
    let verdict = if gap > 0.02 {
        "Recommendations beat best sellers here."
    } else if gap >= -0.02 {
        "About as good as recommending your best sellers: fine to use, but do not expect more."
    } else {
        "Your best sellers do better here: your customers' purchases show little pattern to learn from."
    };
    view! {
        <p class="evaluation" id="recommendation-check" data-hit-rate=format!("{:.4}", e.hit_rate)
            data-baseline=format!("{:.4}", e.baseline_hit_rate)>
            <strong>{verdict}</strong>
            {format!(
                " Checked on your own history: recommending from the orders before the last {} days, {} of the {} customers who then bought something new to them bought one of their top {} recommendations; the top {} best sellers would have caught {}.",
                e.holdout_days,
                format::percent(e.hit_rate),
                format::int(e.customers),
                e.top_n,
                e.top_n,
                format::percent(e.baseline_hit_rate),
            )}
        </p>
    }
}

#[component]
fn RuleTable(
    id: &'static str,
    title: &'static str,
    rules: Vec<Rule>,
    joiner: &'static str,
) -> impl IntoView {
    let rows = rules
        .into_iter()
        .take(SHOWN)
        .map(|r| {
            view! {
                <tr>
                    <th scope="row">{format!("{}{joiner}{}", r.from, r.to)}</th>
                    <td class="num">{format::int(r.together)}</td>
                    <td class="num">{format::percent(r.confidence)}</td>
                    <td class="num" title="How many times more likely than by chance">{format!("{:.1}×", r.lift)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <figure class="chart">
            <h3>{title}</h3>
            <div class="table-scroll">
            <table class="data" id=id>
                <thead>
                    <tr>
                        <th scope="col">"Products"</th>
                        <th scope="col" class="num">"Together"</th>
                        <th scope="col" class="num" title="Of those who bought the first, the share who bought the second">"Confidence"</th>
                        <th scope="col" class="num" title="Confidence over the second product's share of all: above 1× it is more than chance">"Lift"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
            </div>
        </figure>
    }
}

#[component]
fn OffersTable(offers: Vec<GroupOffers>) -> impl IntoView {
    if offers.is_empty() {
        return ().into_any();
    }
    view! {
        <h3>"What to offer each segment"</h3>
        <div class="table-scroll">
            <table class="data" id="offers">
                <thead>
                    <tr><th scope="col">"Segment"</th><th scope="col">"Most often recommended (members)"</th><th scope="col">"Bought together by its members"</th></tr>
                </thead>
                <tbody>
                    {offers.into_iter().map(|o| view! {
                        <tr data-group=o.group.code()>
                            <th scope="row"><span class=format!("dot g-{}", o.group.code().to_lowercase())></span>{o.group.label()}</th>
                            <td>{o.products.iter().map(|(p, n)| format!("{p} ({})", format::int(*n))).collect::<Vec<_>>().join(" · ")}</td>
                            <td class="small">{if o.bundles.is_empty() { "–".to_string() } else {
                                o.bundles.iter().map(|r| format!("{} + {} ({:.1}×)", r.from, r.to, r.lift)).collect::<Vec<_>>().join(" · ")
                            }}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
fn ReplenishmentTable(entries: Vec<(String, ReplenishmentEntry)>) -> impl IntoView {
    let state = expect_context::<AppState>();
    if entries.is_empty() {
        return view! {
            <p class="muted small" id="replenishment-none">
                "No product is rebought on a regular cycle here (repeat purchases of each product come at irregular times)."
            </p>
        }
        .into_any();
    }
    view! {
        <h3>"Running out soon (replenishment)"</h3>
        <div class="table-scroll">
            <table class="data" id="replenishment">
                <thead>
                    <tr>
                        <th scope="col">"Product"</th>
                        <th scope="col" class="num">"Bought again every"</th>
                        <th scope="col" class="num">"Repeat buyers"</th>
                        <th scope="col" class="num">"Due now or within 14 days"</th>
                    </tr>
                </thead>
                <tbody>
                    {entries.into_iter().map(|(product, e)| {
                        let filter = format!("replenishment_due CONTAINS '{}'", product.replace('\\', "\\\\").replace('\'', "\\'"));
                        let label = format!("Due for {product}");
                        view! {
                            <tr data-product=product.clone()>
                                <th scope="row">{product.clone()}</th>
                                <td class="num">{format!("{:.0} days", e.interval_days)}</td>
                                <td class="num">{format::int(e.customers)}</td>
                                <td class="num">
                                    <button type="button" class="link-button" data-due=e.due_customers
                                        on:click=move |_| state.show_customers(label.clone(), filter.clone())>
                                        {format::int(e.due_customers)}
                                    </button>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <p class="muted small">"The typical gap between one customer's purchases of the product; customers are due from that gap after their last one. The ready segment \u{201c}Replenishment due\u{201d} holds them all."</p>
    }
    .into_any()
}
