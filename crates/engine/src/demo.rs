//! The demo store: a seeded simulator that writes a realistic Shopify orders
//! export, so a newcomer sees segments without a file of their own, and so
//! the page and the CLI can be checked on the same bytes.
//!
//! Customers follow the BG/NBD story (Fader, Hardie & Lee 2005): while
//! alive, a customer buys as a Poisson process with rate λ ~ Gamma(r, α);
//! after each purchase they leave for good with probability p ~ Beta(a, b).
//! Order values follow the Gamma-Gamma spend model (Fader & Hardie 2013):
//! each customer has a typical basket ν, and orders scatter around it.
//! On top, the export has what real ones have: line items on several rows,
//! discount codes, cancelled, voided and refunded orders, guest checkouts
//! without email, addresses and notes with commas, quotes and line breaks,
//! and emails typed with capitals on some orders.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Beta, Distribution, Exp, Gamma};

use crate::wording::capitalise;

use crate::date::Date;
use crate::export::csv_writer::write_record;

/// File name under which the page and the CLI present the demo export.
pub const DEMO_FILE_NAME: &str = "demo-store-orders.csv";

/// The current Shopify "Export orders" header (79 columns).
#[rustfmt::skip]
pub const SHOPIFY_ORDERS_HEADER: [&str; 79] = [
    "Name", "Email", "Financial Status", "Paid at", "Fulfillment Status", "Fulfilled at",
    "Accepts Marketing", "Currency", "Subtotal", "Shipping", "Taxes", "Total", "Discount Code",
    "Discount Amount", "Shipping Method", "Created at", "Lineitem quantity", "Lineitem name",
    "Lineitem price", "Lineitem compare at price", "Lineitem sku", "Lineitem requires shipping",
    "Lineitem taxable", "Lineitem fulfillment status", "Billing Name", "Billing Street",
    "Billing Address1", "Billing Address2", "Billing Company", "Billing City", "Billing Zip",
    "Billing Province", "Billing Country", "Billing Phone", "Shipping Name", "Shipping Street",
    "Shipping Address1", "Shipping Address2", "Shipping Company", "Shipping City", "Shipping Zip",
    "Shipping Province", "Shipping Country", "Shipping Phone", "Notes", "Note Attributes",
    "Cancelled at", "Payment Method", "Payment Reference", "Refunded Amount", "Vendor",
    "Outstanding Balance", "Employee", "Location", "Device ID", "Id", "Tags", "Risk Level",
    "Source", "Lineitem discount", "Tax 1 Name", "Tax 1 Value", "Tax 2 Name", "Tax 2 Value",
    "Tax 3 Name", "Tax 3 Value", "Tax 4 Name", "Tax 4 Value", "Tax 5 Name", "Tax 5 Value",
    "Phone", "Receipt Number", "Duties", "Billing Province Name", "Shipping Province Name",
    "Payment ID", "Payment Terms Name", "Next Payment Due At", "Payment References",
];

/// Settings of the simulated store.
#[derive(Clone, Debug, PartialEq)]
pub struct DemoStore {
    pub seed: u64,
    /// Customers who ever buy (guest orders come on top).
    pub customers: u32,
    /// Last day of the export.
    pub end: Date,
    /// Days of history before `end`.
    pub history_days: i32,
    /// Sizes or colours per catalogue product (1: the plain catalogue).
    /// Benchmarks raise it for a product table of realistic size.
    pub variants: u32,
}

/// The columns a simulated store is written with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// Shopify's orders export: 79 columns, order fields on the first line
    /// of each order, quoted addresses and notes.
    Shopify,
    /// A plain order-line table of 8 columns, as other shop systems and
    /// spreadsheets export: `order_id,email,order_date,product,category,
    /// quantity,price,country`.
    Narrow,
}

/// The narrow shape's header.
pub const NARROW_HEADER: [&str; 8] = [
    "order_id",
    "email",
    "order_date",
    "product",
    "category",
    "quantity",
    "price",
    "country",
];

impl Default for DemoStore {
    /// Three thousand customers over two years ending 2026-10-31: enough for
    /// every RFM group to be populated, small enough to analyse instantly.
    fn default() -> Self {
        DemoStore {
            seed: 42,
            customers: 3000,
            end: Date::from_ymd(2026, 10, 31).unwrap_or(Date::from_days(20_757)),
            history_days: 730,
            variants: 1,
        }
    }
}

