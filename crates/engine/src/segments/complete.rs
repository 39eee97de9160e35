//! Autocomplete for the segment editor: from the text before the cursor,
//! what can come next (an attribute, an operator, a value of the attribute
//! just named, a `products_purchased` condition), filtered by what is typed.

use serde::{Deserialize, Serialize};

use super::library::Library;

/// What to offer at the cursor.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Completion {
    /// Byte offset where the word being typed starts; a choice replaces
    /// the text from here to the cursor.
    pub from: usize,
    pub options: Vec<Suggestion>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    /// The text to insert (values quoted).
    pub insert: String,
    /// A short note: the attribute's meaning, or why the data lacks it.
    pub detail: String,
    /// The data cannot answer it.
    pub unavailable: bool,
}

/// At most this many suggestions.
const SHOWN: usize = 8;

const OPERATORS: [(&str, &str); 6] = [
    ("=", "equals"),
    (">=", "at least"),
    ("<=", "at most"),
    ("BETWEEN", "BETWEEN a AND b"),
    ("CONTAINS", "for lists such as customer_tags"),
    ("IS NOT NULL", "has a value"),
];

const PRODUCT_CONDITIONS: [(&str, &str); 5] = [
    ("name", "product name"),
    ("category", "category (Shopify: vendor)"),
    ("sku", "product SKU"),
    ("date", "when it was bought, e.g. date >= -12m"),
    ("sum_quantity", "units bought of the matching products"),
];

