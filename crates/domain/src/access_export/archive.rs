//! The files handed to the person besides the JSON and the HTML summary: one
//! CSV per category, the French README, and the ZIP holding them all
//! (POL-23, POL-27).

use std::borrow::Cow;
use std::io::{Cursor, Write};

use chrono::{Datelike, TimeZone, Timelike};
use chrono_tz::Europe::Paris;

use super::art15::CNIL_FR;
use super::format::{count_fr, iso_utc, paris_long};
use super::model::{AccessExport, Category, ExportError, Value};

/// Names of the fixed files inside the ZIP of an access export.
pub const ZIP_JSON: &str = "donnees.json";
pub const ZIP_HTML: &str = "synthese.html";
pub const ZIP_README: &str = "LISEZMOI.txt";
/// Folder of the per-category CSV files inside the ZIP (`csv/<key>.csv`).
pub const ZIP_CSV_DIR: &str = "csv/";

impl AccessExport {
    /// One category as CSV for a French spreadsheet (POL-27): UTF-8 with a
    /// byte-order mark, `;` separator, CRLF line ends, a header row of the
    /// column names, every field quoted (RFC 4180, `"` doubled). Values: text
    /// as is, integers in decimal, booleans `true`/`false`, date-times in ISO
    /// 8601 UTC as in the JSON, null as an empty field. A text cell starting
    /// with `=`, `+`, `-`, `@`, TAB or CR gets a leading `'` so a spreadsheet
    /// never runs it as a formula (same guard as `contact_list`, plus TAB/CR).
    pub fn to_csv(&self, category: &Category) -> String {
        let width = category.width();
        let mut out = String::from("\u{feff}");
        let header: Vec<String> = (0..width)
            .map(|i| csv_text_cell(&category.column_name(i)))
            .collect();
        out.push_str(&header.join(";"));
        out.push_str("\r\n");
        for row in &category.rows {
            let cells: Vec<String> = (0..width)
                .map(|i| csv_cell(row.get(i).unwrap_or(&Value::Null)))
                .collect();
            out.push_str(&cells.join(";"));
            out.push_str("\r\n");
        }
        out
    }

    /// The French `LISEZMOI.txt` of the ZIP: what each file is. CRLF line ends.
    pub fn readme_fr(&self) -> String {
        let mut lines: Vec<String> = vec![
            "Réponse à votre demande d'accès à vos données personnelles".to_owned(),
            format!("Référence de la demande : {}", self.request_ref),
            format!(
                "Établie le {} (heure de Paris) par {}.",
                paris_long(self.generated_at),
                self.info.controller.name
            ),
            String::new(),
            "Ce dossier contient :".to_owned(),
            String::new(),
            ZIP_HTML.to_owned(),
            "    À lire en premier. Un résumé lisible de toutes vos données, avec les raisons pour lesquelles".to_owned(),
            "    nous les utilisons, qui y a accès, combien de temps nous les gardons et vos droits.".to_owned(),
            "    Ouvrez-le avec votre navigateur internet ; il peut être imprimé.".to_owned(),
            String::new(),
            ZIP_JSON.to_owned(),
            "    Toutes vos données dans un format structuré (JSON), pour les transmettre à un autre service".to_owned(),
            format!("    (droit à la portabilité). Format : {}.", self.schema),
            String::new(),
            ZIP_CSV_DIR.to_owned(),
            "    Un fichier par catégorie de données, à ouvrir avec un tableur (séparateur point-virgule,".to_owned(),
            "    encodage UTF-8). Les dates y sont en temps universel (UTC), au format ISO 8601. Une cellule".to_owned(),
            "    qui commence par =, +, -, @ est précédée d'une apostrophe pour qu'un tableur ne l'exécute pas.".to_owned(),
        ];
        for category in &self.categories {
            lines.push(format!(
                "    {}{}.csv : {} ({})",
                ZIP_CSV_DIR,
                category.key,
                category.title_fr,
                count_fr(
                    category.rows.len() as u64,
                    "enregistrement",
                    "enregistrements"
                )
            ));
        }
        lines.push(String::new());
        lines.push(ZIP_README.to_owned());
        lines.push("    Ce fichier.".to_owned());
        lines.push(String::new());
        lines.push(format!(
            "Pour toute question ou pour exercer vos droits : {}",
            self.info.controller.dpo_contact
        ));
        lines.push(format!(
            "Si notre réponse ne vous satisfait pas, vous pouvez saisir la {CNIL_FR}"
        ));
        let mut out = lines.join("\r\n");
        out.push_str("\r\n");
        out
    }

    /// The ZIP handed to the person: [`ZIP_README`], [`ZIP_HTML`],
    /// [`ZIP_JSON`] and `csv/<key>.csv` for every category (header only when
    /// empty), deflated, dated with `generated_at` in Paris time. Runs
    /// [`AccessExport::validate`] first.
    pub fn to_zip(&self) -> Result<Vec<u8>, ExportError> {
        self.validate()?;
        let local = Paris.from_utc_datetime(&self.generated_at);
        let stamp = zip::DateTime::from_date_and_time(
            u16::try_from(local.year()).unwrap_or(1980),
            local.month() as u8,
            local.day() as u8,
            local.hour() as u8,
            local.minute() as u8,
            local.second() as u8,
        )
        .unwrap_or_default();
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .last_modified_time(stamp)
            .unix_permissions(0o644);
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let mut add = |name: &str, content: &str| -> Result<(), ExportError> {
            zip.start_file(name, options)?;
            zip.write_all(content.as_bytes())?;
            Ok(())
        };
        add(ZIP_README, &self.readme_fr())?;
        add(ZIP_HTML, &self.to_html_fr())?;
        add(ZIP_JSON, &self.to_json())?;
        for category in &self.categories {
            add(
                &format!("{ZIP_CSV_DIR}{}.csv", category.key),
                &self.to_csv(category),
            )?;
        }
        Ok(zip.finish()?.into_inner())
    }
}

fn csv_text_cell(text: &str) -> String {
    let guarded = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    };
    format!("\"{}\"", guarded.replace('"', "\"\""))
}

fn csv_cell(value: &Value) -> String {
    match value {
        Value::Null => "\"\"".to_owned(),
        Value::Text(text) => csv_text_cell(text),
        Value::Integer(number) => format!("\"{number}\""),
        Value::Bool(flag) => format!("\"{flag}\""),
        Value::DateTime(at) => format!("\"{}\"", iso_utc(*at)),
    }
}
