//! What a scan returns: the hits, the report, and the errors. None of them
//! ever holds needle bytes or page content.

use std::fmt;
use std::io;
use std::path::PathBuf;

use crate::format::{WAL_FRAME_SIZE, WAL_HEADER_SIZE};
use crate::{MAX_NEEDLE_LEN, MIN_NEEDLE_LEN, PAGE_SIZE};

/// Which file a page image was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// The database file itself.
    Main,
    /// The `-wal` file beside it.
    Wal,
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FileKind::Main => "database file",
            FileKind::Wal => "WAL file",
        })
    }
}

/// One occurrence of a needle in a decrypted page image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub file: FileKind,
    /// 1-based page number (for a WAL frame: the page the frame is an image of).
    pub page_no: u32,
    /// 1-based frame number in the WAL file; `None` in the database file.
    pub frame: Option<u32>,
    /// The label of the needle found.
    pub needle_label: String,
    /// Where the occurrence starts in the page (plaintext offset, 0-based).
    pub offset_in_page: usize,
    /// `Some(q)` when the occurrence starts at the end of this page's content
    /// (or of a cell's local payload) and continues at the start of overflow
    /// page `q`, whose pointer this page holds.
    pub continues_on_page: Option<u32>,
}

impl fmt::Display for Hit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{}\" found in the {}", self.needle_label, self.file)?;
        if let Some(frame) = self.frame {
            write!(f, " frame {frame}")?;
        }
        write!(
            f,
            " page {} at offset {}",
            self.page_no, self.offset_in_page
        )?;
        if let Some(next) = self.continues_on_page {
            write!(f, " (continuing on overflow page {next})")?;
        }
        Ok(())
    }
}

/// What a scan read and found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Pages of the database file read, verified and searched (all of them).
    pub main_pages: u32,
    /// Frames of the WAL file read, verified and searched (all of them).
    pub wal_frames: u32,
    /// Page images (of either file) that were zero from end to end: never
    /// written, nothing to decrypt, nothing in them. Included in the counts
    /// above.
    pub zero_pages: u32,
    /// Database size in pages as recorded in page 1 of the database file
    /// (`None` if the database file is empty or its page 1 is zero).
    pub header_page_count: Option<u32>,
    /// Number of freelist pages as recorded in page 1 of the database file.
    pub header_freelist_pages: Option<u32>,
    /// Every occurrence of every needle.
    pub hits: Vec<Hit>,
}

impl Report {
    /// True when no needle was found anywhere.
    pub fn is_clean(&self) -> bool {
        self.hits.is_empty()
    }
}

/// Why a scan could not be completed. Never holds needle bytes or page
/// content.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScanError {
    #[error("no needle given: a scan for nothing would prove nothing")]
    NoNeedles,
    #[error("needle #{index} (\"{label}\") is {len} bytes long; at least {MIN_NEEDLE_LEN} are required, shorter ones match almost anywhere")]
    NeedleTooShort {
        index: usize,
        label: String,
        len: usize,
    },
    #[error(
        "needle #{index} (\"{label}\") is {len} bytes long; at most {MAX_NEEDLE_LEN} are supported"
    )]
    NeedleTooLong {
        index: usize,
        label: String,
        len: usize,
    },
    #[error("cannot read the {file} {path}: {source}")]
    Io {
        file: FileKind,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("the database file is {len} bytes long, not a whole number of {PAGE_SIZE}-byte pages")]
    NotWholePages { len: u64 },
    #[error("the WAL file is {len} bytes long, not a {WAL_HEADER_SIZE}-byte header followed by whole {WAL_FRAME_SIZE}-byte frames (truncated?)")]
    TruncatedWal { len: u64 },
    #[error("the {file} is too large to scan ({len} bytes)")]
    TooLarge { file: FileKind, len: u64 },
    #[error("HMAC check failed on page {page_no}{} of the {file}: wrong key, or the file is damaged or was being written during the scan", frame_suffix(.frame))]
    HmacMismatch {
        file: FileKind,
        page_no: u32,
        frame: Option<u32>,
    },
    #[error("the {file} is not in the expected SQLCipher 4 format: {detail}")]
    UnexpectedFormat { file: FileKind, detail: String },
    #[error("nothing to scan: the database file and its WAL are both empty")]
    Empty,
    #[error(
        "the database file is empty and the WAL holds no image of page 1, so the salt is unknown"
    )]
    NoSalt,
    #[error("internal error: {0}")]
    Internal(&'static str),
}

fn frame_suffix(frame: &Option<u32>) -> String {
    match frame {
        Some(frame) => format!(" (WAL frame {frame})"),
        None => String::new(),
    }
}
