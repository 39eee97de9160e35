//! The query's structure: clauses joined by AND and OR (AND binds tighter),
//! parentheses, and the clause forms of Shopify's segment editor.

use super::lexer::{tokens, Spanned, Token, Unit};
use super::QueryError;
use crate::date::Date;

/// A parsed query.
#[derive(Clone, Debug, PartialEq)]
pub enum Query {
    Or(Vec<Query>),
    And(Vec<Query>),
    Clause(Clause),
}

/// `attribute <test>`.
#[derive(Clone, Debug, PartialEq)]
pub struct Clause {
    pub attribute: String,
    /// Byte range of the attribute name in the query.
    pub at: (usize, usize),
    pub test: Test,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Test {
    Compare(&'static str, Value),
    Between(Value, Value),
    Contains { negated: bool, value: Value },
    IsNull { negated: bool },
    Matches { negated: bool, params: Vec<Param> },
}

/// A condition inside `MATCHES ( … )`.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    pub name: String,
    pub at: (usize, usize),
    pub test: ParamTest,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ParamTest {
    Compare(&'static str, Value),
    Between(Value, Value),
    In(Vec<Value>),
}

/// A literal and where it stands.
#[derive(Clone, Debug, PartialEq)]
pub struct Value {
    pub kind: ValueKind,
    pub at: (usize, usize),
}

#[derive(Clone, Debug, PartialEq)]
pub enum ValueKind {
    Text(String),
    /// An unquoted word (`CHAMPIONS`, `true`).
    Word(String),
    Number(f64),
    Date(Date),
    Relative(i32, Unit),
    Today,
    Yesterday,
}

/// Parses a whole query.
pub fn parse(query: &str) -> Result<Query, QueryError> {
    let tokens = tokens(query)?;
    let mut parser = Parser {
        query,
        tokens,
        at: 0,
    };
    if parser.peek().token == Token::End {
        return Err(QueryError::at(
            query,
            0,
            "the query is empty; start with an attribute, e.g. number_of_orders > 1".to_string(),
        ));
    }
    let q = parser.or()?;
    let next = parser.peek();
    if next.token != Token::End {
        let message = match &next.token {
            Token::Close => "this `)` has no matching `(`".to_string(),
            other => format!(
                "expected AND, OR or the end of the query, found {}",
                other.describe()
            ),
        };
        return Err(QueryError::at(query, next.start, message));
    }
    Ok(q)
}

struct Parser<'q> {
    query: &'q str,
    tokens: Vec<Spanned>,
    at: usize,
}

impl Parser<'_> {
    fn peek(&self) -> &Spanned {
        &self.tokens[self.at.min(self.tokens.len() - 1)]
    }

    fn next(&mut self) -> Spanned {
        let token = self.peek().clone();
        if self.at < self.tokens.len() - 1 {
            self.at += 1;
        }
        token
    }

    fn keyword(&mut self, word: &str) -> bool {
        if self.peek().token.is_keyword(word) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn fail<T>(&self, spanned: &Spanned, expected: &str) -> Result<T, QueryError> {
        Err(QueryError::at(
            self.query,
            spanned.start,
            format!("expected {expected}, found {}", spanned.token.describe()),
        ))
    }

    fn or(&mut self) -> Result<Query, QueryError> {
        let mut parts = vec![self.and()?];
        while self.keyword("OR") {
            parts.push(self.and()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Query::Or(parts)
        })
    }

    fn and(&mut self) -> Result<Query, QueryError> {
        let mut parts = vec![self.primary()?];
        while self.keyword("AND") {
            parts.push(self.primary()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Query::And(parts)
        })
    }

    fn primary(&mut self) -> Result<Query, QueryError> {
        let next = self.next();
        match &next.token {
            Token::Open => {
                let inner = self.or()?;
                let close = self.next();
                if close.token != Token::Close {
                    return Err(QueryError::at(
                        self.query,
                        next.start,
                        "this `(` is never closed".to_string(),
                    ));
                }
                Ok(inner)
            }
            Token::Word(name) if !is_reserved(name) => {
                let test = self.test(&next)?;
                Ok(Query::Clause(Clause {
                    attribute: name.clone(),
                    at: (next.start, next.end),
                    test,
                }))
            }
            _ => self.fail(&next, "an attribute (such as amount_spent) or `(`"),
        }
    }

    fn test(&mut self, attribute: &Spanned) -> Result<Test, QueryError> {
        let next = self.next();
        match &next.token {
            Token::Op(op) => Ok(Test::Compare(op, self.value(&next)?)),
            t if t.is_keyword("BETWEEN") => {
                let low = self.value(&next)?;
                let and = self.next();
                if !and.token.is_keyword("AND") {
                    return self.fail(&and, "AND between the two bounds of BETWEEN");
                }
                let high = self.value(&and)?;
                Ok(Test::Between(low, high))
            }
            t if t.is_keyword("CONTAINS") => Ok(Test::Contains {
                negated: false,
                value: self.value(&next)?,
            }),
            t if t.is_keyword("MATCHES") => Ok(Test::Matches {
                negated: false,
                params: self.params()?,
            }),
            t if t.is_keyword("NOT") => {
                let what = self.next();
                if what.token.is_keyword("CONTAINS") {
                    Ok(Test::Contains {
                        negated: true,
                        value: self.value(&what)?,
                    })
                } else if what.token.is_keyword("MATCHES") {
                    Ok(Test::Matches {
                        negated: true,
                        params: self.params()?,
                    })
                } else {
                    self.fail(&what, "CONTAINS or MATCHES after NOT")
                }
            }
            t if t.is_keyword("IS") => {
                let negated = self.keyword("NOT");
                let null = self.next();
                if !null.token.is_keyword("NULL") {
                    return self.fail(&null, "NULL");
                }
                Ok(Test::IsNull { negated })
            }
            _ => {
                let name = &self.query[attribute.start..attribute.end];
                self.fail(
                    &next,
                    &format!(
                        "an operator after `{name}` (=, !=, >, >=, <, <=, BETWEEN, CONTAINS, IS NULL or MATCHES)"
                    ),
                )
            }
        }
    }

    /// The value after `after` (an operator or keyword).
    fn value(&mut self, after: &Spanned) -> Result<Value, QueryError> {
        let next = self.next();
        let kind = match &next.token {
            Token::Text(t) => ValueKind::Text(t.clone()),
            Token::Number(n) => ValueKind::Number(*n),
            Token::Date(d) => ValueKind::Date(*d),
            Token::Relative(n, unit) => ValueKind::Relative(*n, *unit),
            t if t.is_keyword("today") => ValueKind::Today,
            t if t.is_keyword("yesterday") => ValueKind::Yesterday,
            Token::Word(w) if !is_reserved(w) => ValueKind::Word(w.clone()),
            _ => {
                return self.fail(
                    &next,
                    &format!(
                        "a value after {} (a number, a date such as 2024-05-30 or -30d, or a 'quoted text')",
                        after.token.describe()
                    ),
                )
            }
        };
        Ok(Value {
            kind,
            at: (next.start, next.end),
        })
    }

    /// `( name <op> value, name IN (v, …), … )`.
    fn params(&mut self) -> Result<Vec<Param>, QueryError> {
        let open = self.next();
        if open.token != Token::Open {
            return self.fail(&open, "`(` after MATCHES");
        }
        let mut params = Vec::new();
        loop {
            let name = self.next();
            let Token::Word(word) = &name.token else {
                return self.fail(&name, "a condition such as date >= -12m");
            };
            let op = self.next();
            let test = match &op.token {
                Token::Op(o) => ParamTest::Compare(o, self.value(&op)?),
                t if t.is_keyword("BETWEEN") => {
                    let low = self.value(&op)?;
                    let and = self.next();
                    if !and.token.is_keyword("AND") {
                        return self.fail(&and, "AND between the two bounds of BETWEEN");
                    }
                    ParamTest::Between(low, self.value(&and)?)
                }
                t if t.is_keyword("IN") => {
                    let open = self.next();
                    if open.token != Token::Open {
                        return self.fail(&open, "`(` after IN");
                    }
                    let mut values = vec![self.value(&open)?];
                    loop {
                        let sep = self.next();
                        match sep.token {
                            Token::Comma => values.push(self.value(&sep)?),
                            Token::Close => break,
                            _ => return self.fail(&sep, "`,` or `)` in the IN list"),
                        }
                    }
                    ParamTest::In(values)
                }
                _ => return self.fail(&op, "an operator (=, !=, >, >=, <, <=, BETWEEN or IN)"),
            };
            params.push(Param {
                name: word.clone(),
                at: (name.start, name.end),
                test,
            });
            let sep = self.next();
            match sep.token {
                Token::Comma => continue,
                Token::Close => return Ok(params),
                _ => return self.fail(&sep, "`,` or `)` after a MATCHES condition"),
            }
        }
    }
}

/// Words that cannot name an attribute or stand as a bare value.
fn is_reserved(word: &str) -> bool {
    [
        "AND", "OR", "NOT", "BETWEEN", "CONTAINS", "IS", "NULL", "MATCHES", "IN",
    ]
    .iter()
    .any(|k| word.eq_ignore_ascii_case(k))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clause(q: &Query) -> &Clause {
        match q {
            Query::Clause(c) => c,
            other => panic!("not a clause: {other:?}"),
        }
    }

    #[test]
    fn the_reference_examples_parse() {
        for q in [
            "number_of_orders > 3 AND amount_spent >= 100",
            "last_order_date < -30d",
            "amount_spent BETWEEN 100 AND 1000.99",
            "customer_tags CONTAINS 'vip'",
            "customer_countries CONTAINS 'CA'",
            "predicted_spend_tier = 'HIGH' AND email_subscription_status = 'SUBSCRIBED'",
            "products_purchased MATCHES (tag = 'Sports wear', date >= -12m)",
            "companies IS NOT NULL",
            "products_purchased MATCHES (id IN (1012132033639, 2012162031638), date BETWEEN -30d AND today)",
            "last_order_date BETWEEN 2020-01-01 AND -7d",
            "customer_tags NOT CONTAINS 'wholesale'",
            "(rfm_group = CHAMPIONS OR rfm_group = LOYAL) AND amount_spent > 50",
        ] {
            parse(q).unwrap_or_else(|e| panic!("{q}: {e}"));
        }
    }

    #[test]
    fn and_binds_tighter_than_or() {
        let q = parse("a = 1 OR b = 2 AND c = 3").expect("parses");
        let Query::Or(parts) = q else {
            panic!("OR at the top")
        };
        assert_eq!(clause(&parts[0]).attribute, "a");
        let Query::And(inner) = &parts[1] else {
            panic!("AND below")
        };
        assert_eq!(clause(&inner[1]).attribute, "c");
        // Parentheses override.
        let q = parse("(a = 1 OR b = 2) AND c = 3").expect("parses");
        assert!(matches!(q, Query::And(_)));
    }

    #[test]
    fn errors_say_what_was_expected_where() {
        let e = parse("amount_spent >").expect_err("no value");
        assert_eq!(e.column, 15);
        assert!(e.message.contains("a value after `>`"), "{e}");
        let e = parse("amount_spent BETWEEN 1 OR 2").expect_err("no AND");
        assert_eq!(e.column, 24);
        let e = parse("(number_of_orders > 1").expect_err("unclosed");
        assert_eq!(e.column, 1);
        assert!(e.message.contains("never closed"), "{e}");
        let e = parse("number_of_orders > 1)").expect_err("extra close");
        assert_eq!(e.column, 21);
        let e = parse("number_of_orders 3").expect_err("no operator");
        assert!(
            e.message.contains("operator after `number_of_orders`"),
            "{e}"
        );
        let e = parse("").expect_err("empty");
        assert!(e.message.contains("empty"), "{e}");
        let e = parse("number_of_orders > 1 AND").expect_err("dangling AND");
        assert!(e.message.contains("end of the query"), "{e}");
    }
}
