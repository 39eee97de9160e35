//! The messages between the page and the worker that hosts the engine.
//!
//! One versioned pair of enums, serialised with serde. Bulky payloads never
//! go through serde: the page posts the merchant's `File` objects beside a
//! [`Request::Analyze`] (the worker reads them in slices, nothing is copied
//! up front), and the worker posts export bytes beside an
//! [`Event::Export`] as a transferred buffer. The envelope that carries both
//! lives in the worker and the page's bridge; these are only the types.

use serde::{Deserialize, Serialize};

use crate::cluster::{ClusterOptions, ClusterSummary};
use crate::customer_rows::{CustomerPage, CustomerQuery};
use crate::date::Date;
use crate::export::activation::Format;
use crate::ingest::{ColumnsNeeded, FileOptions, SplitPlan};
use crate::pipeline::{Options, Progress};
use crate::segments::campaign::{Holdout, Lift};
use crate::segments::complete::Completion;
use crate::segments::guard::Guard;
use crate::segments::library::Library;
use crate::segments::movement::Movement;
use crate::segments::SegmentDefinition;
use crate::segments::{Preview, QueryError};
use crate::summary::Summary;

/// Bumped whenever a message changes shape; page and worker must agree.
pub const PROTOCOL_VERSION: u32 = 8;

/// From the page to the worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Request {
    /// Analyse the files posted beside this message, in this order.
    Analyze {
        files: Vec<FileInfo>,
        options: Options,
    },
    /// Generate the demo store and analyse it.
    Demo { seed: u64, options: Options },
    /// Stop the running analysis at the next chunk.
    Cancel,
    /// A page of the customer table of the last analysis.
    Customers(CustomerQuery),
    /// `customers.csv` of the last analysis.
    ExportCustomers,
    /// The rows the last analysis left out, with why (`rejected.csv`).
    ExportRejected,
    /// Cluster the last analysis's customers again with these features and
    /// number of groups (nothing is read again).
    Recluster(ClusterOptions),
    /// The size of a segment query as typed, and what can come at the
    /// cursor (byte offset); answered with the same `id`.
    Segment { id: u32, query: String, cursor: u32 },
    /// Read the last files again as of `from` and compare the RFM groups
    /// then and now (answered with `Event::Movement`).
    Movement { from: Date },
    /// A platform file of `segments` (none: every customer); bytes come
    /// back beside an `Event::Export`.
    ExportSegments {
        format: Format,
        segments: Vec<SegmentDefinition>,
        /// Keep a control group out (see `segments::campaign`).
        #[serde(default)]
        holdout: Option<Holdout>,
    },
    /// Overlaps and warnings for the merchant's saved segments (answered
    /// with `Event::Guard`).
    Guard { segments: Vec<SegmentDefinition> },
    /// A campaign results file posted beside this message, for `segments`
    /// split by `holdout` when they were exported; answered with
    /// `Event::Campaign` (one lift per segment).
    CampaignResults {
        segments: Vec<SegmentDefinition>,
        holdout: Holdout,
    },
    /// From the worker to a helper worker (another instance of it): read
    /// bytes `start..end` of the file posted beside this message, one piece
    /// of a file cut as `plan` says; answered with `Event::Piece`.
    ReadPiece {
        plan: Box<SplitPlan>,
        start: u64,
        end: u64,
    },
}

/// What the page knows of a file before the worker reads it, and what the
/// merchant said about reading it (a worksheet, which column holds what).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FileInfo {
    pub name: String,
    pub size: u64,
    #[serde(default)]
    pub options: FileOptions,
}

/// From the worker to the page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// The worker has loaded and listens; nothing may be sent before this.
    Ready {
        protocol: u32,
    },
    /// The worker has run the engine on small generated stores while the
    /// page waited, so a first file runs optimised code (see the worker's
    /// `warm`). Not sent when a request came first.
    Warmed {
        elapsed_ms: f64,
    },
    Progress(Progress),
    /// A first look while the models fit: customers and RFM groups are
    /// final (`summary.provisional`); `Finished` follows.
    Provisional {
        summary: Box<Summary>,
    },
    /// The analysis is complete.
    Finished {
        summary: Box<Summary>,
        /// Wall time of the analysis in the worker, in milliseconds.
        elapsed_ms: f64,
    },
    Customers(CustomerPage),
    /// The clusters after a `Recluster`; the customer table's cluster
    /// columns have changed with them.
    Reclustered {
        clusters: Box<ClusterSummary>,
        elapsed_ms: f64,
    },
    /// Export bytes travel beside this message.
    Export {
        file_name: String,
        rows: u64,
        /// Customers left out of a platform file, by reason.
        #[serde(default)]
        left_out: std::collections::BTreeMap<String, u64>,
    },
    /// The answer to `Request::Segment`.
    Segment(Box<SegmentAnswer>),
    /// How customers moved between groups since an earlier date.
    Movement(Box<Movement>),
    /// The saved segments' sizes, overlaps and warnings.
    Guard(Box<Guard>),
    /// Treatment against control, from a results file.
    Campaign {
        lifts: Vec<Lift>,
        /// Result rows that named no customer of the analysis.
        unknown: u64,
    },
    /// Ready segments, attributes and values for the segment editor; sent
    /// after every analysis and regrouping.
    Library(Box<Library>),
    Cancelled,
    /// A helper's answer to `Request::ReadPiece`: the `Part` it read, as
    /// frames of bytes beside this message (`Part::encode`).
    Piece,
    /// The analysis (or a request) failed; the message is for the merchant.
    Failed {
        message: String,
        /// Set when a file's columns could not be told apart: the page asks
        /// the merchant which column holds what, and runs again.
        #[serde(default)]
        columns_needed: Option<Box<ColumnsNeeded>>,
    },
}

/// A segment query's size, or what is wrong with it, and completions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SegmentAnswer {
    pub id: u32,
    pub preview: Option<Preview>,
    pub error: Option<QueryError>,
    pub completion: Completion,
}

impl Event {
    /// A failure with only a message.
    pub fn failed(message: impl Into<String>) -> Event {
        Event::Failed {
            message: message.into(),
            columns_needed: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_tagged_for_readable_messages() {
        let json = serde_json::to_value(Request::Cancel).expect("json");
        assert_eq!(json, serde_json::json!({"type": "cancel"}));
        let request = Request::Analyze {
            files: vec![FileInfo {
                name: "orders.csv".into(),
                size: 10,
                options: FileOptions::default(),
            }],
            options: Options::default(),
        };
        let back: Request =
            serde_json::from_value(serde_json::to_value(&request).expect("json")).expect("back");
        assert_eq!(back, request);
    }
}
