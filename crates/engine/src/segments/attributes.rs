//! The attributes a query can name: Shopify's where the uploaded data has
//! them, and ours (predictions, clusters, behaviour). Each knows its type,
//! what data it needs, and how to read it for one customer.

use std::borrow::Cow;

use crate::date::Date;
use crate::pipeline::Analysis;
use crate::rfm::RfmGroup;

/// What kind of value an attribute holds, which decides its operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Number,
    Date,
    /// One of fixed values, compared case-sensitively (as Shopify does).
    Enum(&'static [&'static str]),
    Text,
    /// Several texts; `CONTAINS`, compared without case.
    List,
    /// `products_purchased MATCHES (…)`.
    Products,
}

impl Kind {
    pub fn describe(self) -> &'static str {
        match self {
            Kind::Number => "a number",
            Kind::Date => "a date",
            Kind::Enum(_) => "one of fixed values",
            Kind::Text => "a text",
            Kind::List => "a list",
            Kind::Products => "the products bought",
        }
    }
}

/// The data an attribute needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Needs {
    Orders,
    Models,
    Clusters,
    CustomersExport,
    Events,
    /// Product lines (a product column in the files).
    Products,
}

/// Every attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Attr {
    AmountSpent,
    NumberOfOrders,
    FirstOrderDate,
    LastOrderDate,
    CustomerTags,
    CustomerCountries,
    CustomerCities,
    CustomerRegions,
    CustomerEmailDomain,
    EmailSubscriptionStatus,
    SmsSubscriptionStatus,
    RfmGroup,
    PredictedSpendTier,
    ProductsPurchased,
    CustomerId,
    Email,
    Country,
    AverageOrderValue,
    RecencyDays,
    Frequency,
    TenureDays,
    DiscountShare,
    RefundRate,
    RScore,
    FScore,
    MScore,
    PredictedClv,
    ChurnProbability,
    PAlive,
    ExpectedPurchases30d,
    ExpectedPurchases90d,
    ExpectedPurchases365d,
    ExpectedNextOrder,
    AvgDaysBetweenOrders,
    PurchasePropensity,
    Cluster,
    ClusterName,
    ClusterProbability,
    RecommendedProducts,
    ReplenishmentDue,
    TopCategories,
    AbandonedCheckoutDate,
    ItemViews,
    AddToCarts,
    CheckoutsBegun,
    CartAbandonmentRate,
    LastActiveDate,
}

/// An attribute as the catalogue lists it.
#[derive(Clone, Copy, Debug)]
pub struct Attribute {
    pub attr: Attr,
    pub name: &'static str,
    pub kind: Kind,
    pub needs: Needs,
    /// One of Shopify's own attributes (a pasted query may use it).
    pub shopify: bool,
    pub about: &'static str,
}

const SUBSCRIPTION: &[&str] = &[
    "SUBSCRIBED",
    "NOT_SUBSCRIBED",
    "UNSUBSCRIBED",
    "PENDING",
    "INVALID",
    "REDACTED",
];
const RFM_GROUPS: &[&str] = &[
    "CHAMPIONS",
    "LOYAL",
    "ACTIVE",
    "NEW",
    "PROMISING",
    "NEEDS_ATTENTION",
    "AT_RISK",
    "PREVIOUSLY_LOYAL",
    "ALMOST_LOST",
    "DORMANT",
    "PROSPECTS",
];
const SPEND_TIERS: &[&str] = &["HIGH", "MEDIUM", "LOW"];

macro_rules! attribute {
    ($attr:ident, $name:literal, $kind:expr, $needs:ident, $shopify:literal, $about:literal) => {
        Attribute {
            attr: Attr::$attr,
            name: $name,
            kind: $kind,
            needs: Needs::$needs,
            shopify: $shopify,
            about: $about,
        }
    };
}

