//! Where the header is, and each column's label under its group header.

use super::{cells, column_letter, labels::recognise, Column, Layout, Sheet, Target};

/// How many rows from the top may hold the header (titles above it).
pub const HEADER_SEARCH_ROWS: usize = 30;

fn label(sheet: &Sheet, row: usize, col: usize) -> Option<String> {
    cells::text(sheet.cell(row, col)).ok().flatten()
}

fn filled(sheet: &Sheet, row: usize) -> usize {
    sheet
        .rows
        .get(row)
        .map_or(0, |cells| cells.iter().filter(|c| !c.is_blank()).count())
}

/// The header's layout: the row whose labels name the most targets (see
/// the module documentation); `None` for an empty sheet.
pub fn detect_layout(sheet: &Sheet) -> Option<Layout> {
    let searched = sheet.rows.len().min(HEADER_SEARCH_ROWS);
    let mut best: Option<(usize, Layout)> = None;
    for row in (0..searched).filter(|row| filled(sheet, *row) > 0) {
        let layout = layout_at(sheet, row);
        let mut named: Vec<Target> = layout
            .recognised
            .iter()
            .copied()
            .filter(|t| *t != Target::Ignore)
            .collect();
        named.sort();
        named.dedup();
        if best.as_ref().is_none_or(|(score, _)| named.len() > *score) {
            best = Some((named.len(), layout));
        }
    }
    match best {
        Some((score, layout)) if score > 0 => Some(layout),
        _ => {
            let fullest =
                (0..searched).max_by_key(|row| (filled(sheet, *row), usize::MAX - row))?;
            (filled(sheet, fullest) > 0).then(|| layout_at(sheet, fullest))
        }
    }
}

/// The group label above column `col` of header row `row` (parent row
/// `row - 1`).
fn group_label(sheet: &Sheet, row: usize, col: usize) -> Option<String> {
    let parent = row - 1;
    if let Some(merges) = &sheet.merges {
        let merge = merges
            .iter()
            .find(|m| m.contains(parent as u32, col as u32));
        return match merge {
            Some(m) => label(sheet, m.first_row as usize, m.first_col as usize),
            None => label(sheet, parent, col),
        };
    }
    if let Some(text) = label(sheet, parent, col) {
        return Some(text);
    }
    // No merge information: a group label covers the empty cells to its
    // right, up to the next one, over columns that have their own label
    // (a label over an empty header cell is a header merged down).
    label(sheet, row, col)?;
    let from = (0..col)
        .rev()
        .find(|q| label(sheet, parent, *q).is_some())?;
    label(sheet, row, from)?;
    label(sheet, parent, from)
}

/// The header's own label of a column: its cell, or the first cell of a
/// merge that starts on the header row and covers it.
fn own_label(sheet: &Sheet, row: usize, col: usize) -> Option<String> {
    if let Some(merges) = &sheet.merges {
        if let Some(m) = merges
            .iter()
            .find(|m| m.first_row as usize == row && m.contains(row as u32, col as u32))
        {
            return label(sheet, row, m.first_col as usize);
        }
    }
    label(sheet, row, col)
}

/// The layout with the header on `row`.
pub(super) fn layout_at(sheet: &Sheet, row: usize) -> Layout {
    let grouped = row > 0 && filled(sheet, row - 1) >= 2;
    let mut columns = Vec::new();
    let mut recognised = Vec::new();
    for col in 0..sheet.width() {
        let child = own_label(sheet, row, col);
        let parent = if grouped {
            group_label(sheet, row, col)
        } else {
            None
        };
        let parent = parent.filter(|p| Some(p) != child.as_ref());
        let (text, target) = match (parent, child) {
            (Some(parent), Some(child)) => {
                let target = match recognise(&child) {
                    Target::Ignore => recognise(&format!("{parent} {child}")),
                    target => target,
                };
                (format!("{parent} — {child}"), target)
            }
            (None, Some(child)) => {
                let target = recognise(&child);
                (child, target)
            }
            (Some(parent), None) => {
                let target = recognise(&parent);
                (parent, target)
            }
            (None, None) => (String::new(), Target::Ignore),
        };
        columns.push(Column {
            index: col as u32,
            letter: column_letter(col as u32),
            label: text,
        });
        recognised.push(target);
    }
    let width = columns
        .iter()
        .rposition(|c| !c.label.is_empty())
        .map_or(0, |last| last + 1);
    columns.truncate(width);
    recognised.truncate(width);
    Layout {
        header_row: row,
        columns,
        recognised,
    }
}
