use leptos::prelude::*;
use segmenter_engine::ingest::{ColumnMap, ColumnsNeeded, Exclusion, FileReport};

use crate::format;
use crate::state::AppState;

/// Rows read, used and excluded by reason, with example problems and where
/// they are, so that nothing is silently lost.
#[component]
pub fn QualityPanel() -> impl IntoView {
    let state = expect_context::<AppState>();

    move || {
        let Some(f) = state.finished.get() else {
            return ().into_any();
        };
        let s = &f.summary;
        let excluded: Vec<(Exclusion, u64)> = s
            .rows_excluded
            .iter()
            .filter(|(_, &n)| n > 0)
            .map(|(&r, &n)| (r, n))
            .collect();
        let total_excluded: u64 = excluded.iter().map(|(_, n)| n).sum();
        let files = s.files.clone();
        let issues = s.issues.clone();
        view! {
            <section class="panel quality" aria-labelledby="quality-title">
                <div class="panel-head">
                    <h2 id="quality-title">"Data quality"</h2>
                    <p class="muted">"Every row is either used or left out for a reason shown here."</p>
                    {(total_excluded > 0).then(|| view! {
                        <button class="button small" id="download-rejected" on:click=move |_| state.download_rejected()>
                            "Download rows left out (CSV)"
                        </button>
                    })}
                </div>
                <table class="data compact" id="quality-table">
                    <tbody>
                        <tr>
                            <th scope="row">"Rows read"</th>
                            <td class="num" data-testid="rows-read">{format::int(s.rows_read)}</td>
                            <td class="muted">
                                {files.iter().map(|file| format!(
                                    "{} ({}, {} rows)", file.name, file.format.replace('_', " "), format::int(file.rows_read)
                                )).collect::<Vec<_>>().join(" · ")}
                            </td>
                        </tr>
                        <tr>
                            <th scope="row">"Rows used"</th>
                            <td class="num" data-testid="rows-used">{format::int(s.rows_used)}</td>
                            <td class="muted">"Order lines that count as purchases, customer rows and analytics events."</td>
                        </tr>
                        <tr>
                            <th scope="row">"Rows left out"</th>
                            <td class="num" data-testid="rows-excluded">{format::int(total_excluded)}</td>
                            <td></td>
                        </tr>
                        {excluded.into_iter().map(|(reason, n)| view! {
                            <tr class="reason" data-reason=reason.code()>
                                <th scope="row" class="indent">{reason.label()}</th>
                                <td class="num">{format::int(n)}</td>
                                <td class="muted">{reason.explain()}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
                <FileNotes files=files.clone()/>
                {(!issues.is_empty()).then(|| view! {
                    <details class="issues">
                        <summary>{format!("Examples of problems found ({})", issues.len())}</summary>
                        <ul>
                            {issues.into_iter().map(|issue| view! { <li><code>{issue.to_string()}</code></li> }).collect_view()}
                        </ul>
                    </details>
                })}
            </section>
        }
        .into_any()
    }
}

/// How each file was read where the merchant may want it read otherwise:
/// the worksheet of a workbook, the columns of an order table.
#[component]
fn FileNotes(files: Vec<FileReport>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let notes = files
        .into_iter()
        .filter(|f| f.sheets.len() > 1 || f.columns.is_some())
        .map(|file| {
            let sheet = (file.sheets.len() > 1).then(|| {
                let name = file.name.clone();
                let current = file.sheet.clone().unwrap_or_default();
                let on_change = move |ev| {
                    let mut options = state.file_options(&name);
                    options.sheet = Some(event_target_value(&ev));
                    state.rerun_with(&name, options);
                };
                view! {
                    <span>
                        "Worksheet "
                        <select class="sheet-select" aria-label=format!("Worksheet of {}", file.name) on:change=on_change>
                            {file.sheets.iter().map(|s| {
                                let selected = *s == current;
                                view! { <option value=s.clone() selected=selected>{s.clone()}</option> }
                            }).collect_view()}
                        </select>
                    </span>
                }
            });
            let columns = file.columns.clone().map(|columns| {
                let needed = ColumnsNeeded {
                    file: file.name.clone(),
                    header: file.header.clone(),
                    guess: columns.clone(),
                };
                view! {
                    <span>
                        {describe(&columns)}
                        " "
                        <button class="link" on:click=move |_| state.columns_needed.set(Some(needed.clone()))>
                            "Change columns"
                        </button>
                    </span>
                }
            });
            view! {
                <li><strong>{file.name.clone()}</strong>": " {sheet} " " {columns.map(|c| view! { "Columns: " {c} })}</li>
            }
        })
        .collect_view();
    view! { <ul class="file-notes">{notes}</ul> }
}

/// `customer = Kunde · date = Datum · amount = Betrag`.
fn describe(columns: &ColumnMap) -> String {
    let roles = [
        ("customer", &columns.customer),
        ("email", &columns.email),
        ("order", &columns.order),
        ("date", &columns.date),
        ("amount", &columns.amount),
        ("unit price", &columns.unit_price),
        ("quantity", &columns.quantity),
        ("currency", &columns.currency),
        ("product", &columns.product),
        ("category", &columns.category),
        ("discount", &columns.discount),
        ("country", &columns.country),
    ];
    roles
        .iter()
        .filter_map(|(role, column)| column.as_ref().map(|c| format!("{role} = {c}")))
        .collect::<Vec<_>>()
        .join(" · ")
}
