//! Reading the input files into the engine: a large order file is cut into
//! one piece per core (`ingest::split`), the pieces after the first are read
//! on threads of their own while this thread reads the first, and they are
//! merged in file order. Everything else is read in one piece.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::thread;

use segmenter_engine::ingest::split::{self, SplitPlan};
use segmenter_engine::ingest::{FileOptions, Part, PartReader};
use segmenter_engine::pipeline::{Error, Run, Sink, CHUNK_BYTES};
use segmenter_engine::{Analysis, Options};

/// Reads and analyses `files` (each with how to read it), splitting large
/// ones over `threads` threads.
pub fn analyze_files(
    files: &[(PathBuf, FileOptions)],
    options: &Options,
    sink: &mut impl Sink,
    threads: usize,
) -> Result<Analysis, Error> {
    let mut sizes = Vec::with_capacity(files.len());
    for (path, _) in files {
        let size = std::fs::metadata(path)
            .map_err(|e| io_error(path, e))?
            .len();
        sizes.push(size);
    }
    let mut run = Run::new(options, sink, files.len(), Some(sizes.iter().sum()));
    for ((path, file_options), &size) in files.iter().zip(&sizes) {
        let name = path.display().to_string();
        run.begin_file(&name, file_options.clone(), Some(size))?;
        read_file(&mut run, path, &name, file_options, size, threads)?;
        run.end_file()?;
    }
    run.finish()
}

fn io_error(path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        file: path.display().to_string(),
        source,
    }
}

/// Pushes one file into `run`, in pieces when it is worth it.
fn read_file(
    run: &mut Run<'_, impl Sink>,
    path: &Path,
    name: &str,
    options: &FileOptions,
    size: u64,
    threads: usize,
) -> Result<(), Error> {
    let pieces = if size >= split::MIN_SPLIT_BYTES && threads > 1 {
        let head = read_range(path, 0, split::HEAD_BYTES as u64)?;
        match split::plan(name, options, &head) {
            Some(plan) => cuts(path, &plan, size, threads)?.map(|c| (plan, c)),
            None => None,
        }
    } else {
        None
    };
    let Some((plan, cuts)) = pieces else {
        return push_range(run, path, 0, size);
    };
    let ranges: Vec<(u64, u64)> = cuts
        .iter()
        .zip(cuts.iter().skip(1).chain([&size]))
        .map(|(&start, &end)| (start, end))
        .collect();
    thread::scope(|scope| {
        let readers: Vec<_> = ranges
            .iter()
            .map(|&(start, end)| {
                let plan = &plan;
                scope.spawn(move || read_piece(path, plan, start, end))
            })
            .collect();
        push_range(run, path, 0, cuts[0])?;
        for (reader, &(start, _)) in readers.into_iter().zip(&ranges) {
            // A piece that failed to read, or cannot be merged, is read
            // again from its start with the rest of the file in one go.
            let merged = match reader.join() {
                Ok(Some(part)) => run.absorb(part)?,
                _ => false,
            };
            if !merged {
                return push_range(run, path, start, size);
            }
        }
        Ok(())
    })
}

/// Where the pieces after the first start: one record start near each
/// equal share of the file. `None` when no cut was found.
fn cuts(
    path: &Path,
    plan: &SplitPlan,
    size: u64,
    pieces: usize,
) -> Result<Option<Vec<u64>>, Error> {
    let mut cuts: Vec<u64> = Vec::new();
    for offset in split::cut_offsets(plan, size, pieces) {
        let window = read_range(path, offset, split::WINDOW_BYTES as u64)?;
        if let Some(start) = split::record_start(plan, &window) {
            let cut = offset + start as u64;
            if cut < size && cuts.last().is_none_or(|&last| cut > last) {
                cuts.push(cut);
            }
        }
    }
    Ok((!cuts.is_empty()).then_some(cuts))
}

/// Reads bytes `start..end` of the file as a piece. `None` on a read or
/// ingest error: the piece is then read again in one go, where the same
/// error is reported properly.
fn read_piece(path: &Path, plan: &SplitPlan, start: u64, end: u64) -> Option<Part> {
    let mut reader = PartReader::new(plan).ok()?;
    reader.expect_bytes(end - start);
    for_each_chunk(path, start, end, |chunk| {
        reader
            .push(chunk)
            .map_err(|e| std::io::Error::other(e.to_string()))
    })
    .ok()?;
    Some(reader.finish())
}

/// Pushes bytes `start..end` of the file into `run`.
fn push_range(
    run: &mut Run<'_, impl Sink>,
    path: &Path,
    start: u64,
    end: u64,
) -> Result<(), Error> {
    let mut failure = None;
    for_each_chunk(path, start, end, |chunk| {
        run.push(chunk).map_err(|e| {
            failure = Some(e);
            std::io::Error::other("stopped")
        })
    })
    .map_err(|e| failure.take().unwrap_or_else(|| io_error(path, e)))
}

/// Calls `each` on the bytes `start..end` of the file, in chunks.
fn for_each_chunk(
    path: &Path,
    start: u64,
    end: u64,
    mut each: impl FnMut(&[u8]) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let mut file = File::open(path)?;
    file.seek(SeekFrom::Start(start))?;
    let mut file = file.take(end.saturating_sub(start));
    let mut buffer = vec![0u8; CHUNK_BYTES];
    loop {
        match file.read(&mut buffer) {
            Ok(0) => return Ok(()),
            Ok(read) => each(&buffer[..read])?,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
}

/// Up to `len` bytes of the file from `start`.
fn read_range(path: &Path, start: u64, len: u64) -> Result<Vec<u8>, Error> {
    let mut bytes = Vec::new();
    for_each_chunk(path, start, start.saturating_add(len), |chunk| {
        bytes.extend_from_slice(chunk);
        Ok(())
    })
    .map_err(|e| io_error(path, e))?;
    Ok(bytes)
}
