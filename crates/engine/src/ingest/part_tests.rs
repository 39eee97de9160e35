//! A file read in pieces and merged equals the file read in one go, wherever
//! the cuts fall: at record starts (merged), inside quoted line breaks, in
//! the header or between `\r` and `\n` (refused, and read on in one go).

use proptest::prelude::*;

use super::split::{self, record_start};
use super::*;

const SHOPIFY: &[u8] = include_bytes!("../../tests/data/shopify_orders_small.csv");
const ONLINE_RETAIL: &[u8] = include_bytes!("../../tests/data/online_retail_sample.csv");
const AMBIGUOUS: &[u8] = include_bytes!("../../tests/data/ambiguous_dates.csv");
const GENERIC_CRLF: &[u8] = include_bytes!("../../tests/data/generic_orders_bom_crlf.csv");
const GERMAN: &[u8] = include_bytes!("../../tests/data/german_orders_semicolon.csv");

/// What reading in pieces must not change (everything ingest produces).
fn outcome(ingested: Ingested) -> String {
    format!("{ingested:?}")
}

fn whole(bytes: &[u8]) -> String {
    let mut ingest = Ingest::new(None);
    ingest.begin_file("f.csv").expect("begin");
    ingest.push(bytes).expect("push");
    outcome(ingest.finish().expect("finish"))
}

/// Reads `bytes` with a cut at each of `cuts`: the first piece as the whole
/// file's reader would, each further piece with its own reader (its part
/// sent through the wire format), merged in order, or read on in one go
/// from the first piece that cannot be merged. Returns the outcome and how
/// many pieces were merged.
fn in_pieces(bytes: &[u8], cuts: &[usize]) -> (String, usize) {
    let head = &bytes[..bytes.len().min(split::HEAD_BYTES)];
    let plan = split::plan("f.csv", &FileOptions::default(), head).expect("splittable");
    let mut bounds: Vec<usize> = cuts
        .iter()
        .map(|&c| c.min(bytes.len()))
        .filter(|&c| c > 0)
        .collect();
    bounds.sort_unstable();
    bounds.dedup();
    bounds.push(bytes.len());
    let mut ingest = Ingest::new(None);
    ingest.begin_file("f.csv").expect("begin");
    ingest.push(&bytes[..bounds[0]]).expect("push");
    let mut merged = 0;
    for piece in bounds.windows(2) {
        let (start, end) = (piece[0], piece[1]);
        let mut reader = PartReader::new(&plan).expect("reader");
        // In two pushes, as a worker reads slices.
        let middle = start + (end - start) / 3;
        reader.push(&bytes[start..middle]).expect("push");
        reader.push(&bytes[middle..end]).expect("push");
        let part = reader.finish();
        // Both ways a part is merged: as read (the CLI's threads) and
        // encoded (posted between workers), in turn.
        let absorbed = if merged % 2 == 0 {
            ingest.absorb_encoded(&frames(part, 3, 5)[..])
        } else {
            ingest.absorb(part)
        };
        if absorbed.expect("absorb").is_some() {
            merged += 1;
        } else {
            ingest.push(&bytes[start..]).expect("push");
            break;
        }
    }
    (outcome(ingest.finish().expect("finish")), merged)
}

/// A file with what makes cutting hard: notes with line breaks, commas and
/// quotes; an order whose lines are far apart; a second order row for the
/// same order; a row of the wrong width; day/month pairs.
fn awkward() -> Vec<u8> {
    let mut text =
        String::from("Name,Email,Financial Status,Created at,Total,Lineitem name,Notes\n");
    for i in 0..60 {
        let note = match i % 4 {
            0 => "\"Leave it\nat the door, \"\"please\"\"\n\"".to_string(),
            1 => "\"x\ny\nz,w\"".to_string(),
            _ => String::new(),
        };
        // Slash dates: most fit either order, a few only day/month; the
        // note about them counts every order row once.
        let date = if i % 26 == 0 {
            format!("{}/{}/2025", 13 + i % 10, 1 + i % 9)
        } else if i % 26 == 13 {
            format!("{}/{}/2025", 1 + i % 9, 13 + i % 10)
        } else {
            format!("{}/{}/2025 10:00", 1 + i % 9, 1 + i % 12)
        };
        text.push_str(&format!(
            "#{i},c{}@x.com,paid,{date},{}.50,Mug {},{note}\n",
            i % 7,
            10 + i,
            i % 5
        ));
        text.push_str(&format!("#{i},,,,,Plate {},\n", i % 3));
        if i % 11 == 0 {
            // A line of an order read long before, and a second order row.
            text.push_str("#3,,,,,Late lid,\n");
            text.push_str("#5,c5@x.com,paid,2/3/2025,99.00,Bowl,\n");
        }
        if i == 30 {
            text.push_str("#30,too,few\n");
        }
    }
    text.into_bytes()
}

