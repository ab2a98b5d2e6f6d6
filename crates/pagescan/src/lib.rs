//! # pagescan: proof that erased personal data is gone from the encrypted store
//!
//! Requirement **POL-25** (GDPR right to erasure) asks us to show that once a
//! person has been erased, nothing of them is left in the store: not in live
//! rows, and not in the places SQL cannot see either — free pages of the
//! database file, unused space inside pages, old page images still sitting in
//! the write-ahead log. SQL queries only ever see live rows, and the files on
//! disk are encrypted, so neither `grep` nor `SELECT` can answer the question.
//! This crate reads the files themselves, page by page, decrypts every page
//! with the store's raw key, checks each page's HMAC, and searches the
//! plaintext for "needles" (a name, an e-mail address, a phone number).
//!
//! ## What is read
//!
//! * the database file, every page from 1 to the end of the file, whether
//!   the page is in use, on the freelist or past the size recorded in the
//!   header;
//! * the `-wal` file beside it, every frame, whatever its validity (frames of
//!   an old WAL generation, frames past the last commit, frames already
//!   checkpointed). A missing or empty WAL is fine.
//!
//! The `-shm` file holds only the WAL index (page numbers and hashes) and is
//! not read. A rollback `-journal` is not read either: the store runs in WAL
//! mode.
//!
//! ## The format (SQLCipher 4 defaults, raw key)
//!
//! Checked against the SQLCipher 4.5.7 sources bundled in
//! `libsqlite3-sys` 0.30 (`sqlcipher/sqlite3.c`: `sqlite3Codec`,
//! `sqlcipher_page_cipher`, `sqlcipher_page_hmac`,
//! `sqlcipher_cipher_ctx_key_derive`, `sqlcipher_codec_ctx_reserve_setup`),
//! and confirmed by the HMAC of every page verifying in the tests:
//!
//! * The key is applied as `PRAGMA key = "x'<64 hex digits>'"`: the 32 bytes
//!   are the AES-256 key as they are, no PBKDF2 on them.
//! * Pages are 4096 bytes. The last 80 bytes of every page are the
//!   *reserve*: a 16-byte IV, then a 64-byte HMAC-SHA512 (16 + 64, rounded up
//!   to the AES block size, is 80). Bytes `0..4016` are the encrypted content
//!   (AES-256-CBC, no padding), which is also SQLite's "usable size".
//! * Page 1 starts with the 16-byte KDF salt in clear instead of the
//!   `"SQLite format 3\0"` magic; its encrypted span is `16..4016`. Its
//!   plaintext is the magic followed by the decrypted span.
//! * HMAC key = PBKDF2-HMAC-SHA512(raw key, salt XOR `0x3a` on each byte,
//!   2 iterations, 32 bytes) (`hmac_salt_mask`, `FAST_PBKDF2_ITER`).
//! * HMAC = HMAC-SHA512 over the encrypted span and the IV (file bytes
//!   `0..4032`, `16..4032` on page 1), followed by the page number as a
//!   little-endian `u32` (`CIPHER_FLAG_LE_PGNO`).
//! * The WAL file has a plain 32-byte header (magic, page size, ...), then
//!   frames of a 24-byte plain frame header (page number big-endian in bytes
//!   `0..4`) and one page image encrypted exactly like in the database file,
//!   with that page number.
//!
//! `cipher_memory_security` and `secure_delete` do not change the format.
//!
//! ## Why the HMAC is checked
//!
//! A wrong key decrypts to noise in which nothing is ever found: without the
//! HMAC a mistake would look like a clean result. Every page image is
//! verified before it is searched; one failure aborts the scan with
//! [`ScanError::HmacMismatch`] naming the page. Page images that are zero
//! from end to end (never written, e.g. SQLite's lock-byte page of databases
//! over 1 GiB) hold nothing and are counted in [`Report::zero_pages`].
//!
//! ## Matching
//!
//! Needles are matched ASCII case-insensitively on the UTF-8 plaintext
//! (`"DUPONT"` finds `"Dupont"`); letters outside ASCII must match exactly
//! and in the same Unicode normalisation form. Numbers stored as SQL
//! integers are binary and will not be found by a text needle. A value long
//! enough to spill onto overflow pages can be cut between two pages: the
//! scan follows overflow pointers (from b-tree cells and from overflow pages,
//! including those now on the freelist) and searches across each such
//! boundary too ([`Hit::continues_on_page`]). Text cut by other means (a
//! deleted cell whose pointer was overwritten) can be missed at the cut.
//! A value is found only in the form it was given: pass each spelling that
//! may have been stored (`"06 12 34 56 78"`, `"0612345678"`,
//! `"+33612345678"`) as a needle of its own.
//!
//! ## Not covered
//!
//! Only the two files are read. Copies elsewhere are out of reach: backups
//! and exports, blocks of the disk the file system or the SSD has moved away
//! from (overwriting a page in a file does not wipe its old physical copy;
//! the encryption is what protects those), swap, and SQLite temporary files
//! (the app keeps them in memory, `temp_store = MEMORY`).
//!
//! ## Speed
//!
//! The database file is cut into up to four ranges of pages, scanned by as
//! many threads; the WAL is read in order. AES uses AES-NI when the CPU has
//! it. About 600 MiB/s was measured on a 2-core test machine
//! (`examples/bench.rs`).
//!
//! ## Personal data
//!
//! Neither [`ScanError`] nor [`Hit`] nor [`Report`] ever holds needle bytes
//! or page content: they may be logged. Needles are referred to by their
//! label only. Scan a database no one is writing to (the app closed, or
//! after a checkpoint with no writer), otherwise a page torn by a concurrent
//! write fails its HMAC.

