use leptos::prelude::*;
use segmenter_engine::ingest::{ColumnMap, ColumnsNeeded};

use crate::state::AppState;

/// The roles a merchant can assign, with how the page names them.
const ROLES: [(Role, &str, &str); 12] = [
    (
        Role::Customer,
        "Customer ID",
        "who bought; or give the email",
    ),
    (Role::Email, "Email", "used when there is no customer ID"),
    (
        Role::Order,
        "Order ID",
        "optional: rows with one ID are one order",
    ),
    (Role::Date, "Order date", "required"),
    (Role::Amount, "Order or line total", "or give a unit price"),
    (Role::UnitPrice, "Unit price", "multiplied by the quantity"),
    (Role::Quantity, "Quantity", "optional, with a unit price"),
    (Role::Currency, "Currency", "optional"),
    (Role::Product, "Product", "optional: for best sellers"),
    (Role::Category, "Category", "optional"),
    (Role::Discount, "Discount", "optional: off price × quantity"),
    (Role::Country, "Country", "optional"),
];

#[derive(Clone, Copy)]
enum Role {
    Customer,
    Email,
    Order,
    Date,
    Amount,
    UnitPrice,
    Quantity,
    Currency,
    Product,
    Category,
    Discount,
    Country,
}

impl Role {
    fn get(self, map: &ColumnMap) -> Option<String> {
        let mut copy = map.clone();
        self.slot(&mut copy).take()
    }

    fn slot(self, map: &mut ColumnMap) -> &mut Option<String> {
        match self {
            Role::Customer => &mut map.customer,
            Role::Email => &mut map.email,
            Role::Order => &mut map.order,
            Role::Date => &mut map.date,
            Role::Amount => &mut map.amount,
            Role::UnitPrice => &mut map.unit_price,
            Role::Quantity => &mut map.quantity,
            Role::Currency => &mut map.currency,
            Role::Product => &mut map.product,
            Role::Category => &mut map.category,
            Role::Discount => &mut map.discount,
            Role::Country => &mut map.country,
        }
    }
}

/// Asks which column holds what, for a file whose header the engine could
/// not read on its own (or whose guess the merchant wants to change), then
/// runs the analysis again with that answer.
#[component]
pub fn ColumnMapper() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        let Some(needed) = state.columns_needed.get() else {
            return ().into_any();
        };
        view! { <MapperForm needed/> }.into_any()
    }
}

#[component]
fn MapperForm(needed: ColumnsNeeded) -> impl IntoView {
    let state = expect_context::<AppState>();
    let ColumnsNeeded {
        file,
        header,
        guess,
    } = needed;
    let map = RwSignal::new(guess);
    let missing = move || map.with(ColumnMap::missing);
    let file_for_submit = file.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !missing().is_empty() {
            return;
        }
        let mut options = state.file_options(&file_for_submit);
        options.columns = Some(map.get_untracked());
        state.rerun_with(&file_for_submit, options);
    };
    let rows = ROLES
        .iter()
        .map(|&(role, label, hint)| {
            let id = format!("column-{}", label.to_lowercase().replace(' ', "-"));
            let current = move || map.with(|m| role.get(m));
            let options = header
                .iter()
                .map(|name| {
                    let name = name.clone();
                    let value = name.clone();
                    let selected = move || current().as_deref() == Some(value.as_str());
                    view! { <option value=name.clone() selected=selected>{name.clone()}</option> }
                })
                .collect_view();
            let on_change = move |ev| {
                let value = event_target_value(&ev);
                map.update(|m| *role.slot(m) = (!value.is_empty()).then_some(value));
            };
            view! {
                <div class="mapping-row">
                    <label for=id.clone()>{label}<span class="muted small">{hint}</span></label>
                    <select id=id on:change=on_change>
                        <option value="" selected=move || current().is_none()>"— not in this file —"</option>
                        {options}
                    </select>
                </div>
            }
        })
        .collect_view();
    view! {
        <section class="panel mapping" aria-labelledby="mapping-title" id="column-mapping">
            <div class="panel-head">
                <h2 id="mapping-title">{format!("Which column holds what in {file}?")}</h2>
                <p class="muted">"Choose the columns once; the file is then read again."</p>
            </div>
            <form on:submit=submit>
                <div class="mapping-grid">{rows}</div>
                <p class="muted small" aria-live="polite">
                    {move || {
                        let missing = missing();
                        if missing.is_empty() {
                            String::new()
                        } else {
                            format!("Still needed: {}.", missing.join(", "))
                        }
                    }}
                </p>
                <div class="actions left">
                    <button type="submit" class="button primary" id="mapping-submit" prop:disabled=move || !missing().is_empty()>
                        "Read the file with these columns"
                    </button>
                    <button type="button" class="button" on:click=move |_| state.columns_needed.set(None)>
                        "Cancel"
                    </button>
                </div>
            </form>
        </section>
    }
}