struct Product {
    name: &'static str,
    sku: &'static str,
    price: f64,
    vendor: &'static str,
}

const fn product(
    name: &'static str,
    sku: &'static str,
    price: f64,
    vendor: &'static str,
) -> Product {
    Product {
        name,
        sku,
        price,
        vendor,
    }
}

#[rustfmt::skip]
const CATALOGUE: [Product; 16] = [
    product("Organic Ethiopian Coffee Beans", "CB-ETH-500", 18.50, "Mountain Brew Co."),
    product("Colombian Decaf Coffee Beans", "CB-COL-DEC", 16.00, "Mountain Brew Co."),
    product("Ceramic Pour-Over Dripper", "PO-CER-WHT", 29.00, "Mountain Brew Co."),
    product("Stoneware Mug, Set of 2", "MG-STN-2", 24.00, "Serenity Home"),
    product("Lavender & Vanilla Soy Candle", "SC-LAV-VAN", 14.99, "Serenity Home"),
    product("Linen Throw Blanket", "TB-LIN-NAT", 79.00, "Serenity Home"),
    product("Premium Eco-Friendly Yoga Mat", "YM-ECO-001", 49.99, "ZenFit"),
    product("Cork Yoga Block", "YB-CRK-01", 19.00, "ZenFit"),
    product("Resistance Band Set", "RB-SET-5", 27.50, "ZenFit"),
    product("Minimalist Leather Wallet", "LW-MIN-BRN", 45.00, "Craftsman Leather"),
    product("Leather Key Ring", "LK-RNG-BRN", 12.00, "Craftsman Leather"),
    product("Wireless Bluetooth Headphones", "WH-BT-001", 89.99, "TechSound"),
    product("Portable Speaker \"Mini\"", "SP-MINI-01", 59.00, "TechSound"),
    product("Reusable Water Bottle 750ml", "WB-750-STL", 22.00, "ZenFit"),
    product("Loose-Leaf Green Tea, 100g", "TE-GRN-100", 9.50, "Mountain Brew Co."),
    product("Gift Card", "GIFT-25", 25.00, "Demo Store"),
];

#[rustfmt::skip]
const FIRST_NAMES: [&str; 24] = [
    "Ann", "Ben", "Chloé", "Dev", "Elif", "Farah", "Gus", "Hana", "Ivan", "Jo", "Kai", "Lena",
    "Mateo", "Nia", "Omar", "Priya", "Quinn", "Rosa", "Sam", "Tariq", "Uma", "Vic", "Wen", "Zoë",
];

#[rustfmt::skip]
const LAST_NAMES: [&str; 20] = [
    "Smith", "Okafor", "García", "Müller", "Nguyen", "Rossi", "Kowalski", "Haddad", "Silva",
    "Tanaka", "O'Brien", "Dubois", "Jensen", "Patel", "Kim", "Novak", "Ahmed", "Costa", "Berg",
    "Lopez",
];

/// (country code, city, province code, zip)
const PLACES: [(&str, &str, &str, &str); 8] = [
    ("US", "Portland", "OR", "97205"),
    ("US", "Austin", "TX", "78701"),
    ("US", "Brooklyn", "NY", "11201"),
    ("CA", "Toronto", "ON", "M5V 2T6"),
    ("GB", "Leeds", "", "LS1 4AP"),
    ("DE", "Köln", "", "50667"),
    ("AU", "Melbourne", "VIC", "3000"),
    ("FR", "Lyon", "", "69002"),
];

const NOTES: [&str; 4] = [
    "Please leave at the back door, thanks!",
    "Gift wrap please.\nMessage: \"Happy birthday, Sam!\"",
    "Call on arrival; buzzer 4B",
    "Deliver after 5pm, \"no\" signature needed",
];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Fate {
    Paid,
    Pending,
    Cancelled,
    Voided,
    Refunded,
    PartlyRefunded,
}

struct Buyer {
    first: &'static str,
    last: &'static str,
    email: String,
    place: usize,
    accepts_marketing: bool,
}

