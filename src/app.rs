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
use crate::state::AppState;

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

    view! {
        <Header/>
        <main>
            <DropZone/>
            <PrivacyPanel/>
            <ProgressPanel/>
            <StatusMessage/>
            <ColumnMapper/>
            <Show when=has_result>
                <Overview/>
                <SegmentTable/>
                <RfmCharts/>
                <SegmentBuilder/>
                <SavedSegments/>
                <MovementPanel/>
                <PredictionPanel/>
                <ValueSpreadChart/>
                <CohortPanel/>
                <ClusterPanel/>
                <ProductPanel/>
                <InterestPanel/>
                <BehaviourPanel/>
                <QualityPanel/>
                <CustomerTable/>
            </Show>
        </main>
        <footer class="footer">
            "Runs entirely in your browser. No file, row or number leaves this device."
        </footer>
    }
}
