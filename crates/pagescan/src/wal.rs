//! Reading the WAL file: its length in frames, the salt from a WAL image of
//! page 1, and the scan of every frame, whatever its validity.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use crate::cipher::{Opened, PageCipher};
use crate::file::READ_BUFFER_SIZE;
use crate::format::{
    be32, check_wal_header, SALT_SIZE, WAL_FRAME_HEADER_SIZE, WAL_FRAME_SIZE, WAL_HEADER_SIZE,
};
use crate::report::{FileKind, ScanError};
use crate::search::{Found, Location, Needles};
use crate::{PAGE_SIZE, USABLE_SIZE};

/// The number of frames of a WAL file of `len` bytes (not empty): a header
/// then whole frames.
pub(crate) fn frame_count(len: u64) -> Result<u32, ScanError> {
    let body = len
        .checked_sub(WAL_HEADER_SIZE as u64)
        .ok_or(ScanError::TruncatedWal { len })?;
    if body % WAL_FRAME_SIZE as u64 != 0 {
        return Err(ScanError::TruncatedWal { len });
    }
    u32::try_from(body / WAL_FRAME_SIZE as u64).map_err(|_| ScanError::TooLarge {
        file: FileKind::Wal,
        len,
    })
}

/// Finds the salt in the first WAL image of page 1, and rewinds the file.
pub(crate) fn find_salt_in_wal(
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

/// Reads, verifies and searches every frame of the WAL in order, adding to
/// `found`; returns the number of frames read.
pub(crate) fn scan_wal(
    file: File,
    wal_path: &Path,
    wal_frames: u32,
    cipher: &PageCipher,
    needles: &Needles,
    found: &mut Found,
) -> Result<u32, ScanError> {
    let mut frames_read = 0;
    let io_err = |source| ScanError::Io {
        file: FileKind::Wal,
        path: wal_path.to_path_buf(),
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
            Opened::Zero if zero_header => found.zero_pages = found.zero_pages.saturating_add(1),
            Opened::Zero | Opened::BadHmac => {
                return Err(ScanError::HmacMismatch {
                    file: FileKind::Wal,
                    page_no,
                    frame: Some(frame),
                })
            }
            Opened::Plain => found.search(needles, at, &plain),
        }
        frames_read += 1;
    }
    plain.fill(0);
    Ok(frames_read)
}
