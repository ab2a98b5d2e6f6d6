//! A CSV file as one sheet of text cells: its encoding, its delimiter, its
//! records (one record is one row, as a spreadsheet shows it).

use super::{trimmed, SheetsError};
use domain::families_import::{Cell, Sheet};
use std::borrow::Cow;

/// The text of the file: UTF-8 (without its byte-order mark), UTF-16 with
/// its byte-order mark, or else Windows-1252.
fn decode(bytes: &[u8]) -> Cow<'_, str> {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom..]);
        return text;
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => {
            encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(bytes)
                .0
        }
    }
}

/// `;`, `,` or tab: whichever the first line with one of them has most of,
/// outside quotes (a title line may have none).
fn delimiter(text: &str) -> u8 {
    for line in text.lines() {
        let (mut counts, mut quoted) = ([0usize; 3], false);
        for c in line.chars() {
            match c {
                '"' => quoted = !quoted,
                ';' if !quoted => counts[0] += 1,
                ',' if !quoted => counts[1] += 1,
                '\t' if !quoted => counts[2] += 1,
                _ => {}
            }
        }
        let best = (0..3).max_by_key(|i| (counts[*i], 3 - i)).unwrap_or(1);
        if counts[best] > 0 {
            return [b';', b',', b'\t'][best];
        }
    }
    b','
}

pub(crate) fn read(bytes: &[u8]) -> Result<Sheet, SheetsError> {
    let text = decode(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter(&text))
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        // The csv crate's error text may quote the data: only the kind is kept.
        let more = reader
            .read_record(&mut record)
            .map_err(|_| SheetsError::Unreadable { format: "csv" })?;
        if !more {
            break;
        }
        if rows.len() > super::MAX_ROWS {
            return Err(SheetsError::TooLarge {
                what: "rows",
                limit: super::MAX_ROWS,
            });
        }
        rows.push(
            record
                .iter()
                .map(|field| {
                    if field.trim().is_empty() {
                        Cell::Empty
                    } else {
                        Cell::Text(field.to_owned())
                    }
                })
                .collect(),
        );
    }
    Ok(Sheet {
        name: "CSV".to_owned(),
        rows: trimmed(rows),
        merges: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(sheet: &Sheet) -> Vec<Vec<String>> {
        sheet
            .rows
            .iter()
            .map(|row| {
                row.iter()
                    .map(|c| match c {
                        Cell::Text(t) => t.clone(),
                        _ => String::new(),
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn french_excel_csv_in_windows_1252_with_semicolons() {
        let bytes = b"Nom;Pr\xe9nom;E-mail\r\nFictif;Lo\xefc;\"a;b@exemple.test\"\r\n;;\r\n";
        let sheet = read(bytes).unwrap();
        assert_eq!(
            texts(&sheet),
            vec![
                vec!["Nom", "Prénom", "E-mail"],
                vec!["Fictif", "Loïc", "a;b@exemple.test"]
            ]
        );
    }

    #[test]
    fn utf8_with_bom_commas_and_a_title_line() {
        let text = "\u{feff}Liste des familles\nNom,Prénom\n\"Fictif, Jr\",Élodie\n";
        let sheet = read(text.as_bytes()).unwrap();
        assert_eq!(
            texts(&sheet),
            vec![
                vec!["Liste des familles"],
                vec!["Nom", "Prénom"],
                vec!["Fictif, Jr", "Élodie"]
            ]
        );
    }

    #[test]
    fn utf16_unicode_text_with_tabs() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "Nom\tPrénom\r\nFictif\tÉlodie\r\n".encode_utf16() {
            bytes.extend(unit.to_le_bytes());
        }
        let sheet = read(&bytes).unwrap();
        assert_eq!(
            texts(&sheet),
            vec![vec!["Nom", "Prénom"], vec!["Fictif", "Élodie"]]
        );
    }
}