struct SimOrder {
    /// Seconds since 1970-01-01 in shop time.
    at: i64,
    buyer: Option<usize>,
    basket: f64,
    first_order: bool,
    /// A coffee subscriber's refill: the beans come first in the basket.
    refill: bool,
}

/// Products often bought with another, in the same order (the planted
/// bundles recommendations should find), and how often.
const PARTNERS: [(&str, &str, f64); 3] = [
    ("Premium Eco-Friendly Yoga Mat", "Cork Yoga Block", 0.6),
    (
        "Ceramic Pour-Over Dripper",
        "Organic Ethiopian Coffee Beans",
        0.5,
    ),
    ("Minimalist Leather Wallet", "Leather Key Ring", 0.5),
];
/// Share of buyers who reorder coffee on a cycle, and the cycle in days.
const SUBSCRIBERS: f64 = 0.12;
const REFILL_DAYS: f64 = 30.0;

impl DemoStore {
    /// Writes the demo store as a Shopify orders export (UTF-8 CSV).
    pub fn generate(&self) -> Vec<u8> {
        let (mut rng, buyers, orders) = self.simulate();
        let mut out = Vec::with_capacity(orders.len() * 700);
        // Writing to a Vec cannot fail.
        let _ = write_record(&mut out, &SHOPIFY_ORDERS_HEADER);
        let mut rows = Vec::new();
        for (n, order) in orders.iter().enumerate() {
            let buyer = order.buyer.map(|b| &buyers[b]);
            rows.push(self.order_rows(&mut rng, 1001 + n, order, buyer));
        }
        // Shopify lists the newest order first.
        for order_rows in rows.iter().rev() {
            for row in order_rows {
                let _ = write_record(&mut out, row);
            }
        }
        out
    }

    /// Streams the store to `out` in `shape`, oldest order first, holding
    /// only the customers and their order times (a gigabyte-sized file for
    /// the benchmarks never sits in memory). Returns the lines written.
    pub fn write(&self, shape: Shape, out: &mut impl std::io::Write) -> std::io::Result<u64> {
        let (mut rng, buyers, orders) = self.simulate();
        let mut lines = 1;
        match shape {
            Shape::Shopify => write_record(out, &SHOPIFY_ORDERS_HEADER)?,
            Shape::Narrow => write_record(out, &NARROW_HEADER)?,
        }
        let column = |name: &str| SHOPIFY_ORDERS_HEADER.iter().position(|h| *h == name);
        let picks = [
            "Name",
            "Email",
            "Created at",
            "Lineitem name",
            "Vendor",
            "Lineitem quantity",
            "Lineitem price",
        ]
        .map(|name| column(name).unwrap_or(0));
        let mut narrow: Vec<String> = Vec::with_capacity(NARROW_HEADER.len());
        for (n, order) in orders.iter().enumerate() {
            let buyer = order.buyer.map(|b| &buyers[b]);
            for row in self.order_rows(&mut rng, 1001 + n, order, buyer) {
                match shape {
                    Shape::Shopify => write_record(out, &row)?,
                    Shape::Narrow => {
                        narrow.clear();
                        narrow.extend(picks.iter().map(|&i| row[i].clone()));
                        // Plain tables repeat the date without a zone.
                        narrow[2].truncate(19);
                        narrow.push(buyer.map_or("", |b| PLACES[b.place].0).to_string());
                        write_record(out, &narrow)?;
                    }
                }
                lines += 1;
            }
        }
        Ok(lines)
    }

    /// The customers and every order, sorted by time, and the generator in
    /// the state the order rows continue from.
    fn simulate(&self) -> (ChaCha8Rng, Vec<Buyer>, Vec<SimOrder>) {
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        let buyers = self.buyers(&mut rng);
        let mut orders = self.purchases(&mut rng, buyers.len());
        orders.sort_by_key(|o| o.at);
        (rng, buyers, orders)
    }

    fn buyers(&self, rng: &mut ChaCha8Rng) -> Vec<Buyer> {
        (0..self.customers)
            .map(|k| {
                let first = FIRST_NAMES[rng.random_range(0..FIRST_NAMES.len())];
                let last = LAST_NAMES[rng.random_range(0..LAST_NAMES.len())];
                let local: String = format!("{first}.{last}{k}")
                    .chars()
                    .filter(|c| c.is_ascii_alphanumeric() || *c == '.')
                    .collect();
                Buyer {
                    first,
                    last,
                    email: format!("{}@example.com", local.to_lowercase()),
                    place: rng.random_range(0..PLACES.len()),
                    accepts_marketing: rng.random_bool(0.6),
                }
            })
            .collect()
    }

