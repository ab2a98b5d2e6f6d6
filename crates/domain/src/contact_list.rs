//! The list an external trainer receives (POL-15, ROLE-2): names and e-mails
//! of their workshop's participants, nothing else. The type has exactly those
//! three fields, so no other field can reach the file.

/// One line of the list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contact {
    pub given_name: String,
    pub family_name: String,
    pub email: String,
}

/// A CSV file Excel opens directly in a French locale: UTF-8 with a byte-order
/// mark, `;` as separator (the French list separator), CRLF line ends, every
/// field quoted. A cell starting with `=`, `+`, `-` or `@` gets a leading `'`
/// so a spreadsheet never runs it as a formula.
pub fn to_csv(contacts: &[Contact]) -> Vec<u8> {
    fn cell(text: &str) -> String {
        let guarded = if text.starts_with(['=', '+', '-', '@']) {
            format!("'{text}")
        } else {
            text.to_owned()
        };
        format!("\"{}\"", guarded.replace('"', "\"\""))
    }
    let mut out = String::from("\u{feff}");
    out.push_str("\"Prénom\";\"Nom\";\"E-mail\"\r\n");
    for c in contacts {
        out.push_str(&format!(
            "{};{};{}\r\n",
            cell(&c.given_name),
            cell(&c.family_name),
            cell(&c.email)
        ));
    }
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pol_15_csv_has_a_bom_three_columns_and_quoted_cells() {
        let csv = to_csv(&[Contact {
            given_name: "Zoé".into(),
            family_name: "Exemple \"dit Zaza\"".into(),
            email: "=cmd@example.test".into(),
        }]);
        assert!(csv.starts_with(&[0xEF, 0xBB, 0xBF]));
        let text = String::from_utf8(csv[3..].to_vec()).unwrap();
        let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
        assert_eq!(lines[0], "\"Prénom\";\"Nom\";\"E-mail\"");
        assert_eq!(
            lines[1],
            "\"Zoé\";\"Exemple \"\"dit Zaza\"\"\";\"'=cmd@example.test\""
        );
        assert_eq!(lines.len(), 2);
    }
}
