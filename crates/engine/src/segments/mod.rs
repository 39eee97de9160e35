//! Segments: named queries in Shopify's segment query language (extended
//! with our predictions, clusters and behaviour) over an analysed store.
//!
//! `lexer` splits the text into tokens with positions, `parser` builds the
//! query's structure, `attributes` is the catalogue of what a query can
//! name, `eval` checks the query against the data and finds the members.
//! Every error carries the column it refers to.

pub mod attributes;
pub mod campaign;
pub mod complete;
pub mod eval;
pub mod fairness;
pub mod guard;
pub mod lexer;
pub mod library;
pub mod movement;
pub mod parser;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use self::eval::{compile, matches, LinesByCustomer};
use crate::pipeline::Analysis;

/// A query that cannot be used, and where.
#[derive(Clone, Debug, PartialEq, Eq, Error, Serialize, Deserialize)]
#[error("column {column}: {message}")]
pub struct QueryError {
    /// 1-based character column of the problem.
    pub column: usize,
    /// Byte offset of the problem in the query.
    pub offset: usize,
    pub message: String,
}

impl QueryError {
    pub(crate) fn at(query: &str, offset: usize, message: String) -> QueryError {
        let offset = offset.min(query.len());
        let column = query
            .char_indices()
            .take_while(|(i, _)| *i < offset)
            .count()
            + 1;
        QueryError {
            column,
            offset,
            message,
        }
    }
}

/// A named query.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentDefinition {
    pub name: String,
    pub query: String,
}

/// A segment's members over the analysis's customers (table order).
#[derive(Clone, Debug, PartialEq)]
pub struct Segment {
    pub definition: SegmentDefinition,
    pub members: Vec<bool>,
    pub count: u64,
}

/// Why a segment cannot be built.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error("segment {name}: {error}")]
pub struct SegmentError {
    pub name: String,
    pub error: QueryError,
}

/// The members of `query` among `analysis`'s customers.
pub fn members(analysis: &Analysis, query: &str) -> Result<Vec<bool>, QueryError> {
    let parsed = parser::parse(query)?;
    let compiled = compile(&parsed, query, analysis)?;
    let lines = if compiled.reads_products() {
        LinesByCustomer::new(analysis)
    } else {
        LinesByCustomer::none()
    };
    Ok((0..analysis.customers.len())
        .map(|i| matches(&compiled, analysis, &lines, i))
        .collect())
}

/// A segment's size, as the editor shows it while the merchant types.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Preview {
    pub count: u64,
    /// Of all customers (prospects included).
    pub share: f64,
    /// Of the store's revenue.
    pub revenue_share: f64,
    /// Where its customers are, against all customers, with warnings.
    #[serde(default)]
    pub make_up: Vec<fairness::Dimension>,
    /// Its customers' funnel, with analytics events.
    #[serde(default)]
    pub funnel: Option<crate::funnel::Funnel>,
}

/// The size of `query`'s segment.
pub fn preview(analysis: &Analysis, query: &str) -> Result<Preview, QueryError> {
    let m = members(analysis, query)?;
    let revenue = &analysis.customers.revenue;
    let total: f64 = revenue.iter().sum();
    let (count, inside) = m
        .iter()
        .zip(revenue)
        .filter(|(&is, _)| is)
        .fold((0u64, 0.0), |(n, r), (_, v)| (n + 1, r + v));
    Ok(Preview {
        count,
        share: count as f64 / m.len().max(1) as f64,
        revenue_share: if total > 0.0 { inside / total } else { 0.0 },
        make_up: fairness::make_up(analysis, query, &m),
        funnel: crate::funnel::of_members(analysis, &m),
    })
}

/// Builds every segment, or says which one fails and where.
pub fn build(
    analysis: &Analysis,
    definitions: &[SegmentDefinition],
) -> Result<Vec<Segment>, SegmentError> {
    definitions
        .iter()
        .map(|d| {
            let members = members(analysis, &d.query).map_err(|error| SegmentError {
                name: d.name.clone(),
                error,
            })?;
            let count = members.iter().filter(|&&m| m).count() as u64;
            Ok(Segment {
                definition: d.clone(),
                members,
                count,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests;
