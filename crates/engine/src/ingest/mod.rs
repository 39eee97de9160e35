//! Ingest: from the bytes of the merchant's files to per-customer purchases.
//!
//! [`Ingest`] is push-based so that it runs the same way on `Blob` slices in
//! the browser worker and on `read` buffers in the CLI: begin a file, push its
//! bytes in chunks of any size, end it, and after the last file `finish`.
//! Nothing here does I/O.
//!
//! Invariant: every data row is counted once, as used or as excluded with a
//! reason (`rows_used + Σ rows_excluded == rows_read`, per file and overall).

mod amount;
pub mod csv;
mod dates;
mod dialect;
mod encoding;
mod error;
mod file;
mod identity;
mod layout;
mod lines;
mod orders;
mod part;
mod quality;
pub mod split;
mod whitespace;
mod workbook;

use std::collections::BTreeMap;

use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};

pub use self::amount::{parse_amount, Amount, AmountError, Currency, DecimalMark};
pub use self::dates::{parse_date, DateValue, DayOrder};
pub use self::dialect::Delimiter;
pub use self::error::{ColumnsNeeded, IngestError};
pub use self::identity::{normalise_customer_id, normalise_email};
pub use self::layout::{ColumnMap, Layout};
pub use self::part::{Part, PartFrames, PartReader};
pub use self::quality::{
    DataQuality, Exclusion, FileReport, Rejection, RowIssue, ISSUES_KEPT_PER_REASON,
    REJECTIONS_LISTED,
};
pub use self::split::SplitPlan;

use self::file::{DoneFile, FileState};
use self::layout::ProfileRow;
use self::orders::{CustomerIndex, Intern};
use crate::behaviour::{Activity, Behaviour, BehaviourSummary, DayActivity};
use crate::customers::{CustomerTable, Identities, Profile, Purchase};
use crate::date::Date;
use crate::sales::{Labels, Maybe, Sales, SoldItem};

// A book's product lines become sold items in their own allocation only
// while the two have one size and alignment (`Ingest::finish`); otherwise
// a second copy of every line would be held at the analysis's peak.
const _: () = assert!(
    std::mem::size_of::<orders::BookItem>() == std::mem::size_of::<SoldItem>()
        && std::mem::align_of::<orders::BookItem>() == std::mem::align_of::<SoldItem>()
);

/// How to read one file, where detection alone cannot tell.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FileOptions {
    /// The worksheet to read from a workbook (default: the first one with a
    /// known header).
    pub sheet: Option<String>,
    /// Which column holds what, when the header does not say (applies when
    /// the file's header has every column named).
    pub columns: Option<ColumnMap>,
}

/// What ingest produces: the customer table and the row accounting behind it.
#[derive(Debug, Clone)]
pub struct Ingested {
    pub quality: DataQuality,
    pub customers: CustomerTable,
    pub totals: Totals,
    /// Store-level figures of the analytics events, when any were read.
    pub behaviour: Option<BehaviourSummary>,
    /// The product lines of the counted purchases.
    pub sales: Sales,
}

/// Store-level figures of the counted purchases.
#[derive(Debug, Clone, PartialEq)]
pub struct Totals {
    /// Counted purchases (an order with several lines counts once).
    pub orders: u64,
    /// Net revenue of the counted purchases.
    pub revenue: f64,
    /// The one currency of the counted purchases, if there is exactly one.
    pub currency: Option<String>,
    pub first_order: Option<Date>,
    pub last_order: Option<Date>,
    /// The analysis date: the `as_of` asked for, else the last order's day.
    pub as_of: Option<Date>,
}

/// The ingest state machine. See the module documentation.
#[derive(Debug)]
pub struct Ingest {
    as_of: Option<Date>,
    names: Names,
    done: Vec<DoneFile>,
    current: Option<FileState>,
    quality: DataQuality,
    rows_before_current: u64,
}

