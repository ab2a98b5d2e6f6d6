//! From bytes to records: UTF-8 check, byte-order mark, delimiter, quoted fields, and
//! the physical line on which each record starts.

use super::ImportError;

/// One CSV record and the 1-based physical line of the file on which it starts.
#[derive(Debug)]
pub(super) struct Record {
    pub line: usize,
    pub fields: Vec<String>,
}

impl Record {
    /// A record whose every field is empty or spaces (a blank line, or `,,,,` as
    /// spreadsheets and Zoom write between blocks).
    pub fn is_blank(&self) -> bool {
        self.fields.iter().all(|f| f.trim().is_empty())
    }
}

/// The text of the file: valid UTF-8, without its byte-order mark.
pub(super) fn decode(bytes: &[u8]) -> Result<&str, ImportError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let line = 1 + bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        ImportError::new(
            line,
            "the file is not valid UTF-8 text (save it as CSV UTF-8 and import it again)",
        )
    })
}

/// `;` when the header line has more semicolons than commas outside quotes, else `,`.
/// The header line is the first line with either of them (a Zoom Q&A report opens with
/// a title line that has neither).
pub(super) fn detect_delimiter(text: &str) -> u8 {
    for line in text.lines() {
        let (mut commas, mut semicolons, mut quoted) = (0usize, 0usize, false);
        for c in line.chars() {
            match c {
                '"' => quoted = !quoted,
                ',' if !quoted => commas += 1,
                ';' if !quoted => semicolons += 1,
                _ => {}
            }
        }
        if commas + semicolons > 0 {
            return if semicolons > commas { b';' } else { b',' };
        }
    }
    b','
}

/// Every record of the file, blank ones included, each with the line it starts on.
///
/// The csv crate reports a record's position as the end of the previous record, before
/// the blank lines it skips; the start is found here by stepping over those line ends.
pub(super) fn read_records(text: &str, delimiter: u8) -> Result<Vec<Record>, ImportError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let bytes = text.as_bytes();
    let mut records = Vec::new();
    // Lines counted so far: `counted_line` is the line of byte `counted_upto`.
    let (mut counted_upto, mut counted_line) = (0usize, 1usize);
    let mut raw = csv::StringRecord::new();
    loop {
        let more = reader.read_record(&mut raw).map_err(|e| {
            let line = e.position().map_or(counted_line, |p| p.line() as usize);
            // The csv error text can quote the data; only its position is kept.
            ImportError::new(line, "the CSV structure could not be read")
        })?;
        if !more {
            break;
        }
        let mut start = raw
            .position()
            .map_or(counted_upto, |p| p.byte() as usize)
            .max(counted_upto);
        while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
            start += 1;
        }
        counted_line += bytes[counted_upto..start]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        counted_upto = start;
        records.push(Record {
            line: counted_line,
            fields: raw.iter().map(str::to_owned).collect(),
        });
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_start_on_their_physical_line() {
        let text = "a,b\n\n\nc,d\r\n\r\n\"x\ny\",z\n,,\nlast";
        let records = read_records(text, b',').unwrap();
        let lines: Vec<usize> = records.iter().map(|r| r.line).collect();
        assert_eq!(lines, vec![1, 4, 6, 8, 9]);
        assert_eq!(records[2].fields, vec!["x\ny", "z"]);
        assert!(records[3].is_blank());
    }

    #[test]
    fn delimiter_comes_from_the_first_line_with_one() {
        assert_eq!(detect_delimiter("Title\nnom;e-mail;\"a,b\"\n"), b';');
        assert_eq!(detect_delimiter("name,email,join,leave\n"), b',');
        assert_eq!(detect_delimiter("\"a;b\",c\n"), b',');
    }

    #[test]
    fn invalid_utf8_names_its_line() {
        let err = decode(b"a,b\nc,d\n\xff,e\n").unwrap_err();
        assert_eq!(err.line, 3);
    }
}