/// The catalogue, Shopify's attributes first.
pub const ATTRIBUTES: &[Attribute] = &[
    attribute!(
        AmountSpent,
        "amount_spent",
        Kind::Number,
        Orders,
        true,
        "net revenue of the customer's counted orders"
    ),
    attribute!(
        NumberOfOrders,
        "number_of_orders",
        Kind::Number,
        Orders,
        true,
        "counted orders"
    ),
    attribute!(
        FirstOrderDate,
        "first_order_date",
        Kind::Date,
        Orders,
        true,
        "day of the first counted order"
    ),
    attribute!(
        LastOrderDate,
        "last_order_date",
        Kind::Date,
        Orders,
        true,
        "day of the latest counted order"
    ),
    attribute!(
        CustomerTags,
        "customer_tags",
        Kind::List,
        CustomersExport,
        true,
        "the shop's customer tags"
    ),
    attribute!(
        CustomerCountries,
        "customer_countries",
        Kind::List,
        Orders,
        true,
        "countries of the customer's address and orders"
    ),
    attribute!(
        CustomerCities,
        "customer_cities",
        Kind::List,
        CustomersExport,
        true,
        "city of the customer's address"
    ),
    attribute!(
        CustomerRegions,
        "customer_regions",
        Kind::List,
        CustomersExport,
        true,
        "province or state code of the customer's address"
    ),
    attribute!(
        CustomerEmailDomain,
        "customer_email_domain",
        Kind::Text,
        Orders,
        true,
        "the part of the email after @"
    ),
    attribute!(
        EmailSubscriptionStatus,
        "email_subscription_status",
        Kind::Enum(SUBSCRIPTION),
        CustomersExport,
        true,
        "email marketing consent"
    ),
    attribute!(
        SmsSubscriptionStatus,
        "sms_subscription_status",
        Kind::Enum(SUBSCRIPTION),
        CustomersExport,
        true,
        "SMS marketing consent"
    ),
    attribute!(
        RfmGroup,
        "rfm_group",
        Kind::Enum(RFM_GROUPS),
        Orders,
        true,
        "RFM group"
    ),
    attribute!(
        PredictedSpendTier,
        "predicted_spend_tier",
        Kind::Enum(SPEND_TIERS),
        Models,
        true,
        "predicted spend next year: HIGH, MEDIUM or LOW"
    ),
    attribute!(
        ProductsPurchased,
        "products_purchased",
        Kind::Products,
        Orders,
        true,
        "products bought: MATCHES (name = '…', date >= -12m, …)"
    ),
    attribute!(
        CustomerId,
        "customer_id",
        Kind::Text,
        Orders,
        false,
        "the customer's id"
    ),
    attribute!(
        Email,
        "email",
        Kind::Text,
        Orders,
        false,
        "the customer's email"
    ),
    attribute!(
        Country,
        "country",
        Kind::Text,
        Orders,
        false,
        "country of the latest order that names one"
    ),
    attribute!(
        AverageOrderValue,
        "average_order_value",
        Kind::Number,
        Orders,
        false,
        "revenue ÷ orders"
    ),
    attribute!(
        RecencyDays,
        "recency_days",
        Kind::Number,
        Orders,
        false,
        "days since the latest order"
    ),
    attribute!(
        Frequency,
        "frequency",
        Kind::Number,
        Orders,
        false,
        "repeat orders (orders − 1)"
    ),
    attribute!(
        TenureDays,
        "tenure_days",
        Kind::Number,
        Orders,
        false,
        "days since the first order"
    ),
    attribute!(
        DiscountShare,
        "discount_share",
        Kind::Number,
        Orders,
        false,
        "share of orders with a discount (0–1)"
    ),
    attribute!(
        RefundRate,
        "refund_rate",
        Kind::Number,
        Orders,
        false,
        "share of spend refunded (0–1)"
    ),
    attribute!(
        RScore,
        "r_score",
        Kind::Number,
        Orders,
        false,
        "recency score 1–5"
    ),
    attribute!(
        FScore,
        "f_score",
        Kind::Number,
        Orders,
        false,
        "frequency score 1–5"
    ),
    attribute!(
        MScore,
        "m_score",
        Kind::Number,
        Orders,
        false,
        "monetary score 1–5"
    ),
    attribute!(
        PredictedClv,
        "predicted_clv",
        Kind::Number,
        Models,
        false,
        "predicted value of the next 12 months"
    ),
    attribute!(
        ChurnProbability,
        "churn_probability",
        Kind::Number,
        Models,
        false,
        "chance the customer is gone (0–1)"
    ),
    attribute!(
        PAlive,
        "p_alive",
        Kind::Number,
        Models,
        false,
        "chance the customer is still active (0–1)"
    ),
    attribute!(
        ExpectedPurchases30d,
        "expected_purchases_30d",
        Kind::Number,
        Models,
        false,
        "expected orders in the next 30 days"
    ),
    attribute!(
        ExpectedPurchases90d,
        "expected_purchases_90d",
        Kind::Number,
        Models,
        false,
        "expected orders in the next 90 days"
    ),
    attribute!(
        ExpectedPurchases365d,
        "expected_purchases_365d",
        Kind::Number,
        Models,
        false,
        "expected orders in the next 365 days"
    ),
    attribute!(
        ExpectedNextOrder,
        "expected_next_order",
        Kind::Date,
        Models,
        false,
        "likely day of the next order"
    ),
    attribute!(
        AvgDaysBetweenOrders,
        "avg_days_between_orders",
        Kind::Number,
        Models,
        false,
        "average days between orders"
    ),
    attribute!(
        PurchasePropensity,
        "purchase_propensity",
        Kind::Number,
        Models,
        false,
        "chance of an order in the next 90 days (0–1)"
    ),
    attribute!(
        Cluster,
        "cluster",
        Kind::Number,
        Clusters,
        false,
        "cluster number (1 = the largest)"
    ),
    attribute!(
        ClusterName,
        "cluster_name",
        Kind::Text,
        Clusters,
        false,
        "cluster name"
    ),
    attribute!(
        ClusterProbability,
        "cluster_probability",
        Kind::Number,
        Clusters,
        false,
        "how surely the customer belongs to the cluster (0–1)"
    ),
    attribute!(
        RecommendedProducts,
        "recommended_products",
        Kind::List,
        Products,
        false,
        "products to offer, from what similar customers bought"
    ),
    attribute!(
        ReplenishmentDue,
        "replenishment_due",
        Kind::List,
        Products,
        false,
        "products due for a repeat purchase now or within 14 days"
    ),
    attribute!(
        ItemViews,
        "item_views",
        Kind::Number,
        Events,
        false,
        "product views (GA4)"
    ),
    attribute!(
        AddToCarts,
        "add_to_carts",
        Kind::Number,
        Events,
        false,
        "add-to-carts (GA4)"
    ),
    attribute!(
        CheckoutsBegun,
        "checkouts_begun",
        Kind::Number,
        Events,
        false,
        "checkouts begun (GA4)"
    ),
    attribute!(
        CartAbandonmentRate,
        "cart_abandonment_rate",
        Kind::Number,
        Events,
        false,
        "share of cart sessions without a purchase (GA4)"
    ),
    attribute!(
        TopCategories,
        "top_categories",
        Kind::List,
        Products,
        false,
        "the customer's top 3 categories by share of spend"
    ),
    attribute!(
        AbandonedCheckoutDate,
        "abandoned_checkout_date",
        Kind::Date,
        Events,
        true,
        "latest day a checkout began and no purchase followed in that session (GA4)"
    ),
    attribute!(
        LastActiveDate,
        "last_active_date",
        Kind::Date,
        Events,
        false,
        "latest day with analytics events"
    ),
];