    /// Purchase times of every buyer (BG/NBD), plus guest checkouts.
    fn purchases(&self, rng: &mut ChaCha8Rng, buyers: usize) -> Vec<SimOrder> {
        // Rates per day: a typical active customer buys every ~50 days.
        let rate = Gamma::new(0.9, 1.0 / 45.0).ok();
        let dropout = Beta::new(0.8, 3.0).ok();
        // Gamma-Gamma: basket scale ν ~ Gamma(q, 1/γ), order value ~ Gamma(p, 1/ν).
        let basket_scale = Gamma::new(3.8, 1.0 / 30.3).ok();
        let start = i64::from(self.end.days() - self.history_days);
        let end = i64::from(self.end.days()) + 1;
        let mut orders = Vec::new();
        let (Some(rate), Some(dropout), Some(basket_scale)) = (rate, dropout, basket_scale) else {
            return orders;
        };
        for buyer in 0..buyers {
            // More customers arrive later, as in a growing store.
            let arrival = rng.random::<f64>().powf(0.7);
            let mut day = start as f64 + arrival * (end - start) as f64;
            let lambda = f64::max(rate.sample(rng), 1e-4);
            let p: f64 = dropout.sample(rng);
            let nu = f64::max(basket_scale.sample(rng), 1e-3);
            let basket = Gamma::new(6.0, 1.0 / nu).ok();
            // Subscribers reorder coffee every month (± 3 days) and stay
            // longer; everyone else buys at random times (BG/NBD).
            let subscriber = rng.random_bool(SUBSCRIBERS);
            let mut first_order = true;
            while day < end as f64 {
                let value = basket.map_or(60.0, |g| g.sample(rng));
                orders.push(SimOrder {
                    at: (day * 86_400.0) as i64,
                    buyer: Some(buyer),
                    basket: value,
                    first_order,
                    refill: subscriber,
                });
                first_order = false;
                let leaves = if subscriber { p / 4.0 } else { p };
                if rng.random_bool(leaves.clamp(0.0, 1.0)) {
                    break;
                }
                let wait = if subscriber {
                    REFILL_DAYS + rng.random_range(-3.0..=3.0)
                } else {
                    Exp::new(lambda).map_or(365.0, |e| e.sample(rng))
                };
                day += wait.max(0.02);
            }
        }
        // Guest checkouts without an email: about 4 % of orders.
        let guests = orders.len() / 25;
        for _ in 0..guests {
            let day = rng.random_range(start as f64..end as f64);
            orders.push(SimOrder {
                at: (day * 86_400.0) as i64,
                buyer: None,
                basket: rng.random_range(15.0..120.0),
                first_order: true,
                refill: false,
            });
        }
        orders
    }