/// What all files share: interned customer identities and currency codes
/// (so that a customer in two files is one customer), the profiles
/// customers exports give, and the analytics events.
#[derive(Debug, Default)]
struct Names {
    /// Events after this day are excluded (orders are judged in `finish`).
    as_of: Option<Date>,
    activity: Activity,
    identities: Identities,
    currencies: Vec<Box<str>>,
    currency_index: FxHashMap<Box<str>, u16>,
    profiles: FxHashMap<CustomerIndex, Profile>,
    /// Profile rows that described a customer already described.
    duplicate_profiles: u64,
    /// Products, countries, channels and codes.
    labels: Labels,
}

impl Names {
    /// Files a customer profile under its email (which joins it to orders),
    /// else under the shop's customer id.
    fn add_profile(&mut self, row: ProfileRow) {
        let key = row
            .email
            .as_deref()
            .or(row.profile.shop_id.as_deref())
            .unwrap_or_default()
            .to_string();
        let index = self.identities.intern(&key, row.email.as_deref());
        match self.profiles.entry(index) {
            std::collections::hash_map::Entry::Occupied(mut entry) => {
                self.duplicate_profiles += 1;
                entry.get_mut().merge(row.profile);
            }
            std::collections::hash_map::Entry::Vacant(entry) => {
                entry.insert(row.profile);
            }
        }
    }
}

impl Intern for Names {
    fn label(&mut self, text: &str) -> u32 {
        self.labels.intern(text)
    }

    fn customer(&mut self, key: &str, email: Option<&str>) -> CustomerIndex {
        self.identities.intern(key, email)
    }

    fn currency(&mut self, code: &str) -> u16 {
        if let Some(&index) = self.currency_index.get(code) {
            return index;
        }
        let index = self.currencies.len() as u16;
        self.currencies.push(code.into());
        self.currency_index.insert(code.into(), index);
        index
    }
}

impl Ingest {
    /// A new ingest. Orders after `as_of` (if given) are excluded.
    pub fn new(as_of: Option<Date>) -> Ingest {
        Ingest {
            as_of,
            names: Names {
                as_of,
                ..Names::default()
            },
            done: Vec::new(),
            current: None,
            quality: DataQuality::default(),
            rows_before_current: 0,
        }
    }

    /// Starts reading a file; ends the previous one if it was not ended.
    pub fn begin_file(&mut self, name: &str) -> Result<(), IngestError> {
        self.begin_file_with(name, FileOptions::default())
    }

    /// Starts reading a file with options for it.
    pub fn begin_file_with(&mut self, name: &str, options: FileOptions) -> Result<(), IngestError> {
        if self.current.is_some() {
            self.end_file()?;
        }
        self.current = Some(FileState::new(name, options));
        Ok(())
    }

    /// Says how many bytes the current file has (see `FileState::expect_bytes`).
    pub fn expect_bytes(&mut self, total: u64) {
        if let Some(file) = self.current.as_mut() {
            file.expect_bytes(total);
        }
    }

    /// Data rows read so far over all files (for progress reports).
    pub fn rows_read(&self) -> u64 {
        self.rows_before_current + self.current.as_ref().map_or(0, |f| f.report.rows_read)
    }

