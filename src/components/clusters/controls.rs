//! The merchant's say in the clusters: which measures count and how many
//! groups, applied by the worker without reading the files again.

use leptos::prelude::*;

use segmenter_engine::cluster::features::Feature;
use segmenter_engine::cluster::{ClusterOptions, ClusterSummary, MAX_K};

use crate::state::AppState;

#[component]
pub fn ClusterControls(summary: ClusterSummary) -> impl IntoView {
    let state = expect_context::<AppState>();
    if summary.available.len() < 2 {
        return ().into_any();
    }
    let in_use: Vec<Feature> = if summary.features.is_empty() {
        summary.available.clone()
    } else {
        summary.features.clone()
    };
    let chosen = RwSignal::new(in_use);
    // 0: automatic (the silhouette's choice).
    let k = RwSignal::new(if summary.k == summary.suggested_k {
        0
    } else {
        summary.k
    });
    let available = summary.available.clone();
    let categories = summary.categories.clone();
    let suggested = summary.suggested_k;
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let features = chosen.get_untracked();
        let all = available.iter().all(|f| features.contains(f));
        state.recluster(ClusterOptions {
            features: (!all).then_some(features),
            k: (k.get_untracked() >= 2).then(|| k.get_untracked()),
        });
    };
    let boxes = summary
        .available
        .iter()
        .map(|&feature| {
            let label = feature.label(&categories);
            let key = feature.key();
            let checked = move || chosen.with(|c| c.contains(&feature));
            let toggle = move |ev: leptos::ev::Event| {
                let on = event_target_checked(&ev);
                chosen.update(|c| {
                    c.retain(|&f| f != feature);
                    if on {
                        c.push(feature);
                    }
                });
            };
            view! {
                <label class="feature-toggle">
                    <input type="checkbox" name="feature" value=key prop:checked=checked on:change=toggle/>
                    {label}
                </label>
            }
        })
        .collect_view();
    let too_few = move || chosen.with(|c| c.len() < 2);
    view! {
        <details class="cluster-controls">
            <summary>"Choose the measures and the number of groups"</summary>
            <form on:submit=apply id="cluster-controls">
                <fieldset>
                    <legend>"Group customers on"</legend>
                    <div class="feature-list">{boxes}</div>
                </fieldset>
                <label class="k-choice">
                    "Number of groups "
                    <select name="k" on:change=move |ev| k.set(event_target_value(&ev).parse().unwrap_or(0))
                        prop:value=move || k.get().to_string()>
                        <option value="0">{format!("Automatic ({suggested})")}</option>
                        {(2..=MAX_K).map(|n| view! { <option value=n.to_string()>{n}</option> }).collect_view()}
                    </select>
                </label>
                <button type="submit" class="button" disabled=move || too_few() || state.reclustering.get()>
                    "Regroup"
                </button>
                {move || too_few().then(|| view! { <span class="small muted">" Pick at least two measures."</span> })}
            </form>
        </details>
    }
    .into_any()
}
