//! Reading the database file: opening it, and scanning its pages in up to
//! four ranges on as many threads.

use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use crate::cipher::{Opened, PageCipher};
use crate::report::{FileKind, ScanError};
use crate::search::{Found, Location, Needles};
use crate::{PAGE_SIZE, USABLE_SIZE};

/// Buffer of the sequential reads of either file.
pub(crate) const READ_BUFFER_SIZE: usize = 1 << 20;

/// Opens a file and reads its length; `Ok(None)` if it does not exist.
pub(crate) fn open_sized(path: &Path, kind: FileKind) -> Result<Option<(File, u64)>, ScanError> {
    let io_err = |source| ScanError::Io {
        file: kind,
        path: path.to_path_buf(),
        source,
    };
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_err(e)),
    };
    let meta = file.metadata().map_err(io_err)?;
    if !meta.is_file() {
        return Err(io_err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file",
        )));
    }
    Ok(Some((file, meta.len())))
}

/// Reads, verifies and searches every page of the database file, in as many
/// parts as there are cores (up to 4). The error of the lowest page wins.
pub(crate) fn scan_main(
    db_path: &Path,
    main_pages: u32,
    cipher: &PageCipher,
    needles: &Needles,
) -> Result<Found, ScanError> {
    let main_io_err = |source| ScanError::Io {
        file: FileKind::Main,
        path: db_path.to_path_buf(),
        source,
    };
    // One part for a small file, else one per core (up to 4).
    let workers = if main_pages < 1024 {
        1
    } else {
        std::thread::available_parallelism().map_or(1, |n| n.get().min(4))
    };
    let per_worker = u64::from(main_pages).div_ceil(workers as u64).max(1);
    let ranges: Vec<(u32, u32)> = (0..workers as u64)
        .filter_map(|w| {
            let first = w * per_worker + 1;
            let last = (first + per_worker - 1).min(u64::from(main_pages));
            Some((u32::try_from(first).ok()?, u32::try_from(last).ok()?))
        })
        .filter(|&(first, last)| first <= last)
        .collect();
    let scan_range = |(first, last): (u32, u32)| -> Result<Found, ScanError> {
        let mut found = Found::new();
        let mut file = File::open(db_path).map_err(main_io_err)?;
        file.seek(SeekFrom::Start(u64::from(first - 1) * PAGE_SIZE as u64))
            .map_err(main_io_err)?;
        let mut reader = BufReader::with_capacity(READ_BUFFER_SIZE, file);
        let mut raw = Box::new([0u8; PAGE_SIZE]);
        let mut plain = Box::new([0u8; USABLE_SIZE]);
        for page_no in first..=last {
            reader.read_exact(&mut raw[..]).map_err(main_io_err)?;
            let at = Location {
                file: FileKind::Main,
                page_no,
                frame: None,
            };
            match cipher.open(page_no, &raw, &mut plain) {
                Opened::Zero => found.zero_pages += 1,
                Opened::BadHmac => {
                    return Err(ScanError::HmacMismatch {
                        file: FileKind::Main,
                        page_no,
                        frame: None,
                    })
                }
                Opened::Plain => found.search(needles, at, &plain),
            }
            found.pages += 1;
        }
        plain.fill(0);
        Ok(found)
    };
    let parts: Vec<Result<Found, ScanError>> = std::thread::scope(|scope| {
        let mut ranges = ranges.into_iter();
        let first = ranges.next();
        let handles: Vec<_> = ranges
            .map(|range| scope.spawn(move || scan_range(range)))
            .collect();
        let mut parts = Vec::with_capacity(handles.len() + 1);
        if let Some(range) = first {
            parts.push(scan_range(range));
        }
        for handle in handles {
            parts.push(
                handle
                    .join()
                    .unwrap_or(Err(ScanError::Internal("a scanning thread panicked"))),
            );
        }
        parts
    });
    let mut found = Found::new();
    for part in parts {
        // The error of the lowest page wins.
        found.append(part?);
    }
    Ok(found)
}
