//! Any bytes, cut into any chunks, through the ingest entry point: no panic,
//! and every row read is either used or excluded.
#![no_main]

use libfuzzer_sys::fuzz_target;
use segmenter_engine::ingest::Ingest;

fuzz_target!(|data: &[u8]| {
    // The first byte picks the chunk size, the rest is the file.
    let Some((&chunk, bytes)) = data.split_first() else {
        return;
    };
    let mut ingest = Ingest::new(None);
    if ingest.begin_file("fuzz.csv").is_err() {
        return;
    }
    for piece in bytes.chunks(usize::from(chunk).max(1)) {
        if ingest.push(piece).is_err() {
            return;
        }
    }
    if let Ok(got) = ingest.finish() {
        let q = &got.quality;
        assert_eq!(q.rows_used + q.rows_excluded_total(), q.rows_read);
    }
});