    /// The rows of one order: the order row, then one row per further line.
    fn order_rows(
        &self,
        rng: &mut ChaCha8Rng,
        number: usize,
        order: &SimOrder,
        buyer: Option<&Buyer>,
    ) -> Vec<Vec<String>> {
        let col = |name: &str| SHOPIFY_ORDERS_HEADER.iter().position(|h| *h == name);
        let set = |row: &mut Vec<String>, name: &str, value: String| {
            if let Some(i) = col(name) {
                row[i] = value;
            }
        };

        // Line items: fill the basket.
        let mut lines: Vec<(&Product, u32)> = Vec::new();
        let mut subtotal = 0.0;
        let by_name = |name: &str| CATALOGUE.iter().find(|p| p.name == name);
        if order.refill {
            if let Some(beans) = by_name("Organic Ethiopian Coffee Beans") {
                subtotal += beans.price;
                lines.push((beans, 1));
            }
        }
        while lines.is_empty() || (subtotal < order.basket * 0.85 && lines.len() < 5) {
            let product = &CATALOGUE[rng.random_range(0..CATALOGUE.len())];
            let quantity = if rng.random_bool(0.8) {
                1
            } else {
                rng.random_range(2..4)
            };
            subtotal += product.price * f64::from(quantity);
            lines.push((product, quantity));
            let partner = PARTNERS
                .iter()
                .find(|(from, _, _)| *from == product.name)
                .and_then(|&(_, to, share)| by_name(to).filter(|_| rng.random_bool(share)));
            if let Some(partner) = partner {
                if !lines.iter().any(|(p, _)| p.name == partner.name) {
                    subtotal += partner.price;
                    lines.push((partner, 1));
                }
            }
        }
        let discount_code = if order.first_order && rng.random_bool(0.3) {
            Some(("WELCOME10", 0.10))
        } else if rng.random_bool(0.08) {
            Some(("SPRING15", 0.15))
        } else {
            None
        };
        let discount = round2(discount_code.map_or(0.0, |(_, pct)| subtotal * pct));
        let shipping = if subtotal >= 50.0 { 0.0 } else { 4.95 };
        let total = round2(subtotal - discount + shipping);

        let roll: f64 = rng.random();
        let fate = match roll {
            r if r < 0.020 => Fate::Cancelled,
            r if r < 0.028 => Fate::Voided,
            r if r < 0.043 => Fate::Refunded,
            r if r < 0.073 => Fate::PartlyRefunded,
            r if r < 0.093 => Fate::Pending,
            _ => Fate::Paid,
        };
        let refunded = match fate {
            Fate::Refunded => total,
            Fate::PartlyRefunded => round2(lines[0].0.price.min(total)),
            _ => 0.0,
        };
        let status = match fate {
            Fate::Paid | Fate::Cancelled => "paid",
            Fate::Pending => "pending",
            Fate::Voided => "voided",
            Fate::Refunded => "refunded",
            Fate::PartlyRefunded => "partially_refunded",
        };
        let created = timestamp(order.at);
        let name = format!("#{number}");
        // Some customers type their address with capitals now and then.
        let email = match buyer {
            Some(b) if rng.random_bool(0.05) => capitalise(&b.email),
            Some(b) => b.email.clone(),
            None => String::new(),
        };

        let mut rows = Vec::with_capacity(lines.len());
        for (i, (product, quantity)) in lines.iter().enumerate() {
            let mut row = vec![String::new(); SHOPIFY_ORDERS_HEADER.len()];
            set(&mut row, "Name", name.clone());
            set(&mut row, "Email", email.clone());
            set(&mut row, "Created at", created.clone());
            set(&mut row, "Lineitem quantity", quantity.to_string());
            // The plain catalogue draws nothing here, so its bytes stay put.
            if self.variants > 1 {
                let variant = rng.random_range(1..=self.variants);
                set(
                    &mut row,
                    "Lineitem name",
                    format!("{} - Style {variant}", product.name),
                );
                set(
                    &mut row,
                    "Lineitem sku",
                    format!("{}-{variant}", product.sku),
                );
            } else {
                set(&mut row, "Lineitem name", product.name.to_string());
                set(&mut row, "Lineitem sku", product.sku.to_string());
            }
            set(&mut row, "Lineitem price", money(product.price));
            set(&mut row, "Lineitem requires shipping", "true".into());
            set(&mut row, "Lineitem taxable", "true".into());
            set(&mut row, "Lineitem fulfillment status", "fulfilled".into());
            set(&mut row, "Vendor", product.vendor.to_string());
            set(&mut row, "Lineitem discount", "0.00".into());
            if i == 0 {
                self.fill_order_row(
                    &mut row,
                    rng,
                    buyer,
                    fate,
                    status,
                    (subtotal, shipping, total, discount, refunded),
                    discount_code.map(|(code, _)| code),
                    order.at,
                    number,
                );
            }
            rows.push(row);
        }
        rows
    }