/// Shopify attributes and functions the uploaded files cannot provide, with
/// what it would take.
pub const SHOPIFY_ONLY: &[(&str, &str)] = &[
    (
        "customer_added_date",
        "Shopify's customers export has no creation date",
    ),
    ("companies", "B2B companies are not in the exports"),
    (
        "customer_account_status",
        "account status is not in the exports",
    ),
    (
        "customer_language",
        "the customer's language is not in the exports",
    ),
    (
        "customer_within_distance",
        "store locations are not in the exports",
    ),
    (
        "product_subscription_status",
        "subscriptions are not in the exports",
    ),
    (
        "store_credit_accounts",
        "store credit is not in the exports",
    ),
    (
        "orders_placed",
        "use number_of_orders, last_order_date or products_purchased",
    ),
    (
        "shopify_email.opened",
        "Shopify Email activity is not in the exports",
    ),
    (
        "shopify_email.clicked",
        "Shopify Email activity is not in the exports",
    ),
    (
        "storefront.product_viewed",
        "load Google Analytics 4 events and use item_views",
    ),
    ("customer_birth_date", "birthdays are not in the exports"),
];

/// The attribute named `name`.
pub fn find(name: &str) -> Option<&'static Attribute> {
    ATTRIBUTES.iter().find(|a| a.name == name)
}

/// Attribute names close to `name` (for "did you mean").
pub fn similar(name: &str) -> Vec<&'static str> {
    let mut scored: Vec<(usize, &'static str)> = ATTRIBUTES
        .iter()
        .map(|a| (edit_distance(name, a.name), a.name))
        .filter(|(d, n)| *d <= 3.max(name.len() / 4) || n.contains(name))
        .collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, n)| n).collect()
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let here = row[j + 1];
            row[j + 1] = (previous + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(here + 1);
            previous = here;
        }
    }
    row[b.len()]
}