#![forbid(unsafe_code)]

use aes::cipher::block_padding::NoPadding;
use aes::cipher::{BlockDecryptMut, InnerIvInit, KeyInit};
use aes::Aes256;
use hmac::{Hmac, Mac};
use sha2::Sha512;
use std::fmt;
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// Page size of the store (SQLCipher 4 default `cipher_page_size`).
pub const PAGE_SIZE: usize = 4096;
/// Bytes reserved at the end of each page: IV then HMAC.
pub const RESERVE_SIZE: usize = 80;
/// Bytes of content per page (SQLite's "usable size"), the part searched.
pub const USABLE_SIZE: usize = PAGE_SIZE - RESERVE_SIZE;
/// Needles shorter than this are refused: they would match everywhere.
pub const MIN_NEEDLE_LEN: usize = 3;
/// Needles longer than this are refused (a needle must fit in a page).
pub const MAX_NEEDLE_LEN: usize = 256;

const SALT_SIZE: usize = 16;
const IV_SIZE: usize = 16;
const HMAC_SIZE: usize = 64;
const HMAC_SALT_MASK: u8 = 0x3a;
const FAST_KDF_ITER: u32 = 2;
const SQLITE_MAGIC: &[u8; SALT_SIZE] = b"SQLite format 3\0";
const WAL_HEADER_SIZE: usize = 32;
const WAL_FRAME_HEADER_SIZE: usize = 24;
const WAL_FRAME_SIZE: usize = WAL_FRAME_HEADER_SIZE + PAGE_SIZE;
const WAL_MAGIC_LE: u32 = 0x377f_0682;
const WAL_MAGIC_BE: u32 = 0x377f_0683;
const READ_BUFFER_SIZE: usize = 1 << 20;

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

/// Something to look for. The label (e.g. `"e-mail"`) names the needle in
/// hits and errors; the bytes are never printed, not even by `Debug`.
#[derive(Clone, Copy)]
pub struct Needle<'a> {
    pub label: &'a str,
    pub bytes: &'a [u8],
}

impl<'a> Needle<'a> {
    pub fn new(label: &'a str, bytes: &'a [u8]) -> Self {
        Needle { label, bytes }
    }

    /// A text needle, searched as its UTF-8 bytes.
    pub fn text(label: &'a str, text: &'a str) -> Self {
        Needle {
            label,
            bytes: text.as_bytes(),
        }
    }
}

impl fmt::Debug for Needle<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Needle")
            .field("label", &self.label)
            .field("len", &self.bytes.len())
            .finish_non_exhaustive()
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