    #[allow(clippy::too_many_arguments)]
    fn fill_order_row(
        &self,
        row: &mut [String],
        rng: &mut ChaCha8Rng,
        buyer: Option<&Buyer>,
        fate: Fate,
        status: &str,
        (subtotal, shipping, total, discount, refunded): (f64, f64, f64, f64, f64),
        discount_code: Option<&str>,
        at: i64,
        number: usize,
    ) {
        let mut set = |name: &str, value: String| {
            if let Some(i) = SHOPIFY_ORDERS_HEADER.iter().position(|h| *h == name) {
                row[i] = value;
            }
        };
        set("Financial Status", status.to_string());
        if matches!(
            fate,
            Fate::Paid | Fate::Refunded | Fate::PartlyRefunded | Fate::Cancelled
        ) {
            set("Paid at", timestamp(at + 5));
        }
        let fulfilled = !matches!(fate, Fate::Cancelled | Fate::Voided | Fate::Pending);
        set(
            "Fulfillment Status",
            if fulfilled {
                "fulfilled"
            } else {
                "unfulfilled"
            }
            .into(),
        );
        if fulfilled {
            set("Fulfilled at", timestamp(at + 86_400));
        }
        set(
            "Accepts Marketing",
            if buyer.is_some_and(|b| b.accepts_marketing) {
                "yes"
            } else {
                "no"
            }
            .into(),
        );
        set("Currency", "USD".into());
        set("Subtotal", money(subtotal));
        set("Shipping", money(shipping));
        set("Taxes", "0.00".into());
        set("Total", money(total));
        set(
            "Discount Code",
            discount_code.unwrap_or_default().to_string(),
        );
        set("Discount Amount", money(discount));
        set(
            "Shipping Method",
            if shipping > 0.0 {
                "Standard"
            } else {
                "Free shipping"
            }
            .into(),
        );
        if let Some(b) = buyer {
            let (country, city, province, zip) = PLACES[b.place];
            let full_name = format!("{} {}", b.first, b.last);
            let street = format!("{} Harbour Road, Unit {}", 1 + number % 97, 1 + number % 9);
            for side in ["Billing", "Shipping"] {
                set(&format!("{side} Name"), full_name.clone());
                set(&format!("{side} Street"), street.clone());
                set(&format!("{side} Address1"), street.clone());
                set(&format!("{side} City"), city.to_string());
                set(&format!("{side} Zip"), zip.to_string());
                set(&format!("{side} Province"), province.to_string());
                set(&format!("{side} Country"), country.to_string());
            }
        }
        if rng.random_bool(0.06) {
            set("Notes", NOTES[rng.random_range(0..NOTES.len())].to_string());
        }
        if fate == Fate::Cancelled {
            set("Cancelled at", timestamp(at + 3_600));
        }
        set("Payment Method", "Shopify Payments".into());
        set("Refunded Amount", money(refunded));
        let outstanding = if fate == Fate::Pending { total } else { 0.0 };
        set("Outstanding Balance", money(outstanding));
        set("Id", (5_100_000_000_000u64 + number as u64 * 7).to_string());
        set("Risk Level", "Low".into());
        set(
            "Source",
            if rng.random_bool(0.9) { "web" } else { "pos" }.into(),
        );
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn money(x: f64) -> String {
    format!("{x:.2}")
}

/// Shopify's timestamp form in the shop's zone (`2026-03-04 14:22:10 -0500`).
fn timestamp(seconds: i64) -> String {
    let day = seconds.div_euclid(86_400);
    let secs = seconds.rem_euclid(86_400);
    let date = Date::from_days(day as i32);
    format!(
        "{date} {:02}:{:02}:{:02} -0500",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::Exclusion;
    use crate::pipeline::{analyze_bytes, Options};
    use crate::rfm::RfmGroup;

    fn small() -> DemoStore {
        DemoStore {
            customers: 400,
            ..DemoStore::default()
        }
    }

    #[test]
    fn same_seed_same_bytes_other_seed_other_bytes() {
        let a = small().generate();
        assert_eq!(a, small().generate());
        let other = DemoStore { seed: 7, ..small() }.generate();
        assert_ne!(a, other);
    }

    #[test]
    fn demo_export_reads_back_with_every_row_accounted_for() {
        let bytes = small().generate();
        let analysis = analyze_bytes(DEMO_FILE_NAME, &bytes, &Options::default()).expect("reads");
        let q = &analysis.quality;
        assert_eq!(q.rows_used + q.rows_excluded_total(), q.rows_read);
        assert_eq!(q.files[0].format, "shopify_orders");
        assert!(
            q.issues.is_empty(),
            "demo rows are well-formed: {:?}",
            q.issues
        );
        for reason in [
            Exclusion::Cancelled,
            Exclusion::Voided,
            Exclusion::Refunded,
            Exclusion::NoCustomer,
        ] {
            assert!(
                q.rows_excluded.get(&reason).copied().unwrap_or(0) > 0,
                "{reason}"
            );
        }
        // Capitalised emails merge into their customer (else there would be
        // more than 400); a few customers have only excluded orders.
        let customers = analysis.customers.len();
        assert!((360..=400).contains(&customers), "{customers} customers");
        let end = DemoStore::default().end;
        let as_of = analysis.totals.as_of;
        assert!(as_of.is_some_and(|d| d <= end && d >= end.add_days(-7)));
    }

    #[test]
    fn demo_store_has_repeat_buyers_and_most_groups() {
        let analysis = analyze_bytes(
            DEMO_FILE_NAME,
            &DemoStore::default().generate(),
            &Options::default(),
        )
        .expect("reads");
        let c = &analysis.customers;
        let repeat = (0..c.len()).filter(|&i| c.orders[i] > 1).count();
        let share = repeat as f64 / c.len() as f64;
        assert!((0.2..0.8).contains(&share), "repeat share {share}");
        let populated = analysis
            .rfm
            .counts()
            .iter()
            .filter(|(g, n)| *g != RfmGroup::Prospects && *n > 0)
            .count();
        assert!(populated >= 9, "only {populated} groups populated");
    }

    #[test]
    fn the_streamed_export_is_the_same_store_oldest_first() {
        let mut streamed = Vec::new();
        let lines = small().write(Shape::Shopify, &mut streamed).expect("write");
        let read = |bytes: &[u8]| analyze_bytes(DEMO_FILE_NAME, bytes, &Options::default());
        let (a, b) = (
            read(&small().generate()).expect("reads"),
            read(&streamed).expect("reads"),
        );
        assert_eq!(a.customers.len(), b.customers.len());
        assert_eq!(a.quality.rows_read, b.quality.rows_read);
        assert_eq!(a.quality.rows_used, b.quality.rows_used);
        // The same orders, added up in another order.
        assert!((a.totals.revenue - b.totals.revenue).abs() < 1e-6 * a.totals.revenue);
        // The header and one line per row (a note's line break is inside a row).
        assert_eq!(lines, b.quality.rows_read + 1);
    }

    #[test]
    fn the_narrow_shape_holds_the_same_lines_in_eight_columns() {
        let store = DemoStore {
            variants: 6,
            ..small()
        };
        let (mut wide, mut narrow) = (Vec::new(), Vec::new());
        store.write(Shape::Shopify, &mut wide).expect("write");
        store.write(Shape::Narrow, &mut narrow).expect("write");
        let text = String::from_utf8(narrow.clone()).expect("utf-8");
        assert!(
            text.starts_with("order_id,email,order_date,product,category,quantity,price,country\n")
        );
        assert!(text
            .lines()
            .nth(1)
            .is_some_and(|l| l.split(',').count() == 8));
        let read = |name: &str, bytes: &[u8]| {
            analyze_bytes(name, bytes, &Options::default()).expect("reads")
        };
        let (w, n) = (read("wide.csv", &wide), read("narrow.csv", &narrow));
        assert_eq!(n.quality.files[0].format, "generic_orders");
        assert_eq!(n.quality.rows_read, w.quality.rows_read);
        assert_eq!(
            n.quality.rows_used + n.quality.rows_excluded_total(),
            n.quality.rows_read
        );
        // A plain table has no cancellations or refunds: everyone who
        // ordered is a customer there.
        assert!(n.customers.len() >= w.customers.len());
        // Up to six styles of each of the 16 products.
        let products: std::collections::BTreeSet<u32> =
            n.sales.items.iter().map(|i| i.product).collect();
        assert!(
            (17..=96).contains(&products.len()),
            "{} products",
            products.len()
        );
    }

    #[test]
    fn timestamps_look_like_shopify() {
        let at = i64::from(Date::from_ymd(2026, 3, 4).expect("valid").days()) * 86_400 + 51_730;
        assert_eq!(timestamp(at), "2026-03-04 14:22:10 -0500");
        assert_eq!(capitalise("ann@x.com"), "Ann@x.com");
    }
}
