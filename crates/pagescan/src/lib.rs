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
//!
//! ## Layout
//!
//! This file is the public face: the constants, [`scan`] and
//! [`wal_path_of`]. `format` holds the file format (sizes, magic numbers,
//! header checks), `cipher` the page decryption and HMAC check, `file` the
//! reading of the database file, `wal` the reading of the WAL, `search` the
//! needles and the search of each page, `overflow` the search across overflow
//! chains, and `report` what a scan returns.

#![forbid(unsafe_code)]

mod cipher;
mod file;
mod format;
mod overflow;
mod report;
mod search;
mod wal;

use std::io::{self, Read};
use std::path::{Path, PathBuf};

pub use report::{FileKind, Hit, Report, ScanError};
pub use search::Needle;

use cipher::{Opened, PageCipher};
use file::{open_sized, scan_main};
use format::{check_page1, salt_of};
use search::Needles;
use wal::{find_salt_in_wal, frame_count, scan_wal};

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
        Some((_, len)) => frame_count(*len)?,
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

    // The database file, every page, in as many parts as there are cores.
    let mut found = scan_main(db_path, main_pages, &cipher, &needles)?;
    report.main_pages = found.pages;

    // The WAL, every frame in order.
    if let Some((file, _)) = wal {
        report.wal_frames = scan_wal(file, &wal_path, wal_frames, &cipher, &needles, &mut found)?;
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