/// Why `needs` is not met by `analysis`, or `None` when it is.
pub fn missing(needs: Needs, analysis: &Analysis) -> Option<&'static str> {
    match needs {
        Needs::Orders => None,
        Needs::Models => (!analysis
            .predictions
            .scores
            .iter()
            .any(|s| s.p_alive.is_some()))
        .then_some("the predictive models did not fit on this data"),
        Needs::Clusters => analysis
            .clustering
            .summary
            .skipped
            .is_some()
            .then_some("there are no clusters for this data"),
        Needs::CustomersExport => analysis
            .customers
            .profiles
            .is_empty()
            .then_some("it comes from a Shopify customers export: add one beside the orders"),
        Needs::Events => (analysis.behaviour.is_none())
            .then_some("it comes from Google Analytics 4 events: add an events export"),
        Needs::Products => analysis
            .sales
            .items
            .is_empty()
            .then_some("it needs product names: the files have no product column"),
    }
}

/// One customer's value of an attribute.
#[derive(Clone, Debug, PartialEq)]
pub enum Field<'a> {
    Null,
    Number(f64),
    Date(Date),
    Text(Cow<'a, str>),
    List(Vec<Cow<'a, str>>),
}

fn subscription(consent: Option<bool>) -> Field<'static> {
    match consent {
        Some(true) => Field::Text(Cow::Borrowed("SUBSCRIBED")),
        Some(false) => Field::Text(Cow::Borrowed("NOT_SUBSCRIBED")),
        None => Field::Null,
    }
}