fn slash_dates() -> Vec<u8> {
    let mut text = String::from("customer,order,date,amount\n");
    for i in 0..80 {
        let (a, b) = (1 + i % 12, 1 + (i * 7) % 28);
        text.push_str(&format!("k{},{},{a}/{b}/2024,{}.25\n", i % 9, i / 2, i));
    }
    text.into_bytes()
}

/// Orders of dated lines far apart, later lines dated earlier, some dated
/// as day/month pairs: an order is placed on its earliest known day.
fn dated_lines() -> Vec<u8> {
    let mut text = String::from("customer,order,date,amount\n");
    for i in 0..90 {
        let date = if i % 10 == 7 {
            format!("{}/{}/2024", 1 + i % 12, 1 + i % 9)
        } else {
            format!("2024-01-{:02}", 28 - i / 4)
        };
        text.push_str(&format!("k{},o{},{date},{}.5\n", i % 6, i % 15, i));
    }
    text.into_bytes()
}

fn demo() -> Vec<u8> {
    crate::demo::DemoStore {
        customers: 40,
        ..crate::demo::DemoStore::default()
    }
    .generate()
}

#[test]
fn pieces_cut_at_record_starts_merge_to_the_whole() {
    for bytes in [
        SHOPIFY.to_vec(),
        awkward(),
        demo(),
        ONLINE_RETAIL.to_vec(),
        dated_lines(),
    ] {
        let plan = split::plan("f.csv", &FileOptions::default(), &bytes).expect("plan");
        let mut cuts = Vec::new();
        for tenth in 1..10 {
            let at =
                plan.data_start as usize + (bytes.len() - plan.data_start as usize) * tenth / 10;
            if let Some(start) = record_start(&plan, &bytes[at..]) {
                cuts.push(at + start);
            }
        }
        cuts.dedup();
        let (merged_outcome, merged) = in_pieces(&bytes, &cuts);
        assert_eq!(merged, cuts.len(), "every piece merged");
        assert_eq!(merged_outcome, whole(&bytes));
    }
}

#[test]
fn a_cut_inside_a_quoted_line_break_is_refused_and_read_on() {
    let bytes = awkward();
    let inside = bytes
        .windows(5)
        .position(|w| w == b"Leave")
        .expect("a note")
        + 9; // just after "it\n"
    assert_eq!(&bytes[inside - 1..inside + 3], b"\nat ");
    let (cut, merged) = in_pieces(&bytes, &[inside]);
    assert_eq!(merged, 0);
    assert_eq!(cut, whole(&bytes));
}

#[test]
fn files_that_do_not_split() {
    assert!(split::plan("f", &FileOptions::default(), b"").is_none());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Cuts anywhere, record start or not.
    #[test]
    fn pieces_cut_anywhere_read_as_the_whole(
        which in 0usize..7,
        cuts in proptest::collection::vec(0.0f64..1.0, 1..5),
    ) {
        let bytes = match which {
            0 => SHOPIFY.to_vec(),
            1 => awkward(),
            2 => demo(),
            3 => ONLINE_RETAIL.to_vec(),
            4 => AMBIGUOUS.to_vec(),
            5 => GENERIC_CRLF.to_vec(),
            _ => if cuts.len() % 2 == 0 { GERMAN.to_vec() } else { slash_dates() },
        };
        let cuts: Vec<usize> = cuts.iter().map(|c| (c * bytes.len() as f64) as usize).collect();
        prop_assert_eq!(in_pieces(&bytes, &cuts).0, whole(&bytes));
    }

    /// Cuts at line starts only, most of which are record starts: the
    /// merges themselves are exercised, not only the fallback.
    #[test]
    fn pieces_cut_at_line_starts_read_as_the_whole(
        which in 0usize..5,
        picks in proptest::collection::vec(0.0f64..1.0, 1..6),
    ) {
        let bytes = match which {
            0 => awkward(),
            1 => slash_dates(),
            2 => ONLINE_RETAIL.to_vec(),
            3 => dated_lines(),
            _ => demo(),
        };
        let starts: Vec<usize> = bytes
            .iter()
            .enumerate()
            .filter(|(_, &b)| b == b'\n')
            .map(|(i, _)| i + 1)
            .collect();
        let cuts: Vec<usize> = picks
            .iter()
            .map(|p| starts[((p * starts.len() as f64) as usize).min(starts.len() - 1)])
            .collect();
        prop_assert_eq!(in_pieces(&bytes, &cuts).0, whole(&bytes));
    }
}

