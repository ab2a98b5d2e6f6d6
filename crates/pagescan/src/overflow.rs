//! Overflow chains: a value long enough to spill onto overflow pages can be
//! cut between two pages. The ends of contents that continue on an overflow
//! page (the page's own end, or a b-tree cell's local payload) and the starts
//! of every image are kept, then searched across each boundary.

use crate::format::{be16, be32};
use crate::report::Hit;
use crate::search::{find_all, Found, Location, Needles};
use crate::{MAX_NEEDLE_LEN, USABLE_SIZE};

/// The end of some content that continues at the start (after the 4-byte
/// next-page pointer) of overflow page `target`.
pub(crate) struct Tail {
    pub(crate) origin: Location,
    pub(crate) target: u32,
    /// Offset in the origin page where the stored tail bytes start.
    pub(crate) offset: usize,
    /// Range of the tail bytes in `Found::tail_bytes`.
    pub(crate) start: usize,
    pub(crate) len: usize,
}

impl Found {
    pub(crate) fn keep_edges(
        &mut self,
        needles: &Needles,
        at: Location,
        plain: &[u8; USABLE_SIZE],
    ) {
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
    pub(crate) fn finish(mut self, needles: &Needles) -> Vec<Hit> {
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

    #[test]
    fn varint_decodes_sqlite_varints() {
        assert_eq!(varint(&[0x05], 0), Some((5, 1)));
        assert_eq!(varint(&[0x81, 0x00], 0), Some((128, 2)));
        assert_eq!(varint(&[0xff; 9], 0), Some((u64::MAX, 9)));
        assert_eq!(varint(&[0x81], 0), None);
    }
}