/// Customer `i`'s value of `attr` (`ProductsPurchased` has none: it is
/// evaluated over the customer's product lines).
pub fn field<'a>(attr: Attr, a: &'a Analysis, i: usize) -> Field<'a> {
    let c = &a.customers;
    let number = |v: Option<f64>| v.map_or(Field::Null, Field::Number);
    let date = |v: Option<Date>| v.map_or(Field::Null, Field::Date);
    let score = &a.predictions.scores[i];
    let profile = c.profile(i);
    let behaviour = c.behaviour(i);
    let text = |v: Option<&'a str>| v.map_or(Field::Null, |t| Field::Text(Cow::Borrowed(t)));
    match attr {
        Attr::AmountSpent => Field::Number(c.revenue[i]),
        Attr::NumberOfOrders => Field::Number(f64::from(c.orders[i])),
        Attr::FirstOrderDate => date(c.first_order[i]),
        Attr::LastOrderDate => date(c.last_order[i]),
        Attr::CustomerTags => Field::List(
            profile
                .and_then(|p| p.tags.as_deref())
                .map(|t| {
                    t.split(',')
                        .map(str::trim)
                        .filter(|t| !t.is_empty())
                        .map(Cow::Borrowed)
                        .collect()
                })
                .unwrap_or_default(),
        ),
        Attr::CustomerCountries => {
            let mut list: Vec<Cow<'a, str>> = Vec::new();
            if let Some(code) = profile.and_then(|p| p.country_code.as_deref()) {
                list.push(Cow::Borrowed(code));
            }
            if let Some(label) = c.country[i] {
                let name = a.sales.labels.name(label);
                if !list.iter().any(|l| l.eq_ignore_ascii_case(name)) {
                    list.push(Cow::Borrowed(name));
                }
            }
            Field::List(list)
        }
        Attr::TopCategories => Field::List(
            a.interest
                .affinity
                .of(i)
                .map(|c| Cow::Borrowed(a.sales.labels.name(c.category)))
                .collect(),
        ),
        Attr::AbandonedCheckoutDate => date(behaviour.and_then(|b| b.abandoned_checkout)),
        Attr::RecommendedProducts => Field::List(
            a.interest
                .recommended(i)
                .map(|p| Cow::Borrowed(a.sales.labels.name(p)))
                .collect(),
        ),
        Attr::ReplenishmentDue => Field::List(
            a.interest
                .replenishment
                .due_for(i as u32)
                .iter()
                .map(|d| Cow::Borrowed(a.sales.labels.name(d.product)))
                .collect(),
        ),
        Attr::CustomerCities => Field::List(
            profile
                .and_then(|p| p.city.as_deref())
                .map(|c| vec![Cow::Borrowed(c)])
                .unwrap_or_default(),
        ),
        Attr::CustomerRegions => Field::List(
            profile
                .and_then(|p| p.province_code.as_deref())
                .map(|c| vec![Cow::Borrowed(c)])
                .unwrap_or_default(),
        ),
        Attr::CustomerEmailDomain => text(
            c.email[i]
                .as_deref()
                .and_then(|e| e.rsplit_once('@'))
                .map(|(_, domain)| domain),
        ),
        Attr::EmailSubscriptionStatus => {
            subscription(profile.and_then(|p| p.accepts_email_marketing))
        }
        Attr::SmsSubscriptionStatus => subscription(profile.and_then(|p| p.accepts_sms_marketing)),
        Attr::RfmGroup => Field::Text(Cow::Borrowed(a.rfm.group[i].code())),
        Attr::PredictedSpendTier => text(score.predicted_spend_tier.map(|t| t.code())),
        Attr::ProductsPurchased => Field::Null,
        Attr::CustomerId => Field::Text(Cow::Borrowed(&c.id[i])),
        Attr::Email => text(c.email[i].as_deref()),
        Attr::Country => text(c.country[i].map(|l| a.sales.labels.name(l))),
        Attr::AverageOrderValue => number(c.aov(i)),
        Attr::RecencyDays => number(c.recency_days(i).map(f64::from)),
        Attr::Frequency => {
            if c.is_buyer(i) {
                Field::Number(f64::from(c.frequency(i)))
            } else {
                Field::Null
            }
        }
        Attr::TenureDays => number(c.tenure_days(i).map(f64::from)),
        Attr::DiscountShare => number(c.discount_share(i)),
        Attr::RefundRate => number(c.refund_rate(i)),
        Attr::RScore => number(a.rfm.score_of(&a.rfm.r, i).map(f64::from)),
        Attr::FScore => number(a.rfm.score_of(&a.rfm.f, i).map(f64::from)),
        Attr::MScore => number(a.rfm.score_of(&a.rfm.m, i).map(f64::from)),
        Attr::PredictedClv => number(score.predicted_clv_12m),
        Attr::ChurnProbability => number(score.churn_probability()),
        Attr::PAlive => number(score.p_alive),
        Attr::ExpectedPurchases30d => number(score.expected_purchases_30d),
        Attr::ExpectedPurchases90d => number(score.expected_purchases_90d),
        Attr::ExpectedPurchases365d => number(score.expected_purchases_365d),
        Attr::ExpectedNextOrder => date(score.expected_next_order),
        Attr::AvgDaysBetweenOrders => number(score.avg_days_between_orders),
        Attr::PurchasePropensity => number(score.purchase_propensity),
        Attr::Cluster => number(a.clustering.labels[i].map(f64::from)),
        Attr::ClusterName => match a.clustering.labels[i] {
            Some(id) => text(
                a.clustering
                    .summary
                    .clusters
                    .iter()
                    .find(|c| c.id == id)
                    .map(|c| c.name.as_str()),
            ),
            None => Field::Null,
        },
        Attr::ClusterProbability => number(a.clustering.membership[i].map(f64::from)),
        Attr::ItemViews => number(behaviour.map(|b| f64::from(b.item_views))),
        Attr::AddToCarts => number(behaviour.map(|b| f64::from(b.add_to_carts))),
        Attr::CheckoutsBegun => number(behaviour.map(|b| f64::from(b.checkouts_begun))),
        Attr::CartAbandonmentRate => number(behaviour.and_then(|b| b.abandonment_rate())),
        Attr::LastActiveDate => date(behaviour.and_then(|b| b.last_active)),
    }
}

/// The values of an enum attribute, for autocomplete and messages.
pub fn values(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Enum(values) => values,
        _ => &[],
    }
}

/// RFM group codes are the enum's values.
pub fn rfm_codes_match() -> bool {
    RfmGroup::ALL.iter().all(|g| RFM_GROUPS.contains(&g.code()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_enums_match_the_engine() {
        let mut names: Vec<&str> = ATTRIBUTES.iter().map(|a| a.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ATTRIBUTES.len());
        assert!(rfm_codes_match());
        assert!(RFM_GROUPS.contains(&"PROSPECTS"));
    }

    #[test]
    fn near_names_are_suggested() {
        assert_eq!(similar("amount_spend")[0], "amount_spent");
        assert_eq!(similar("number_orders")[0], "number_of_orders");
        assert!(similar("churn")[0].contains("churn"));
    }
}