/// Suggestions for `query` with the cursor at byte `cursor`.
pub fn complete(query: &str, cursor: usize, library: &Library) -> Completion {
    let cursor = floor_char_boundary(query, cursor.min(query.len()));
    let before = &query[..cursor];
    // The word being typed; inside an open quote, everything after it (a
    // value may hold spaces).
    let open_quote = before
        .char_indices()
        .filter(|&(i, c)| c == '\'' && !before[..i].ends_with('\\'))
        .map(|(i, _)| i)
        .collect::<Vec<_>>();
    let (from, prefix, quoted) = if open_quote.len() % 2 == 1 {
        let at = open_quote[open_quote.len() - 1];
        (at, &before[at + 1..], true)
    } else {
        let from = before
            .char_indices()
            .rev()
            .take_while(|(_, c)| c.is_alphanumeric() || *c == '_' || *c == '.')
            .last()
            .map_or(cursor, |(i, _)| i);
        (from, &before[from..], false)
    };
    let words: Vec<&str> = before[..from]
        .split(|c: char| c.is_whitespace() || c == '(' || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    let inside_matches = open_matches(&before[..from]);
    let last = words.last().copied().unwrap_or("");
    let second = words.len().checked_sub(2).map_or("", |i| words[i]);
    let lower = prefix.to_lowercase();
    let starts = |s: &str| {
        s.to_lowercase().starts_with(&lower)
            || (lower.len() >= 3 && s.to_lowercase().contains(&lower))
    };
    let quote = |v: &str| format!("'{}'", v.replace('\'', "\\'"));

    let mut options: Vec<Suggestion> = Vec::new();
    let is_operator = matches!(last, "=" | "!=") || last.eq_ignore_ascii_case("CONTAINS");
    if is_operator {
        // A value of the attribute before the operator.
        let attribute =
            if last.eq_ignore_ascii_case("CONTAINS") && second.eq_ignore_ascii_case("NOT") {
                words.len().checked_sub(3).map_or("", |i| words[i])
            } else {
                second
            };
        let values: Vec<String> = if inside_matches {
            match attribute {
                "name" | "product" | "title" => library.products.clone(),
                "category" | "vendor" | "product_type" => library.categories.clone(),
                _ => Vec::new(),
            }
        } else {
            library
                .attributes
                .iter()
                .find(|a| a.name == attribute)
                .map(|a| a.values.clone())
                .unwrap_or_default()
        };
        options.extend(values.iter().filter(|v| starts(v)).map(|v| Suggestion {
            insert: quote(v),
            detail: String::new(),
            unavailable: false,
        }));
    } else if quoted {
        // A quote with no operator before it: nothing sensible to offer.
    } else if inside_matches
        && (last.ends_with("MATCHES")
            || last.is_empty()
            || words.is_empty()
            || before[..from].trim_end().ends_with([',', '(']))
    {
        options.extend(
            PRODUCT_CONDITIONS
                .iter()
                .filter(|(n, _)| starts(n))
                .map(|(n, d)| Suggestion {
                    insert: n.to_string(),
                    detail: d.to_string(),
                    unavailable: false,
                }),
        );
    } else if expects_attribute(last) {
        let mut attributes: Vec<&super::library::AttributeHelp> = library
            .attributes
            .iter()
            .filter(|a| starts(&a.name))
            .collect();
        // What the data has first, then Shopify's order.
        attributes.sort_by_key(|a| a.missing.is_some());
        options.extend(attributes.into_iter().map(|a| Suggestion {
            insert: a.name.clone(),
            detail: match &a.missing {
                Some(why) => format!("not in this data: {why}"),
                None => a.about.clone(),
            },
            unavailable: a.missing.is_some(),
        }));
    } else if !last.is_empty() {
        // After an attribute: operators, or AND / OR after a value.
        let after_value = last.ends_with('\'')
            || last.parse::<f64>().is_ok()
            || last.starts_with('-')
            || last.starts_with('+')
            || last.eq_ignore_ascii_case("today")
            || last.eq_ignore_ascii_case("NULL")
            || last.ends_with(')')
            || library
                .attributes
                .iter()
                .any(|a| a.values.iter().any(|v| v == last));
        if after_value {
            for (word, detail) in [("AND", "both conditions"), ("OR", "either condition")] {
                if starts(word) {
                    options.push(Suggestion {
                        insert: word.to_string(),
                        detail: detail.to_string(),
                        unavailable: false,
                    });
                }
            }
        } else if last == "products_purchased" {
            options.push(Suggestion {
                insert: "MATCHES (".to_string(),
                detail: "conditions on the products bought".to_string(),
                unavailable: false,
            });
        } else {
            options.extend(
                OPERATORS
                    .iter()
                    .filter(|(o, _)| starts(o))
                    .map(|(o, d)| Suggestion {
                        insert: o.to_string(),
                        detail: d.to_string(),
                        unavailable: false,
                    }),
            );
        }
    }
    options.truncate(SHOWN);
    Completion { from, options }
}

/// Whether an attribute comes next after `last` (the start, `(`, AND, OR).
fn expects_attribute(last: &str) -> bool {
    last.is_empty() || last.eq_ignore_ascii_case("AND") || last.eq_ignore_ascii_case("OR")
}

/// Whether the text ends inside `MATCHES ( … )`.
fn open_matches(text: &str) -> bool {
    let upper = text.to_uppercase();
    let Some(at) = upper.rfind("MATCHES") else {
        return false;
    };
    let rest = &text[at..];
    let opened = rest.matches('(').count();
    let closed = rest.matches(')').count();
    opened > closed
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::DemoStore;
    use crate::pipeline::{analyze_bytes, Options};

    fn library() -> Library {
        let analysis = analyze_bytes(
            "demo.csv",
            &DemoStore::default().generate(),
            &Options::default(),
        )
        .expect("analyses");
        Library::of(&analysis)
    }

    fn inserts(c: &Completion) -> Vec<&str> {
        c.options.iter().map(|o| o.insert.as_str()).collect()
    }

    #[test]
    fn offers_what_fits_at_the_cursor() {
        let lib = library();
        let at_end = |q: &str| complete(q, q.len(), &lib);
        // Attributes, available first.
        let c = at_end("amou");
        assert_eq!(c.from, 0);
        assert_eq!(inserts(&c)[0], "amount_spent");
        let c = at_end("number_of_orders > 1 AND cust");
        assert_eq!(c.from, 25);
        assert!(c
            .options
            .iter()
            .any(|o| o.insert == "customer_tags" && o.unavailable));
        assert!(!c.options[0].unavailable, "available ones first");
        // Values of the attribute before the operator.
        let c = at_end("rfm_group = ");
        assert!(inserts(&c).contains(&"'CHAMPIONS'"));
        let c = at_end("rfm_group = 'AT");
        assert_eq!(inserts(&c), ["'AT_RISK'"]);
        assert_eq!(c.from, 12, "the quote is replaced too");
        // Operators after an attribute, AND / OR after a value.
        assert!(inserts(&at_end("amount_spent ")).contains(&">="));
        assert!(inserts(&at_end("amount_spent >= 100 ")).contains(&"AND"));
        // Inside MATCHES: conditions, then product names.
        assert!(inserts(&at_end("products_purchased MATCHES (")).contains(&"name"));
        let c = at_end("products_purchased MATCHES (name = 'Linen");
        assert_eq!(inserts(&c), ["'Linen Throw Blanket'"]);
        let c = at_end("products_purchased MATCHES (name = 'Linen Thr");
        assert_eq!(inserts(&c), ["'Linen Throw Blanket'"]);
        assert_eq!(c.from, 35);
        // Nothing breaks on odd input.
        for q in ["", "'", "((", "ö", "a = 'b' AND (", ")))"] {
            let _ = complete(q, q.len(), &lib);
            let _ = complete(q, 1, &lib);
        }
    }
}
