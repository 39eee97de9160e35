//! Reading a `Blob` in slices without ever holding the whole file.
//!
//! Each slice is read with `Blob.arrayBuffer()`, which the browser performs
//! off the main thread; the next slice's read starts before the current one
//! is parsed, so reading and parsing overlap. Awaiting between slices also
//! lets the worker receive a Cancel message mid-file.

use js_sys::{Promise, Uint8Array};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use web_sys::Blob;

/// Reads `blob` in slices of `chunk` bytes, in order.
pub struct SliceReader {
    blob: Blob,
    size: f64,
    chunk: f64,
    next_start: f64,
    /// The read under way, or the error starting it (reported when awaited).
    pending: Option<Result<Promise, JsValue>>,
}

impl SliceReader {
    pub fn new(blob: Blob, chunk: usize) -> SliceReader {
        let size = blob.size();
        let mut reader = SliceReader {
            blob,
            size,
            chunk: chunk as f64,
            next_start: 0.0,
            pending: None,
        };
        reader.pending = reader.start_next();
        reader
    }

    fn start_next(&mut self) -> Option<Result<Promise, JsValue>> {
        if self.next_start >= self.size {
            return None;
        }
        let end = (self.next_start + self.chunk).min(self.size);
        let slice = self.blob.slice_with_f64_and_f64(self.next_start, end);
        self.next_start = end;
        Some(slice.map(|s| s.array_buffer()))
    }

    /// Copies the next slice into `buffer` (reused between calls) and
    /// returns its length, or `None` at the end of the blob.
    pub async fn next_into(&mut self, buffer: &mut Vec<u8>) -> Result<Option<usize>, JsValue> {
        let Some(promise) = self.pending.take() else {
            return Ok(None);
        };
        let array_buffer = JsFuture::from(promise?).await?;
        // Start reading the following slice while this one is parsed.
        self.pending = self.start_next();
        let bytes = Uint8Array::new(&array_buffer);
        let len = bytes.length() as usize;
        buffer.resize(len, 0);
        bytes.copy_to(&mut buffer[..len]);
        Ok(Some(len))
    }
}