    /// Feeds the next bytes of the current file.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), IngestError> {
        let Some(file) = self.current.as_mut() else {
            return Err(IngestError::Read {
                file: String::new(),
                message: "bytes pushed before begin_file".into(),
            });
        };
        file.push(chunk, &mut self.names, &mut self.quality)
    }

    /// Ends the current file.
    pub fn end_file(&mut self) -> Result<(), IngestError> {
        let Some(file) = self.current.take() else {
            return Ok(());
        };
        let done = file.finish(&mut self.names, &mut self.quality)?;
        self.rows_before_current += done.report.rows_read;
        self.done.push(done);
        Ok(())
    }

    /// Decides the fate of every order and builds the customer table.
    pub fn finish(mut self) -> Result<Ingested, IngestError> {
        self.end_file()?;
        let mut quality = self.quality;
        // An order in two files (overlapping exports, a file dropped twice)
        // counts once: in the first file that has it.
        let mut seen: FxHashMap<String, FxHashSet<&str>> = FxHashMap::default();
        let formats: Vec<String> = self.done.iter().map(|f| f.report.format.clone()).collect();
        for (i, file) in self.done.iter_mut().enumerate() {
            let format = &formats[i];
            let earlier = formats[..i].contains(format);
            let later = formats[i + 1..].contains(format);
            // The only file of its layout (the usual case: one orders
            // export) shares no order with another: no set of its ids.
            if !earlier && !later {
                continue;
            }
            let ids = seen.entry(format.clone()).or_default();
            let duplicates = file.book.mark_duplicates(ids, later);
            if duplicates > 0 {
                quality.warnings.push(format!(
                    "{}: {} also in an earlier file; counted once.",
                    file.report.name,
                    quality::count(duplicates, "order was", "orders were")
                ));
            }
        }
        for file in &mut self.done {
            if let Some(note) = file.book.resolve_dates(&file.date_column) {
                quality
                    .warnings
                    .push(format!("{}: {note}", file.report.name));
            }
        }

        // The analysis date defaults to the day of the last order that counts.
        let as_of = self.as_of.or_else(|| {
            self.done
                .iter()
                .flat_map(|file| &file.book.orders)
                .filter(|order| order.classify().is_ok())
                .filter_map(|order| order.date())
                .max()
        });

        // Rows of order files, read whether or not any order came of them.
        let has_orders = self
            .done
            .iter()
            .any(|file| file.holds_orders && file.report.rows_read > 0);
        let mut purchases = Vec::new();
        let mut items = Vec::new();
        // Fully refunded orders of known customers: no purchases, but part
        // of each customer's refund rate.
        let mut full_refunds: Vec<(u32, f64)> = Vec::new();
        let mut by_currency: BTreeMap<&str, u64> = BTreeMap::new();
        let mut uses_no_currency = 0u64;
        for DoneFile {
            mut report, book, ..
        } in self.done
        {
            let ids = book.ids();
            // The purchase each counted order became, for its product lines.
            let mut purchase_of: Vec<Maybe> = vec![Maybe::NONE; book.orders.len()];
            purchases.reserve(book.orders.len());
            for (index, order) in book.orders.iter().enumerate() {
                let fate = order.classify().and_then(|()| match (order.date(), as_of) {
                    (Some(date), Some(as_of)) if date > as_of => Err(Exclusion::AfterAsOf),
                    _ => Ok(()),
                });
                let rows = u64::from(order.rows);
                match fate {
                    Err(reason) => {
                        if let (Exclusion::Refunded, Some(customer), Some(date)) =
                            (reason, order.customer.get(), order.date())
                        {
                            if as_of.is_none_or(|as_of| date <= as_of) {
                                full_refunds.push((customer, order.amount.max(0.0)));
                            }
                        }
                        *report.rows_excluded.entry(reason).or_default() += rows;
                        if quality.rejected.len() < REJECTIONS_LISTED {
                            quality.rejected.push(Rejection {
                                file: report.name.clone(),
                                line: u64::from(order.first_line),
                                rows: order.rows,
                                order: ids[index].map(str::to_string),
                                reason,
                                detail: book.detail(index).map(str::to_string),
                            });
                        }
                    }
                    Ok(()) => {
                        report.rows_used += rows;
                        if let (Some(customer), Some(date)) = (order.customer.get(), order.date()) {
                            purchase_of[index] = Maybe::some(purchases.len() as u32);
                            purchases.push(Purchase {
                                discount: order.discount(),
                                refunded: order.refunded.max(0.0),
                                country: order.country,
                                source: order.source,
                                discount_code: order.discount_code,
                                ..Purchase::new(customer, date, order.net())
                            });
                        }
                        match order.currency {
                            Some(c) => {
                                *by_currency
                                    .entry(&self.names.currencies[c as usize])
                                    .or_default() += 1
                            }
                            None => uses_no_currency += 1,
                        }
                    }
                }
            }
            // The orders are done with: free them before the product lines
            // become sold items, which then take the lines' own memory
            // (collected in place; see the size assertion below). On a narrow
            // store the lines and orders are most of the analysis's peak.
            drop(ids);
            let sold: Vec<SoldItem> = book
                .into_items()
                .into_iter()
                .filter_map(|item| {
                    let purchase = purchase_of[item.order as usize].get()?;
                    Some(SoldItem {
                        purchase,
                        customer: purchases[purchase as usize].customer,
                        product: item.product,
                        sku: item.sku,
                        category: item.category,
                        quantity: item.quantity,
                        price: item.price,
                        discount: item.discount,
                    })
                })
                .collect();
            if items.is_empty() {
                items = sold;
            } else {
                items.extend(sold);
            }
            quality.add_file(report);
        }

        // Row problems were listed while reading, order fates just now:
        // list them all in file and line order.
        let file_order: FxHashMap<&str, usize> = quality
            .files
            .iter()
            .enumerate()
            .rev()
            .map(|(i, f)| (f.name.as_str(), i))
            .collect();
        let mut rejected = std::mem::take(&mut quality.rejected);
        rejected.sort_by_key(|r| (file_order.get(r.file.as_str()).copied(), r.line));
        quality.rejected = rejected;

        let currency = match by_currency.len() {
            0 => None,
            1 => by_currency.keys().next().map(|c| c.to_string()),
            _ => {
                let parts: Vec<String> = by_currency
                    .iter()
                    .map(|(code, &n)| format!("{code}: {}", quality::count(n, "order", "orders")))
                    .collect();
                quality.warnings.push(format!(
                    "Orders are in several currencies ({}). Revenue adds the amounts as written, without conversion.",
                    parts.join(", ")
                ));
                None
            }
        };
        if uses_no_currency > 0 && !by_currency.is_empty() {
            quality.warnings.push(format!(
                "{uses_no_currency} counted orders have no currency; they are assumed to be in the same currency as the others."
            ));
        }
        let mut names = self.names;
        quality
            .warnings
            .extend(profile_warnings(&names, &purchases));
        let activity = std::mem::take(&mut names.activity);
        let has_events = !activity.is_empty();
        let (behaviour, visitors) = join_behaviour(&names, activity);
        if purchases.is_empty() {
            let why = if has_orders {
                "No purchases are left to analyse: every order row was excluded (see the reasons above)."
            } else if has_events && names.profiles.is_empty() {
                "These files hold analytics events but no orders: add an orders export to score customers; the events add behaviour to them."
            } else if !names.profiles.is_empty() {
                "These files hold no orders: their customers are listed as prospects. Add an orders export for RFM scores and segments."
            } else {
                "These files hold no order rows."
            };
            quality.warnings.push(why.to_string());
        }

        let orders = purchases.len() as u64;
        let revenue = purchases.iter().map(|p| p.amount).sum();
        let first_order = purchases.iter().map(|p| p.date).min();
        let last_order = purchases.iter().map(|p| p.date).max();
        let (mut customers, position) = CustomerTable::build(
            names.identities,
            &purchases,
            names.profiles,
            behaviour,
            as_of.unwrap_or(Date::from_days(0)),
        );
        customers.add_full_refunds(&full_refunds, &position);
        // From here on purchases and items name customers by table position;
        // every purchase's customer is in the table (it has a purchase).
        for p in &mut purchases {
            p.customer = position[p.customer as usize].unwrap_or(u32::MAX);
        }
        for item in &mut items {
            item.customer = position[item.customer as usize].unwrap_or(u32::MAX);
        }
        let behaviour = has_events.then(|| {
            let matched = customers.with_behaviour() as u64;
            if let Some(note) = unmatched_users_note(visitors.signed_in.len() as u64, matched) {
                quality.warnings.push(note);
            }
            BehaviourSummary::of(&visitors, matched)
        });
        Ok(Ingested {
            quality,
            customers,
            totals: Totals {
                orders,
                revenue,
                currency,
                first_order,
                last_order,
                as_of,
            },
            behaviour,
            sales: Sales {
                purchases,
                items,
                labels: std::mem::take(&mut names.labels),
            },
        })
    }
}

