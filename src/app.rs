//! The page layout: a header, the file drop zone, then the results in the
//! order a merchant reads them (overview, segments and their charts, the
//! segment editor, movement, predictions, value spread, cohorts, clusters,
//! best sellers, what to offer whom, behaviour, data quality, and the
//! customer drill-down).

use leptos::prelude::*;

use crate::components::{
    behaviour::BehaviourPanel, clusters::ClusterPanel, cohorts::CohortPanel, columns::ColumnMapper,
    customers::CustomerTable, drop_zone::DropZone, header::Header, interest::InterestPanel,
    movement::MovementPanel, overview::Overview, predictions::PredictionPanel,
    privacy::PrivacyPanel, products::ProductPanel, progress::ProgressPanel, quality::QualityPanel,
    rfm_charts::RfmCharts, saved_segments::SavedSegments, segment_builder::SegmentBuilder,
    segments::SegmentTable, status::StatusMessage, value_spread::ValueSpreadChart,
};
use crate::state::{AppState, Phase};

/// Holds the place of the model panels while the worker fits them.
#[component]
fn ModelsPending() -> impl IntoView {
    view! {
        <section class="panel pending" id="models-pending" aria-live="polite">
            <h2>"Predictions, clusters and recommendations"</h2>
            <p class="muted">
                "Your segments above are final. Predicting each customer's next purchases and value, "
                "finding clusters and working out what to offer whom… the rest of the page appears "
                "here when it is ready."
            </p>
        </section>
    }
}

#[component]
pub fn App() -> impl IntoView {
    let state = AppState::start();
    provide_context(state);
    // `?demo` in the address opens straight onto the demo store.
    let wants_demo = window()
        .location()
        .search()
        .is_ok_and(|query| query.contains("demo"));
    if wants_demo {
        state.load_demo();
    } else {
        state.restore();
    }
    crate::offline::register(state.offline_ready);
    let has_result = move || state.finished.with(Option::is_some);
    // Panels that need the models, clusters or recommendations wait for
    // them; the segments, cohorts, products and data quality show at once.
    let complete = move || !state.provisional();
    // Where the analysis stands, for scripts and tests: the early look
    // (`provisional`) comes before `done`.
    let phase = move || match state.phase.get() {
        Phase::Idle => "idle",
        Phase::Running { .. } if state.provisional() => "provisional",
        Phase::Running { .. } => "running",
        Phase::Done => "done",
        Phase::Cancelled => "cancelled",
        Phase::Failed(_) => "failed",
    };
    // When the engine had warmed up (ms it took), for the benchmarks: they
    // drop their file after it, as a merchant would after choosing one.
    let warmed = move || state.engine_warmed_ms.get().map(|ms| format!("{ms:.0}"));

    view! {
        <Header/>
        <main data-phase=phase data-warmed-ms=warmed>
            <DropZone/>
            <PrivacyPanel/>
            <ProgressPanel/>
            <StatusMessage/>
            <ColumnMapper/>
            <Show when=has_result>
                <Overview/>
                <SegmentTable/>
                <RfmCharts/>
                <Show when=complete fallback=|| view! { <ModelsPending/> }>
                    <SegmentBuilder/>
                    <SavedSegments/>
                    <MovementPanel/>
                    <PredictionPanel/>
                    <ValueSpreadChart/>
                </Show>
                <CohortPanel/>
                <Show when=complete>
                    <ClusterPanel/>
                </Show>
                <ProductPanel/>
                <Show when=complete>
                    <InterestPanel/>
                </Show>
                <BehaviourPanel/>
                <QualityPanel/>
                <Show when=complete>
                    <CustomerTable/>
                </Show>
            </Show>
        </main>
        <footer class="footer">
            "Runs entirely in your browser. No file, row or number leaves this device."
        </footer>
    }
}