#[test]
fn the_awkward_file_has_a_note_on_its_dates() {
    // The note counts every order row's date once: a second order row of
    // an order read in another piece must not count twice.
    let ingested = super::tests::ingest("f.csv", &awkward());
    assert!(ingested
        .quality
        .warnings
        .iter()
        .any(|w| w.contains("fit both")));
}

/// `part` encoded in frames of at most `orders` orders and `items` lines.
fn frames(part: Part, orders: usize, items: usize) -> Vec<Vec<u8>> {
    let mut frames = Vec::new();
    part.encode_in(orders, items, |frame| frames.push(frame.to_vec()));
    frames
}

/// The first half of `bytes` read as the whole file's reader would, and the
/// second half's part encoded in small frames.
fn halves(bytes: &[u8]) -> (Ingest, Vec<Vec<u8>>) {
    let plan = split::plan("f.csv", &FileOptions::default(), bytes).expect("plan");
    let cut = bytes.len() / 2 + record_start(&plan, &bytes[bytes.len() / 2..]).expect("a cut");
    let mut ingest = Ingest::new(None);
    ingest.begin_file("f.csv").expect("begin");
    ingest.push(&bytes[..cut]).expect("push");
    let mut reader = PartReader::new(&plan).expect("reader");
    reader.push(&bytes[cut..]).expect("push");
    (ingest, frames(reader.finish(), 4, 4))
}

#[test]
fn an_encoded_part_merges_a_frame_at_a_time() {
    let bytes = demo();
    let (mut ingest, frames) = halves(&bytes);
    assert!(
        frames.len() > 10,
        "{} frames: orders and lines in several",
        frames.len()
    );
    assert!(ingest
        .absorb_encoded(&frames[..])
        .expect("merged")
        .is_some());
    assert_eq!(outcome(ingest.finish().expect("finish")), whole(&bytes));
}

#[test]
fn a_damaged_part_is_an_error_that_names_the_file() {
    let bytes = demo();
    let (_, frames) = halves(&bytes);
    let last = frames.len() - 1;
    let mut truncated = frames.clone();
    truncated[1].pop();
    let mut swapped = frames.clone();
    swapped.swap(1, last);
    let mut later_lines = frames.clone();
    later_lines.push(frames[last].clone());
    // A head that claims more orders than the piece has rows: refused
    // before any room is made for them.
    let mut head: part::PartHead = postcard::from_bytes(&frames[0]).expect("a head");
    head.orders = u64::MAX / 2;
    let mut boastful = frames.clone();
    boastful[0] = postcard::to_allocvec(&head).expect("encodes");
    // A head whose piece starts before the header ends.
    let mut head: part::PartHead = postcard::from_bytes(&frames[0]).expect("a head");
    head.first_line = u64::MAX;
    let mut misplaced = frames.clone();
    misplaced[0] = postcard::to_allocvec(&head).expect("encodes");
    let damaged = [
        Vec::new(),
        vec![frames[0][..frames[0].len() - 1].to_vec()],
        truncated,
        // Lines before all the orders.
        swapped,
        // The last frame of lines left out, or sent twice.
        frames[..last].to_vec(),
        later_lines,
        boastful,
        misplaced,
    ];
    for frames_given in damaged {
        let (mut ingest, _) = halves(&bytes);
        let error = ingest
            .absorb_encoded(&frames_given[..])
            .expect_err("damaged");
        let message = error.to_string();
        assert!(message.starts_with("f.csv:"), "{message}");
        assert!(message.contains("came back damaged"), "{message}");
    }
}