/// Credits the events of signed-in visitors to the customers they are: GA4's
/// `user_id` is whatever the shop set it to, so it is compared with the
/// customer keys (emails, order-file customer ids) and with the customer ids
/// of customers exports.
fn join_behaviour(
    names: &Names,
    activity: Activity,
) -> (
    FxHashMap<u32, (Behaviour, Vec<DayActivity>)>,
    crate::behaviour::Visitors,
) {
    let visitors = activity.finish();
    let mut behaviour = FxHashMap::default();
    if visitors.signed_in.is_empty() {
        return (behaviour, visitors);
    }
    let shop_ids: FxHashMap<&str, u32> = names
        .profiles
        .iter()
        .filter_map(|(&c, p)| p.shop_id.as_deref().map(|id| (id, c)))
        .collect();
    for ((user, b), days) in visitors.signed_in.iter().zip(&visitors.timelines) {
        let customer = names
            .identities
            .get(user)
            .or_else(|| shop_ids.get(&**user).copied());
        if let Some(customer) = customer {
            behaviour
                .entry(customer)
                .and_modify(|(known, timeline): &mut (Behaviour, Vec<DayActivity>)| {
                    known.absorb(b);
                    timeline.extend_from_slice(days);
                    timeline.sort_by_key(|d| d.date);
                })
                .or_insert_with(|| (*b, days.clone()));
        }
    }
    (behaviour, visitors)
}

