//! Files the merchant takes away. One module per file kind; all of them
//! write to any `std::io::Write`, so the CLI writes files and the worker
//! writes bytes it hands to the page.

pub mod activation;
pub(crate) mod csv_writer;
mod customers_csv;
pub mod normalise;
mod rejected_csv;

pub use customers_csv::{is_free_column_name, write_customers_csv};
pub use rejected_csv::write_rejected_csv;
