//! The needles and the search of each decrypted page image: validation,
//! ASCII case folding, and the findings kept for the cross-page search of
//! `overflow`.

use std::fmt;

use crate::overflow::Tail;
use crate::report::{FileKind, Hit, ScanError};
use crate::{MAX_NEEDLE_LEN, MIN_NEEDLE_LEN, USABLE_SIZE};

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

#[derive(Clone, Copy)]
pub(crate) struct Location {
    pub(crate) file: FileKind,
    pub(crate) page_no: u32,
    pub(crate) frame: Option<u32>,
}

pub(crate) struct Prepared {
    pub(crate) label: String,
    /// ASCII-lowercased needle bytes.
    pub(crate) lower: Vec<u8>,
}

/// The validated needles, shared by the scanning threads.
pub(crate) struct Needles {
    pub(crate) list: Vec<Prepared>,
    /// Longest needle length minus one: how much of a page end or start can
    /// hold part of a cut occurrence.
    pub(crate) edge: usize,
    /// Pages in the database file plus frames in the WAL: a bound on the
    /// page numbers that can have an image.
    pub(crate) page_bound: u32,
}

impl Needles {
    pub(crate) fn new(needles: &[Needle<'_>]) -> Result<Self, ScanError> {
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

/// What the scan of some page images found, and kept for the search across
/// page boundaries.
pub(crate) struct Found {
    pub(crate) pages: u32,
    pub(crate) zero_pages: u32,
    pub(crate) hits: Vec<Hit>,
    /// (page number, offset in `head_bytes`) of each image's first content
    /// bytes after the overflow pointer, `edge` bytes each.
    pub(crate) heads: Vec<(u32, usize)>,
    pub(crate) head_bytes: Vec<u8>,
    pub(crate) tails: Vec<Tail>,
    pub(crate) tail_bytes: Vec<u8>,
    /// The lowercased page being searched.
    pub(crate) lower: Box<[u8; USABLE_SIZE]>,
}

impl Found {
    pub(crate) fn new() -> Self {
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
    pub(crate) fn append(&mut self, mut other: Found) {
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
    pub(crate) fn search(&mut self, needles: &Needles, at: Location, plain: &[u8; USABLE_SIZE]) {
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
}

/// Calls `found` with the start of every occurrence of `needle` in `hay`
/// (overlapping ones included). `needle` must be at least 2 bytes long.
pub(crate) fn find_all(hay: &[u8], needle: &[u8], mut found: impl FnMut(usize)) {
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
}
