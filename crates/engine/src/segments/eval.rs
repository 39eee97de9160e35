//! Checking a parsed query against the data (does every attribute exist
//! here, does every value fit its attribute) and finding its members.

use super::attributes::{self, field, Attr, Field, Kind, SHOPIFY_ONLY};
use super::lexer::Unit;
use super::parser::{Param, ParamTest, Query, Test, Value, ValueKind};
use super::QueryError;
use crate::date::Date;
use crate::pipeline::Analysis;

/// A query ready to run: attributes resolved, values typed, dates fixed
/// against the analysis date.
#[derive(Clone, Debug, PartialEq)]
pub enum Compiled {
    Or(Vec<Compiled>),
    And(Vec<Compiled>),
    Test(Attr, Check),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Check {
    Number(&'static str, f64),
    NumberBetween(f64, f64),
    Date(&'static str, Date),
    DateBetween(Date, Date),
    Text(&'static str, String),
    Contains {
        negated: bool,
        value: String,
    },
    IsNull {
        negated: bool,
    },
    Products {
        negated: bool,
        filter: ProductFilter,
    },
}

/// Conditions on a customer's product lines: a line matches when it passes
/// every line condition; the customer matches when some lines do (and
/// their units pass `sum_quantity`, when given).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProductFilter {
    pub dates: Vec<(&'static str, Date)>,
    pub names: Option<(bool, Vec<String>)>,
    pub skus: Option<(bool, Vec<String>)>,
    pub categories: Option<(bool, Vec<String>)>,
    pub sum_quantity: Option<(&'static str, f64)>,
}

impl Compiled {
    /// Whether the query looks at product lines (`products_purchased`),
    /// which need the per-customer line index.
    pub fn reads_products(&self) -> bool {
        match self {
            Compiled::Or(parts) | Compiled::And(parts) => {
                parts.iter().any(Compiled::reads_products)
            }
            Compiled::Test(_, check) => matches!(check, Check::Products { .. }),
        }
    }
}

/// Resolves and type-checks `query` for `analysis`.
pub fn compile(query: &Query, text: &str, analysis: &Analysis) -> Result<Compiled, QueryError> {
    let context = Context {
        text,
        analysis,
        as_of: analysis.customers.as_of,
    };
    context.compile(query)
}

struct Context<'a> {
    text: &'a str,
    analysis: &'a Analysis,
    as_of: Date,
}

impl Context<'_> {
    fn error<T>(&self, at: usize, message: String) -> Result<T, QueryError> {
        Err(QueryError::at(self.text, at, message))
    }

    fn compile(&self, query: &Query) -> Result<Compiled, QueryError> {
        match query {
            Query::Or(parts) => Ok(Compiled::Or(
                parts
                    .iter()
                    .map(|p| self.compile(p))
                    .collect::<Result<_, _>>()?,
            )),
            Query::And(parts) => Ok(Compiled::And(
                parts
                    .iter()
                    .map(|p| self.compile(p))
                    .collect::<Result<_, _>>()?,
            )),
            Query::Clause(clause) => {
                let name = clause.attribute.as_str();
                let at = clause.at.0;
                let Some(attribute) = attributes::find(name) else {
                    if let Some((_, why)) = SHOPIFY_ONLY.iter().find(|(n, _)| *n == name) {
                        return self.error(
                            at,
                            format!(
                                "`{name}` is a Shopify attribute this data does not have: {why}"
                            ),
                        );
                    }
                    let near = attributes::similar(name);
                    let hint = if near.is_empty() {
                        String::new()
                    } else {
                        format!(
                            "; did you mean {}?",
                            near.iter()
                                .map(|n| format!("`{n}`"))
                                .collect::<Vec<_>>()
                                .join(" or ")
                        )
                    };
                    return self.error(at, format!("unknown attribute `{name}`{hint}"));
                };
                if let Some(why) = attributes::missing(attribute.needs, self.analysis) {
                    return self.error(at, format!("this data has no `{name}`: {why}"));
                }
                let check = self.check(name, attribute.kind, &clause.test, at)?;
                Ok(Compiled::Test(attribute.attr, check))
            }
        }
    }

    fn check(&self, name: &str, kind: Kind, test: &Test, at: usize) -> Result<Check, QueryError> {
        let wrong = |what: &str| self.error(at, format!("`{name}` is {}: {what}", kind.describe()));
        match (kind, test) {
            (_, Test::IsNull { negated }) => Ok(Check::IsNull { negated: *negated }),
            (Kind::Products, Test::Matches { negated, params }) => Ok(Check::Products {
                negated: *negated,
                filter: self.products(params)?,
            }),
            (Kind::Products, _) => {
                wrong("use products_purchased MATCHES (name = '…', date >= -12m)")
            }
            (_, Test::Matches { .. }) => wrong("MATCHES works on products_purchased only"),
            (Kind::Number, Test::Compare(op, v)) => Ok(Check::Number(op, self.number(v)?)),
            (Kind::Number, Test::Between(low, high)) => {
                Ok(Check::NumberBetween(self.number(low)?, self.number(high)?))
            }
            (Kind::Date, Test::Compare(op, v)) => Ok(Check::Date(op, self.date(v)?)),
            (Kind::Date, Test::Between(low, high)) => {
                Ok(Check::DateBetween(self.date(low)?, self.date(high)?))
            }
            (Kind::Enum(values), Test::Compare(op @ ("=" | "!="), v)) => {
                let text = self.text(v)?;
                if !values.contains(&text.as_str()) {
                    let close = values.iter().find(|x| x.eq_ignore_ascii_case(&text));
                    let hint = match close {
                        Some(c) => format!("; values are upper case: '{c}'"),
                        None => format!("; use one of {}", values.join(", ")),
                    };
                    return self
                        .error(v.at.0, format!("'{text}' is not a value of `{name}`{hint}"));
                }
                Ok(Check::Text(op, text))
            }
            (Kind::Text, Test::Compare(op @ ("=" | "!="), v)) => Ok(Check::Text(op, self.text(v)?)),
            (Kind::Enum(_) | Kind::Text, Test::Compare(op, _)) => {
                wrong(&format!("compare it with = or !=, not {op}"))
            }
            (Kind::List, Test::Contains { negated, value }) => Ok(Check::Contains {
                negated: *negated,
                value: self.text(value)?.to_lowercase(),
            }),
            (Kind::List, _) => wrong("use CONTAINS or NOT CONTAINS"),
            (_, Test::Contains { .. }) => wrong("CONTAINS works on lists (such as customer_tags)"),
            (_, Test::Between(..)) => wrong("BETWEEN works on numbers and dates"),
        }
    }

    fn number(&self, v: &Value) -> Result<f64, QueryError> {
        match &v.kind {
            ValueKind::Number(n) => Ok(*n),
            _ => self.error(v.at.0, "expected a number here".to_string()),
        }
    }

    fn date(&self, v: &Value) -> Result<Date, QueryError> {
        match &v.kind {
            ValueKind::Date(d) => Ok(*d),
            ValueKind::Today => Ok(self.as_of),
            ValueKind::Yesterday => Ok(self.as_of.add_days(-1)),
            ValueKind::Relative(n, unit) => Ok(match unit {
                Unit::Day => self.as_of.add_days(*n),
                Unit::Week => self.as_of.add_days(7 * n),
                Unit::Month => self.as_of.add_months(*n),
                Unit::Year => self.as_of.add_months(12 * n),
            }),
            _ => self.error(
                v.at.0,
                "expected a date here: 2024-05-30, -30d, -2w, -1m, -1y, today or yesterday"
                    .to_string(),
            ),
        }
    }

    fn text(&self, v: &Value) -> Result<String, QueryError> {
        match &v.kind {
            ValueKind::Text(t) | ValueKind::Word(t) => Ok(t.clone()),
            ValueKind::Number(n) => Ok(n.to_string()),
            _ => self.error(v.at.0, "expected a 'quoted text' here".to_string()),
        }
    }

    fn texts(
        &self,
        test: &ParamTest,
        at: usize,
        name: &str,
    ) -> Result<(bool, Vec<String>), QueryError> {
        match test {
            ParamTest::Compare("=", v) => Ok((false, vec![self.text(v)?.to_lowercase()])),
            ParamTest::Compare("!=", v) => Ok((true, vec![self.text(v)?.to_lowercase()])),
            ParamTest::In(values) => Ok((
                false,
                values
                    .iter()
                    .map(|v| self.text(v).map(|t| t.to_lowercase()))
                    .collect::<Result<_, _>>()?,
            )),
            _ => self.error(at, format!("`{name}` takes =, != or IN (…)")),
        }
    }

    fn products(&self, params: &[Param]) -> Result<ProductFilter, QueryError> {
        let mut filter = ProductFilter::default();
        for p in params {
            let at = p.at.0;
            match p.name.as_str() {
                "date" => match &p.test {
                    ParamTest::Compare(op, v) => filter.dates.push((op, self.date(v)?)),
                    ParamTest::Between(low, high) => {
                        filter.dates.push((">=", self.date(low)?));
                        filter.dates.push(("<=", self.date(high)?));
                    }
                    ParamTest::In(_) => return self.error(at, "`date` takes a comparison or BETWEEN".to_string()),
                },
                "name" | "product" | "title" => filter.names = Some(self.texts(&p.test, at, &p.name)?),
                "sku" => filter.skus = Some(self.texts(&p.test, at, &p.name)?),
                "category" | "vendor" | "product_type" => {
                    filter.categories = Some(self.texts(&p.test, at, &p.name)?)
                }
                "sum_quantity" => match &p.test {
                    ParamTest::Compare(op, v) => filter.sum_quantity = Some((op, self.number(v)?)),
                    _ => return self.error(at, "`sum_quantity` takes a comparison".to_string()),
                },
                "id" | "product_id" => {
                    return self.error(
                        at,
                        "this data has no product ids (order exports name products, they do not number them): use name = 'Product name' or sku = '…'".to_string(),
                    )
                }
                "tag" => {
                    return self.error(
                        at,
                        "this data has no product tags (they are not in order exports): use name, sku or category".to_string(),
                    )
                }
                other => {
                    return self.error(
                        at,
                        format!("unknown condition `{other}` in products_purchased: use date, name, sku, category or sum_quantity"),
                    )
                }
            }
        }
        Ok(filter)
    }
}

fn compare<T: PartialOrd>(op: &str, a: T, b: T) -> bool {
    match op {
        "=" => a == b,
        "!=" => a != b,
        ">" => a > b,
        ">=" => a >= b,
        "<" => a < b,
        _ => a <= b,
    }
}

/// Product lines per customer: positions into `sales.items`.
pub struct LinesByCustomer {
    start: Vec<u32>,
    lines: Vec<u32>,
}

impl LinesByCustomer {
    /// For a query that never reads product lines: an index of one
    /// customer per entry costs a pass over every line, so none is built.
    pub fn none() -> LinesByCustomer {
        LinesByCustomer {
            start: Vec::new(),
            lines: Vec::new(),
        }
    }

    pub fn new(analysis: &Analysis) -> LinesByCustomer {
        let n = analysis.customers.len();
        let mut start = vec![0u32; n + 1];
        for item in &analysis.sales.items {
            if let Some(slot) = start.get_mut(item.customer as usize + 1) {
                *slot += 1;
            }
        }
        for i in 0..n {
            start[i + 1] += start[i];
        }
        let mut next = start.clone();
        let mut lines = vec![0u32; start[n] as usize];
        for (index, item) in analysis.sales.items.iter().enumerate() {
            let c = item.customer as usize;
            if c < n {
                lines[next[c] as usize] = index as u32;
                next[c] += 1;
            }
        }
        LinesByCustomer { start, lines }
    }

    fn of(&self, customer: usize) -> &[u32] {
        match (self.start.get(customer), self.start.get(customer + 1)) {
            (Some(&from), Some(&to)) => &self.lines[from as usize..to as usize],
            _ => &[],
        }
    }
}

/// Whether customer `i` satisfies `query`.
pub fn matches(query: &Compiled, a: &Analysis, lines: &LinesByCustomer, i: usize) -> bool {
    match query {
        Compiled::Or(parts) => parts.iter().any(|p| matches(p, a, lines, i)),
        Compiled::And(parts) => parts.iter().all(|p| matches(p, a, lines, i)),
        Compiled::Test(attr, check) => test(*attr, check, a, lines, i),
    }
}

fn test(attr: Attr, check: &Check, a: &Analysis, lines: &LinesByCustomer, i: usize) -> bool {
    if let Check::Products { negated, filter } = check {
        return bought(filter, a, lines.of(i)) != *negated;
    }
    let value = field(attr, a, i);
    match (check, value) {
        (Check::IsNull { negated }, v) => {
            let null = match v {
                Field::Null => true,
                Field::List(l) => l.is_empty(),
                _ => false,
            };
            null != *negated
        }
        (Check::Number(op, x), Field::Number(v)) => compare(op, v, *x),
        (Check::NumberBetween(low, high), Field::Number(v)) => *low <= v && v <= *high,
        (Check::Date(op, d), Field::Date(v)) => compare(op, v, *d),
        (Check::DateBetween(low, high), Field::Date(v)) => *low <= v && v <= *high,
        (Check::Text(op, t), Field::Text(v)) => compare(op, v.as_ref(), t.as_str()),
        (Check::Contains { negated, value }, Field::List(list)) => {
            list.iter().any(|l| l.to_lowercase() == *value) != *negated
        }
        // A customer without the list has none of its values.
        (Check::Contains { negated, .. }, Field::Null) => *negated,
        _ => false,
    }
}

fn bought(filter: &ProductFilter, a: &Analysis, lines: &[u32]) -> bool {
    let label = |id: u32| a.sales.labels.name(id).to_lowercase();
    let passes = |set: &Option<(bool, Vec<String>)>, value: Option<u32>| match set {
        None => true,
        Some((negated, values)) => {
            let hit = value.is_some_and(|v| values.contains(&label(v)));
            hit != *negated
        }
    };
    let mut units = 0.0f64;
    let mut any = false;
    for &l in lines {
        let item = &a.sales.items[l as usize];
        let day = a.sales.purchases[item.purchase as usize].date;
        if filter.dates.iter().all(|(op, d)| compare(op, day, *d))
            && passes(&filter.names, Some(item.product))
            && passes(&filter.skus, item.sku.get())
            && passes(&filter.categories, item.category.get())
        {
            any = true;
            units += f64::from(item.quantity);
        }
    }
    any && filter
        .sum_quantity
        .is_none_or(|(op, q)| compare(op, units, q))
}