/// Scans `db_path` and `<db_path>-wal` for `needles`, decrypting every page
/// image with `raw_key` (the 32 bytes given to `PRAGMA key = "x'...'"`).
///
/// Returns every occurrence found; an empty [`Report::hits`] with non-zero
/// page counts is the proof that the needles are gone. Fails on the first
/// page whose HMAC does not verify (wrong key, damaged or concurrently
/// written file) rather than report a false "nothing found".
pub fn scan(
    db_path: &Path,
    raw_key: &[u8; 32],
    needles: &[Needle<'_>],
) -> Result<Report, ScanError> {
    let mut needles = Needles::new(needles)?;
    let wal_path = wal_path_of(db_path);

    let Some((mut main, main_len)) = open_sized(db_path, FileKind::Main)? else {
        // The database file itself must exist; only the WAL may be missing.
        return Err(ScanError::Io {
            file: FileKind::Main,
            path: db_path.to_path_buf(),
            source: io::Error::from(io::ErrorKind::NotFound),
        });
    };
    if main_len % PAGE_SIZE as u64 != 0 {
        return Err(ScanError::NotWholePages { len: main_len });
    }
    let main_pages =
        u32::try_from(main_len / PAGE_SIZE as u64).map_err(|_| ScanError::TooLarge {
            file: FileKind::Main,
            len: main_len,
        })?;

    let wal = open_sized(&wal_path, FileKind::Wal)?.filter(|(_, len)| *len > 0);
    let wal_frames = match &wal {
        None => 0,
        Some((_, len)) => {
            let len = *len;
            let body = len
                .checked_sub(WAL_HEADER_SIZE as u64)
                .ok_or(ScanError::TruncatedWal { len })?;
            if body % WAL_FRAME_SIZE as u64 != 0 {
                return Err(ScanError::TruncatedWal { len });
            }
            u32::try_from(body / WAL_FRAME_SIZE as u64).map_err(|_| ScanError::TooLarge {
                file: FileKind::Wal,
                len,
            })?
        }
    };
    if main_pages == 0 && wal_frames == 0 {
        return Err(ScanError::Empty);
    }
    needles.page_bound = main_pages.saturating_add(wal_frames);

    let mut report = Report::default();
    let main_io_err = |source| ScanError::Io {
        file: FileKind::Main,
        path: db_path.to_path_buf(),
        source,
    };

    // The salt: page 1 of the database file, or its image in the WAL when
    // the database file is still empty.
    let cipher = if main_pages > 0 {
        let mut raw = Box::new([0u8; PAGE_SIZE]);
        main.read_exact(&mut raw[..]).map_err(main_io_err)?;
        let cipher = PageCipher::new(raw_key, salt_of(&raw))?;
        let mut plain = Box::new([0u8; USABLE_SIZE]);
        if let Opened::Plain = cipher.open(1, &raw, &mut plain) {
            check_page1(&plain, &mut report)?;
        }
        plain.fill(0);
        cipher
    } else {
        match &wal {
            Some((file, _)) => {
                let salt = find_salt_in_wal(file, &wal_path, wal_frames)?;
                PageCipher::new(raw_key, &salt)?
            }
            None => return Err(ScanError::NoSalt),
        }
    };
    drop(main);

    // The database file, in as many parts as there are cores (up to 4).
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
                Opened::Plain => found.search(&needles, at, &plain),
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
    report.main_pages = found.pages;

    // The WAL, every frame in order.
    if let Some((file, _)) = wal {
        let io_err = |source| ScanError::Io {
            file: FileKind::Wal,
            path: wal_path.clone(),
            source,
        };
        let mut reader = BufReader::with_capacity(READ_BUFFER_SIZE, file);
        let mut header = [0u8; WAL_HEADER_SIZE];
        reader.read_exact(&mut header).map_err(io_err)?;
        check_wal_header(&header)?;
        let mut frame_header = [0u8; WAL_FRAME_HEADER_SIZE];
        let mut raw = Box::new([0u8; PAGE_SIZE]);
        let mut plain = Box::new([0u8; USABLE_SIZE]);
        for frame in 1..=wal_frames {
            reader.read_exact(&mut frame_header).map_err(io_err)?;
            reader.read_exact(&mut raw[..]).map_err(io_err)?;
            let page_no = be32(&frame_header, 0).unwrap_or(0);
            let zero_header = frame_header.iter().all(|&b| b == 0);
            let at = Location {
                file: FileKind::Wal,
                page_no,
                frame: Some(frame),
            };
            match cipher.open(page_no, &raw, &mut plain) {
                Opened::Zero if zero_header => {
                    found.zero_pages = found.zero_pages.saturating_add(1)
                }
                Opened::Zero | Opened::BadHmac => {
                    return Err(ScanError::HmacMismatch {
                        file: FileKind::Wal,
                        page_no,
                        frame: Some(frame),
                    })
                }
                Opened::Plain => found.search(&needles, at, &plain),
            }
            report.wal_frames += 1;
        }
        plain.fill(0);
    }

    report.zero_pages = found.zero_pages;
    report.hits = found.finish(&needles);
    Ok(report)
}

/// `<db_path>-wal`, as SQLite names it.
pub fn wal_path_of(db_path: &Path) -> PathBuf {
    let mut name = db_path.as_os_str().to_owned();
    name.push("-wal");
    PathBuf::from(name)
}

/// Opens a file and reads its length; `Ok(None)` if it does not exist.
fn open_sized(path: &Path, kind: FileKind) -> Result<Option<(File, u64)>, ScanError> {
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

fn salt_of(raw: &[u8; PAGE_SIZE]) -> &[u8; SALT_SIZE] {
    raw.first_chunk::<SALT_SIZE>().unwrap_or(SQLITE_MAGIC)
}

/// Finds the salt in the first WAL image of page 1, and rewinds the file.
fn find_salt_in_wal(
    mut file: &File,
    wal_path: &Path,
    frames: u32,
) -> Result<[u8; SALT_SIZE], ScanError> {
    let io_err = |source| ScanError::Io {
        file: FileKind::Wal,
        path: wal_path.to_path_buf(),
        source,
    };
    let mut found = None;
    {
        let mut reader = BufReader::with_capacity(READ_BUFFER_SIZE, file);
        let mut header = [0u8; WAL_HEADER_SIZE];
        reader.read_exact(&mut header).map_err(io_err)?;
        let mut frame = vec![0u8; WAL_FRAME_SIZE];
        for _ in 0..frames {
            reader.read_exact(&mut frame).map_err(io_err)?;
            if be32(&frame, 0) == Some(1) {
                let mut salt = [0u8; SALT_SIZE];
                salt.copy_from_slice(
                    &frame[WAL_FRAME_HEADER_SIZE..WAL_FRAME_HEADER_SIZE + SALT_SIZE],
                );
                found = Some(salt);
                break;
            }
        }
    }
    file.seek(SeekFrom::Start(0)).map_err(io_err)?;
    found.ok_or(ScanError::NoSalt)
}

/// Sanity checks on the decrypted page 1 of the database file, and the two
/// header fields reported.
fn check_page1(plain: &[u8; USABLE_SIZE], report: &mut Report) -> Result<(), ScanError> {
    let format_err = |detail: String| ScanError::UnexpectedFormat {
        file: FileKind::Main,
        detail,
    };
    let page_size = match be16(plain, 16) {
        Some(1) => 65536,
        Some(n) => usize::from(n),
        None => 0,
    };
    if page_size != PAGE_SIZE {
        return Err(format_err(format!(
            "the header gives a page size of {page_size}, expected {PAGE_SIZE}"
        )));
    }
    let reserve = plain.get(20).copied().map_or(0, usize::from);
    if reserve != RESERVE_SIZE {
        return Err(format_err(format!(
            "the header gives {reserve} reserved bytes per page, expected {RESERVE_SIZE}"
        )));
    }
    report.header_page_count = be32(plain, 28);
    report.header_freelist_pages = be32(plain, 36);
    Ok(())
}

fn check_wal_header(header: &[u8; WAL_HEADER_SIZE]) -> Result<(), ScanError> {
    let format_err = |detail: String| ScanError::UnexpectedFormat {
        file: FileKind::Wal,
        detail,
    };
    let magic = be32(header, 0).unwrap_or(0);
    if magic != WAL_MAGIC_LE && magic != WAL_MAGIC_BE {
        return Err(format_err(format!("bad WAL magic number {magic:#010x}")));
    }
    let page_size = be32(header, 8).unwrap_or(0);
    if page_size as usize != PAGE_SIZE {
        return Err(format_err(format!(
            "the WAL header gives a page size of {page_size}, expected {PAGE_SIZE}"
        )));
    }
    Ok(())
}

fn be16(bytes: &[u8], at: usize) -> Option<u16> {
    let b = bytes.get(at..at.checked_add(2)?)?;
    Some(u16::from_be_bytes([b[0], b[1]]))
}

fn be32(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

// ---------------------------------------------------------------------------
// Decryption

enum Opened {
    /// HMAC verified, plaintext written.
    Plain,
    /// The stored page is all zeros: never written.
    Zero,
    /// The HMAC does not match.
    BadHmac,
}

/// The keys of one database: AES-256 with the raw key, and the HMAC keyed
/// with the key derived from the salt.
struct PageCipher {
    aes: Aes256,
    mac: Hmac<Sha512>,
}

impl PageCipher {
    fn new(raw_key: &[u8; 32], salt: &[u8; SALT_SIZE]) -> Result<Self, ScanError> {
        let mut hmac_salt = *salt;
        for byte in &mut hmac_salt {
            *byte ^= HMAC_SALT_MASK;
        }
        let mut hmac_key = [0u8; 32];
        pbkdf2::pbkdf2_hmac::<Sha512>(raw_key, &hmac_salt, FAST_KDF_ITER, &mut hmac_key);
        let mac = <Hmac<Sha512> as Mac>::new_from_slice(&hmac_key)
            .map_err(|_| ScanError::Internal("HMAC key rejected"))?;
        hmac_key.fill(0);
        let aes = Aes256::new(raw_key.into());
        Ok(PageCipher { aes, mac })
    }

    /// Verifies and decrypts one stored page image. On success `plain` holds
    /// the page's content (`USABLE_SIZE` bytes; page 1 begins with the SQLite
    /// magic where the file has the salt).
    fn open(&self, page_no: u32, raw: &[u8; PAGE_SIZE], plain: &mut [u8; USABLE_SIZE]) -> Opened {
        if raw.iter().all(|&b| b == 0) {
            return Opened::Zero;
        }
        let start = if page_no == 1 { SALT_SIZE } else { 0 };
        let iv_end = USABLE_SIZE + IV_SIZE;
        let mut mac = self.mac.clone();
        mac.update(&raw[start..iv_end]);
        mac.update(&page_no.to_le_bytes());
        if mac.verify_slice(&raw[iv_end..iv_end + HMAC_SIZE]).is_err() {
            return Opened::BadHmac;
        }
        let iv = &raw[USABLE_SIZE..iv_end];
        let Ok(decryptor) = cbc::Decryptor::<Aes256>::inner_iv_slice_init(self.aes.clone(), iv)
        else {
            return Opened::BadHmac;
        };
        if decryptor
            .decrypt_padded_b2b_mut::<NoPadding>(&raw[start..USABLE_SIZE], &mut plain[start..])
            .is_err()
        {
            return Opened::BadHmac;
        }
        if page_no == 1 {
            plain[..SALT_SIZE].copy_from_slice(SQLITE_MAGIC);
        }
        Opened::Plain
    }
}

// ---------------------------------------------------------------------------
// Searching

#[derive(Clone, Copy)]
struct Location {
    file: FileKind,
    page_no: u32,
    frame: Option<u32>,
}

struct Prepared {
    label: String,
    /// ASCII-lowercased needle bytes.
    lower: Vec<u8>,
}

/// The validated needles, shared by the scanning threads.
struct Needles {
    list: Vec<Prepared>,
    /// Longest needle length minus one: how much of a page end or start can
    /// hold part of a cut occurrence.
    edge: usize,
    /// Pages in the database file plus frames in the WAL: a bound on the
    /// page numbers that can have an image.
    page_bound: u32,
}

impl Needles {
    fn new(needles: &[Needle<'_>]) -> Result<Self, ScanError> {
        if needles.is_empty() {
            return Err(ScanError::NoNeedles);
        }
        let mut list = Vec::with_capacity(needles.len());
        for (index, needle) in needles.iter().enumerate() {
            let len = needle.bytes.len();
            if len < MIN_NEEDLE_LEN {
                return Err(ScanError::NeedleTooShort {
                    index,
                    label: needle.label.to_owned(),
                    len,
                });
            }
            if len > MAX_NEEDLE_LEN {
                return Err(ScanError::NeedleTooLong {
                    index,
                    label: needle.label.to_owned(),
                    len,
                });
            }
            list.push(Prepared {
                label: needle.label.to_owned(),
                lower: needle.bytes.to_ascii_lowercase(),
            });
        }
        let edge = list.iter().map(|n| n.lower.len()).max().unwrap_or(1) - 1;
        Ok(Needles {
            list,
            edge,
            page_bound: 0,
        })
    }
}

/// The end of some content that continues at the start (after the 4-byte
/// next-page pointer) of overflow page `target`.
struct Tail {
    origin: Location,
    target: u32,
    /// Offset in the origin page where the stored tail bytes start.
    offset: usize,
    /// Range of the tail bytes in `Found::tail_bytes`.
    start: usize,
    len: usize,
}

/// What the scan of some page images found, and kept for the search across
/// page boundaries.
struct Found {
    pages: u32,
    zero_pages: u32,
    hits: Vec<Hit>,
    /// (page number, offset in `head_bytes`) of each image's first content
    /// bytes after the overflow pointer, `edge` bytes each.
    heads: Vec<(u32, usize)>,
    head_bytes: Vec<u8>,
    tails: Vec<Tail>,
    tail_bytes: Vec<u8>,
    /// The lowercased page being searched.
    lower: Box<[u8; USABLE_SIZE]>,
}

impl Found {
    fn new() -> Self {
        Found {
            pages: 0,
            zero_pages: 0,
            hits: Vec::new(),
            heads: Vec::new(),
            head_bytes: Vec::new(),
            tails: Vec::new(),
            tail_bytes: Vec::new(),
            lower: Box::new([0u8; USABLE_SIZE]),
        }
    }

    /// Appends the findings of the pages after ours.
    fn append(&mut self, mut other: Found) {
        self.pages += other.pages;
        self.zero_pages = self.zero_pages.saturating_add(other.zero_pages);
        self.hits.append(&mut other.hits);
        let base = self.head_bytes.len();
        self.heads
            .extend(other.heads.iter().map(|&(p, at)| (p, at + base)));
        self.head_bytes.append(&mut other.head_bytes);
        let base = self.tail_bytes.len();
        self.tails.extend(other.tails.drain(..).map(|tail| Tail {
            start: tail.start + base,
            ..tail
        }));
        self.tail_bytes.append(&mut other.tail_bytes);
        other.lower.fill(0);
    }

    /// Searches one decrypted page image, and keeps its edges for the
    /// cross-page search of [`Found::finish`].
    fn search(&mut self, needles: &Needles, at: Location, plain: &[u8; USABLE_SIZE]) {
        self.lower.copy_from_slice(plain);
        self.lower.make_ascii_lowercase();
        let Found { lower, hits, .. } = self;
        for needle in &needles.list {
            find_all(&lower[..], &needle.lower, |offset| {
                hits.push(Hit {
                    file: at.file,
                    page_no: at.page_no,
                    frame: at.frame,
                    needle_label: needle.label.clone(),
                    offset_in_page: offset,
                    continues_on_page: None,
                })
            });
        }
        self.keep_edges(needles, at, plain);
    }

    fn keep_edges(&mut self, needles: &Needles, at: Location, plain: &[u8; USABLE_SIZE]) {
        let edge = needles.edge;
        // Every image may be an overflow page (or a freelist page that was
        // one): keep its first content bytes.
        self.heads.push((at.page_no, self.head_bytes.len()));
        self.head_bytes.extend_from_slice(&self.lower[4..4 + edge]);
        if at.page_no != 1 {
            // As an overflow page, its content runs to the end and continues
            // on the page its first four bytes point to. Live b-tree pages
            // start with their type byte (2, 5, 10 or 13), which reads as a
            // page number of 32 Mi or more: not a pointer unless the
            // database is that large.
            let btree = matches!(plain[0], 0x02 | 0x05 | 0x0a | 0x0d);
            if let Some(next) =
                be32(plain, 0).filter(|&next| next != 0 && !(btree && next > needles.page_bound))
            {
                self.keep_tail(at, next, USABLE_SIZE - edge, USABLE_SIZE);
            }
        }
        // As a b-tree page, cells whose payload spills onto an overflow page.
        let mut spills = Vec::new();
        overflowing_cells(plain, at.page_no, |start, end, next| {
            spills.push((start, end, next))
        });
        for (start, end, next) in spills {
            self.keep_tail(at, next, start.max(end.saturating_sub(edge)), end);
        }
    }

    fn keep_tail(&mut self, origin: Location, target: u32, from: usize, to: usize) {
        let Some(bytes) = self.lower.get(from..to) else {
            return;
        };
        let start = self.tail_bytes.len();
        self.tail_bytes.extend_from_slice(bytes);
        self.tails.push(Tail {
            origin,
            target,
            offset: from,
            start,
            len: bytes.len(),
        });
    }

    /// Searches across each (content end, overflow page start) boundary, and
    /// returns all hits.
    fn finish(mut self, needles: &Needles) -> Vec<Hit> {
        let edge = needles.edge;
        self.heads.sort_unstable_by_key(|&(page_no, _)| page_no);
        let mut joined = Vec::with_capacity(2 * MAX_NEEDLE_LEN);
        for tail in &self.tails {
            let first = self
                .heads
                .partition_point(|&(page_no, _)| page_no < tail.target);
            let tail_slice = &self.tail_bytes[tail.start..tail.start + tail.len];
            for &(page_no, head_at) in &self.heads[first..] {
                if page_no != tail.target {
                    break;
                }
                joined.clear();
                joined.extend_from_slice(tail_slice);
                joined.extend_from_slice(&self.head_bytes[head_at..head_at + edge]);
                for needle in &needles.list {
                    let len = needle.lower.len();
                    find_all(&joined, &needle.lower, |offset| {
                        // Only occurrences cut by the boundary: the others
                        // were found in the page itself.
                        if offset < tail.len && offset + len > tail.len {
                            self.hits.push(Hit {
                                file: tail.origin.file,
                                page_no: tail.origin.page_no,
                                frame: tail.origin.frame,
                                needle_label: needle.label.clone(),
                                offset_in_page: tail.offset + offset,
                                continues_on_page: Some(tail.target),
                            });
                        }
                    });
                }
            }
        }
        joined.fill(0);
        self.lower.fill(0);
        self.head_bytes.fill(0);
        self.tail_bytes.fill(0);
        self.hits
    }
}

/// Calls `found` with the start of every occurrence of `needle` in `hay`
/// (overlapping ones included). `needle` must be at least 2 bytes long.
fn find_all(hay: &[u8], needle: &[u8], mut found: impl FnMut(usize)) {
    let n = needle.len();
    let (Some(&first), Some(&last)) = (needle.first(), needle.last()) else {
        return;
    };
    if n < 2 || hay.len() < n {
        return;
    }
    let middle = &needle[1..n - 1];
    // Candidate starts are 0..=hay.len() - n. Test the first and last needle
    // bytes for a block of 32 starts at once (branch-free, vectorisable),
    // then compare the middle only where both match.
    let starts = hay.len() - n + 1;
    const BLOCK: usize = 32;
    let mut i = 0;
    while i + BLOCK <= starts {
        let heads: &[u8; BLOCK] = hay[i..i + BLOCK].try_into().unwrap_or(&[0; BLOCK]);
        let ends: &[u8; BLOCK] = hay[i + n - 1..i + n - 1 + BLOCK]
            .try_into()
            .unwrap_or(&[0; BLOCK]);
        let mut mask: u32 = 0;
        for k in 0..BLOCK {
            mask |= u32::from((heads[k] == first) & (ends[k] == last)) << k;
        }
        while mask != 0 {
            let k = mask.trailing_zeros() as usize;
            let at = i + k;
            if &hay[at + 1..at + n - 1] == middle {
                found(at);
            }
            mask &= mask - 1;
        }
        i += BLOCK;
    }
    while i < starts {
        if hay[i] == first && hay[i + n - 1] == last && &hay[i + 1..i + n - 1] == middle {
            found(i);
        }
        i += 1;
    }
}

/// Calls `spill(start, end, next)` for each cell of a b-tree page whose
/// payload spills onto overflow pages: `start..end` is the local part of the
/// payload in the page, `next` the first overflow page. Anything that does
/// not parse is skipped: free pages and other page kinds are not b-tree
/// pages.
fn overflowing_cells(
    plain: &[u8; USABLE_SIZE],
    page_no: u32,
    mut spill: impl FnMut(usize, usize, u32),
) {
    let header = if page_no == 1 { 100 } else { 0 };
    let Some(&kind) = plain.get(header) else {
        return;
    };
    // (table leaf, has a 4-byte left child pointer, header length)
    let (table_leaf, child, header_len) = match kind {
        0x0d => (true, false, 8),
        0x0a => (false, false, 8),
        0x02 => (false, true, 12),
        _ => return,
    };
    let Some(cells) = be16(plain, header + 3) else {
        return;
    };
    let u = USABLE_SIZE as u64;
    let max_local = if table_leaf {
        u - 35
    } else {
        (u - 12) * 64 / 255 - 23
    };
    let min_local = (u - 12) * 32 / 255 - 23;
    for i in 0..usize::from(cells) {
        let Some(cell) = be16(plain, header + header_len + 2 * i) else {
            return;
        };
        let mut at = usize::from(cell) + if child { 4 } else { 0 };
        let Some((payload, len)) = varint(plain, at) else {
            continue;
        };
        at += len;
        if table_leaf {
            let Some((_, len)) = varint(plain, at) else {
                continue;
            };
            at += len;
        }
        if payload <= max_local {
            continue;
        }
        let k = min_local + (payload - min_local) % (u - 4);
        let local = if k <= max_local { k } else { min_local } as usize;
        let end = at + local;
        if let Some(next) = be32(plain, end).filter(|&next| next != 0) {
            spill(at, end, next);
        }
    }
}

/// SQLite variable-length integer at `at`: (value, length in bytes).
fn varint(bytes: &[u8], at: usize) -> Option<(u64, usize)> {
    let mut value: u64 = 0;
    for i in 0..9 {
        let byte = *bytes.get(at.checked_add(i)?)?;
        if i == 8 {
            return Some(((value << 8) | u64::from(byte), 9));
        }
        value = (value << 7) | u64::from(byte & 0x7f);
        if byte & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(hay: &[u8], needle: &[u8]) -> Vec<usize> {
        let mut v = Vec::new();
        find_all(hay, needle, |i| v.push(i));
        v
    }

    fn naive(hay: &[u8], needle: &[u8]) -> Vec<usize> {
        if hay.len() < needle.len() {
            return Vec::new();
        }
        (0..=hay.len() - needle.len())
            .filter(|&i| &hay[i..i + needle.len()] == needle)
            .collect()
    }

    #[test]
    fn find_all_matches_naive_search() {
        let mut hay = [b'a'; 200];
        for i in (0..200).step_by(7) {
            hay[i] = b'b';
        }
        for needle in [&b"ab"[..], b"aab", b"baaaaaab", b"aaa", b"bab", b"zzz"] {
            for cut in [0, 1, 5, 31, 32, 33, 63, 64, 100, 200] {
                assert_eq!(all(&hay[..cut], needle), naive(&hay[..cut], needle));
            }
        }
    }

    #[test]
    fn varint_decodes_sqlite_varints() {
        assert_eq!(varint(&[0x05], 0), Some((5, 1)));
        assert_eq!(varint(&[0x81, 0x00], 0), Some((128, 2)));
        assert_eq!(varint(&[0xff; 9], 0), Some((u64::MAX, 9)));
        assert_eq!(varint(&[0x81], 0), None);
    }
}