/// Tells the merchant when signed-in visitors could not be matched.
fn unmatched_users_note(signed_in: u64, matched: u64) -> Option<String> {
    let unmatched = signed_in.saturating_sub(matched);
    (unmatched > 0).then(|| {
        format!(
            "{} in the analytics events matched no customer in the store files (GA4's user_id is compared with customer ids and emails); their behaviour counts only in the store-wide figures.",
            quality::count(unmatched, "signed-in visitor", "signed-in visitors")
        )
    })
}

/// What the merchant should know about the customers exports: merged
/// duplicates, and customers the shop says have ordered but whose orders
/// are not in the files.
fn profile_warnings(names: &Names, purchases: &[Purchase]) -> Vec<String> {
    let mut warnings = Vec::new();
    if names.duplicate_profiles > 0 {
        warnings.push(format!(
            "{} described a customer already listed (same email or Customer ID) and merged into it.",
            quality::count(names.duplicate_profiles, "customer row", "customer rows")
        ));
    }
    if names.profiles.is_empty() {
        return warnings;
    }
    let mut bought = vec![false; names.identities.len()];
    for p in purchases {
        bought[p.customer as usize] = true;
    }
    let missing = names
        .profiles
        .iter()
        .filter(|(&c, p)| !bought[c as usize] && p.total_orders.is_some_and(|n| n > 0))
        .count();
    if missing > 0 {
        let hint = if purchases.is_empty() {
            "add the orders export to score them"
        } else {
            "the orders export may cover a shorter period than the customers export"
        };
        let who = quality::count(missing as u64, "customer has", "customers have");
        warnings.push(format!(
            "{who} orders in the shop's totals but none in the order files, so they count as prospects here: {hint}."
        ));
    }
    warnings
}

#[cfg(test)]
mod events_tests;
#[cfg(test)]
mod layout_tests;
#[cfg(test)]
mod part_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod workbook_tests;
