//! The documents of the DPO's answer to an access or portability request
//! (POL-23, POL-27, POL-28) and the erasure certificate (POL-25, POL-31), plus
//! the redaction of forum posts kept after an erasure (POL-25b).
//!
//! The store collects everything held about a person, table by table, as
//! [`Category`] values (column names and typed rows) and hands them here with
//! the GDPR art. 15 information ([`Art15Info`], from the DPO's registers or
//! [`default_art15_info`]). This module only builds documents in memory: a
//! versioned JSON file, one CSV per category, a readable French summary (HTML)
//! and a ZIP holding them all. No I/O, no clock: the time is passed in.
//!
//! The module is cut along the documents:
//!
//! - `model`: what is held about the person ([`Value`], [`Category`]) and the
//!   [`AccessExport`] itself, with its checks;
//! - `json`, `archive`, `summary`: the renderers of the export (the JSON
//!   document, the CSV files, the README and the ZIP, the French HTML summary
//!   from `templates/access_summary.html`);
//! - `art15`: the GDPR art. 15 information, its fixed French texts and the
//!   French column labels;
//! - `certificate`: the erasure certificate (its HTML from
//!   `templates/erasure_certificate.html`);
//! - `anonymise`: the redaction of forum posts;
//! - `format`: date and count formatting.
//!
//! The HTML templates escape every value with `crate::html::Escape` (see
//! `askama.toml`); only fixed French texts (those of `art15`, the erasure
//! reasons, [`REDACTED`], the controller's name) are written as they are, and
//! the unit test below checks that they hold no markup.

mod anonymise;
mod archive;
mod art15;
mod certificate;
mod format;
mod json;
mod model;
mod summary;

pub use anonymise::{anonymise_text, REDACTED};
pub use archive::{ZIP_CSV_DIR, ZIP_HTML, ZIP_JSON, ZIP_README};
pub use art15::{
    column_label_fr, default_art15_info, Art15Info, Controller, LegalBasis, Purpose, Recipient,
    ANSWER_DELAY_FR, CNIL_FR, COUNTRY_TO_CONFIRM, RIGHTS_FR,
};
pub use certificate::{
    ErasureCertificate, ErasureReason, KeptRecord, ResidualCheck, CERTIFICATE_SCHEMA_VERSION,
};
pub use model::{AccessExport, Category, ExportError, Value, EXPORT_SCHEMA_VERSION};

#[cfg(test)]
mod tests {
    use super::art15::{AUTOMATED_DECISIONS_FR, EXPIRY_FR, NEVER_SOLD_FR};
    use super::certificate::CONTROLLER_NAME;
    use super::*;

    /// The fixed French texts go into the HTML unescaped: they must hold no markup.
    #[test]
    fn pol_28_fixed_texts_need_no_escaping() {
        let mut texts = vec![
            CNIL_FR,
            ANSWER_DELAY_FR,
            AUTOMATED_DECISIONS_FR,
            NEVER_SOLD_FR,
            EXPIRY_FR,
            REDACTED,
            CONTROLLER_NAME,
        ];
        for (right, text) in RIGHTS_FR {
            texts.push(right);
            texts.push(text);
        }
        for reason in [
            ErasureReason::Request,
            ErasureReason::MinorDiscovered,
            ErasureReason::Retention,
        ] {
            texts.push(reason.label_fr());
        }
        for text in texts {
            assert!(!text.contains(['<', '>', '&', '"']), "{text}");
        }
    }
}
