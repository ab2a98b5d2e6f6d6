//! Spreadsheets as the office saves them, from the file's bytes to sheets of
//! typed cells ([`domain::families_import::Sheet`]) for the families import
//! (issue 15, item 4). No I/O: the caller reads the file.
//!
//! - XLSX, ODS (and the older XLS and XLSB) through `calamine`: sheet names
//!   in the workbook's order, numbers, booleans, spreadsheet dates (as dates,
//!   not serial numbers), formula errors, and, for XLSX, the merged cells.
//!   Cells keep their position: row 1 is the first row even when the sheet's
//!   data starts lower.
//! - CSV, as the repository reads French Excel CSVs
//!   (`crates/domain/src/attendance_import/`): an optional UTF-8 byte-order
//!   mark, `;`, `,` or tab (whichever the first line with one of them has
//!   most of, outside quotes), quoted fields. Unlike report imports, a file
//!   that is not UTF-8 is read as Windows-1252 (Excel's "CSV (séparateur :
//!   point-virgule)" on a French Windows), and UTF-16 with its byte-order
//!   mark ("Texte Unicode"). Every CSV cell is text.
//! - Trailing empty cells and rows are dropped. Limits: [`MAX_FILE_BYTES`],
//!   [`MAX_ROWS`] rows and [`MAX_COLUMNS`] columns per sheet.
//!
//! Errors say what kind of file could not be read, never what it holds
//! (calamine's own messages are dropped: they may quote a cell).

mod csv_text;

use calamine::{Data, Reader, Sheets};
use chrono::{NaiveDate, NaiveDateTime};
use domain::families_import::{Cell, Merge, Sheet, HEADER_SEARCH_ROWS, MAX_ROWS as MAX_DATA_ROWS};
use std::io::Cursor;

/// The largest file read.
pub const MAX_FILE_BYTES: usize = 32 * 1024 * 1024;
/// The most rows of a sheet (its data rows and the rows above the header).
pub const MAX_ROWS: usize = MAX_DATA_ROWS + HEADER_SEARCH_ROWS;
/// The most columns of a sheet.
pub const MAX_COLUMNS: usize = 256;

/// What kind of file it was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Ods,
    Xls,
    Xlsb,
    Csv,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Ods => "ods",
            Format::Xls => "xls",
            Format::Xlsb => "xlsb",
            Format::Csv => "csv",
        }
    }
}

/// A file, read: its format and its sheets in order (a CSV has one).
#[derive(Clone, Debug, PartialEq)]
pub struct Workbook {
    pub format: Format,
    pub sheets: Vec<Sheet>,
}

/// Why a file could not be read; never holds a cell.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SheetsError {
    #[error("the file could not be read as {format}")]
    Unreadable { format: &'static str },
    #[error("the file has more {what} than the import takes ({limit})")]
    TooLarge { what: &'static str, limit: usize },
}

/// Reads `bytes`: a workbook (ZIP or OLE container) or else CSV text.
pub fn read(bytes: &[u8]) -> Result<Workbook, SheetsError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(SheetsError::TooLarge {
            what: "bytes",
            limit: MAX_FILE_BYTES,
        });
    }
    let zip = bytes.starts_with(b"PK\x03\x04");
    let ole = bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]);
    if !zip && !ole {
        let sheet = csv_text::read(bytes)?;
        check_size(&sheet)?;
        return Ok(Workbook {
            format: Format::Csv,
            sheets: vec![sheet],
        });
    }
    let unreadable = SheetsError::Unreadable {
        format: if zip { "xlsx/ods" } else { "xls" },
    };
    let mut workbook =
        calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|_| unreadable.clone())?;
    let format = match &workbook {
        Sheets::Xlsx(_) => Format::Xlsx,
        Sheets::Ods(_) => Format::Ods,
        Sheets::Xls(_) => Format::Xls,
        Sheets::Xlsb(_) => Format::Xlsb,
    };
    let unreadable = SheetsError::Unreadable {
        format: format.as_str(),
    };
    let mut sheets = Vec::new();
    for name in workbook.sheet_names() {
        let range = workbook
            .worksheet_range(&name)
            .map_err(|_| unreadable.clone())?;
        let merges = match &mut workbook {
            Sheets::Xlsx(xlsx) => Some(
                xlsx.merge_cells_by_sheet_name(&name)
                    .map_err(|_| unreadable.clone())?
                    .into_iter()
                    .map(|d| Merge {
                        first_row: d.start.0,
                        first_col: d.start.1,
                        last_row: d.end.0,
                        last_col: d.end.1,
                    })
                    .collect(),
            ),
            _ => None,
        };
        let sheet = sheet_of(name, &range, merges)?;
        check_size(&sheet)?;
        sheets.push(sheet);
    }
    Ok(Workbook { format, sheets })
}

fn check_size(sheet: &Sheet) -> Result<(), SheetsError> {
    if sheet.rows.len() > MAX_ROWS {
        return Err(SheetsError::TooLarge {
            what: "rows",
            limit: MAX_ROWS,
        });
    }
    if sheet.width() > MAX_COLUMNS {
        return Err(SheetsError::TooLarge {
            what: "columns",
            limit: MAX_COLUMNS,
        });
    }
    Ok(())
}

/// Trailing empty cells and rows dropped.
pub(crate) fn trimmed(mut rows: Vec<Vec<Cell>>) -> Vec<Vec<Cell>> {
    for row in &mut rows {
        while row.last().is_some_and(Cell::is_blank) {
            row.pop();
        }
    }
    while rows.last().is_some_and(Vec::is_empty) {
        rows.pop();
    }
    rows
}

fn sheet_of(
    name: String,
    range: &calamine::Range<Data>,
    merges: Option<Vec<Merge>>,
) -> Result<Sheet, SheetsError> {
    let (top, left) = range.start().unwrap_or((0, 0));
    let (height, width) = range.get_size();
    if top as usize + height > MAX_ROWS + 1 {
        return Err(SheetsError::TooLarge {
            what: "rows",
            limit: MAX_ROWS,
        });
    }
    if left as usize + width > MAX_COLUMNS + 1 {
        return Err(SheetsError::TooLarge {
            what: "columns",
            limit: MAX_COLUMNS,
        });
    }
    let mut rows: Vec<Vec<Cell>> = vec![Vec::new(); top as usize];
    for data in range.rows() {
        let mut row = vec![Cell::Empty; left as usize];
        row.extend(data.iter().map(cell_of));
        rows.push(row);
    }
    Ok(Sheet {
        name,
        rows: trimmed(rows),
        merges,
    })
}

fn iso_datetime(text: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .or_else(|| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .map(|d| d.and_time(chrono::NaiveTime::MIN))
        })
}

fn cell_of(data: &Data) -> Cell {
    match data {
        Data::Empty => Cell::Empty,
        Data::String(text) => Cell::Text(text.clone()),
        Data::Int(n) => Cell::Number(*n as f64),
        Data::Float(n) => Cell::Number(*n),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(at) if at.is_datetime() => at.as_datetime().map_or(Cell::Error, Cell::Date),
        Data::DateTime(at) => Cell::Number(at.as_f64()),
        Data::DateTimeIso(text) => iso_datetime(text).map_or(Cell::Error, Cell::Date),
        Data::DurationIso(_) => Cell::Error,
        Data::Error(_) => Cell::Error,
    }
}
