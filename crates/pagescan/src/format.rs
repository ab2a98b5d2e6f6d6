//! The file format of the store (SQLCipher 4 defaults over SQLite, in WAL
//! mode): sizes and magic numbers, big-endian fields, and the checks on the
//! database header (page 1) and the WAL header.

use crate::report::{FileKind, Report, ScanError};
use crate::{PAGE_SIZE, RESERVE_SIZE, USABLE_SIZE};

pub(crate) const SALT_SIZE: usize = 16;
pub(crate) const IV_SIZE: usize = 16;
pub(crate) const HMAC_SIZE: usize = 64;
pub(crate) const HMAC_SALT_MASK: u8 = 0x3a;
pub(crate) const FAST_KDF_ITER: u32 = 2;
pub(crate) const SQLITE_MAGIC: &[u8; SALT_SIZE] = b"SQLite format 3\0";
pub(crate) const WAL_HEADER_SIZE: usize = 32;
pub(crate) const WAL_FRAME_HEADER_SIZE: usize = 24;
pub(crate) const WAL_FRAME_SIZE: usize = WAL_FRAME_HEADER_SIZE + PAGE_SIZE;
const WAL_MAGIC_LE: u32 = 0x377f_0682;
const WAL_MAGIC_BE: u32 = 0x377f_0683;

pub(crate) fn salt_of(raw: &[u8; PAGE_SIZE]) -> &[u8; SALT_SIZE] {
    raw.first_chunk::<SALT_SIZE>().unwrap_or(SQLITE_MAGIC)
}

/// Sanity checks on the decrypted page 1 of the database file, and the two
/// header fields reported.
pub(crate) fn check_page1(plain: &[u8; USABLE_SIZE], report: &mut Report) -> Result<(), ScanError> {
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

pub(crate) fn check_wal_header(header: &[u8; WAL_HEADER_SIZE]) -> Result<(), ScanError> {
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

pub(crate) fn be16(bytes: &[u8], at: usize) -> Option<u16> {
    let b = bytes.get(at..at.checked_add(2)?)?;
    Some(u16::from_be_bytes([b[0], b[1]]))
}

pub(crate) fn be32(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}
