//! The structured document of an access export (POL-27): `donnees.json`.

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

use super::art15::{Art15Info, ANSWER_DELAY_FR, AUTOMATED_DECISIONS_FR, CNIL_FR, RIGHTS_FR};
use super::format::iso_utc;
use super::model::{AccessExport, Category, Value};

impl AccessExport {
    /// The structured document (POL-27), pretty-printed:
    ///
    /// ```text
    /// { "schema": "moniravique.access-export/1",
    ///   "generated_at": "2026-11-25T13:30:00Z",
    ///   "request_ref": "...",
    ///   "subject": { "ref": "..." },
    ///   "categories": { "attendance": [ { "joined_at": "...Z", ... }, ... ], ... },
    ///   "category_info": { "attendance": { "title_fr", "title_en", "columns", "count" }, ... },
    ///   "information": { "controller", "purposes", "processors", "internal_recipients_fr",
    ///                    "source_fr", "rights_fr", "answer_delay_fr", "automated_decisions_fr",
    ///                    "complaint_authority_fr" } }
    /// ```
    ///
    /// Row objects keep the column order; a category without rows is `[]` and
    /// its columns are still listed in `category_info`.
    pub fn to_json(&self) -> String {
        let document = JsonExport { export: self };
        serde_json::to_string_pretty(&document).expect("an export always serialises")
    }
}

struct JsonExport<'a> {
    export: &'a AccessExport,
}

impl Serialize for JsonExport<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let export = self.export;
        let mut map = serializer.serialize_map(Some(7))?;
        map.serialize_entry("schema", export.schema)?;
        map.serialize_entry("generated_at", &iso_utc(export.generated_at))?;
        map.serialize_entry("request_ref", &export.request_ref)?;
        map.serialize_entry(
            "subject",
            &SubjectJson {
                r#ref: &export.subject_ref,
            },
        )?;
        map.serialize_entry("categories", &CategoriesJson(&export.categories))?;
        map.serialize_entry("category_info", &CategoryInfoJson(&export.categories))?;
        map.serialize_entry(
            "information",
            &InformationJson {
                info: &export.info,
                fixed: Art15Fixed,
            },
        )?;
        map.end()
    }
}

#[derive(Serialize)]
struct SubjectJson<'a> {
    r#ref: &'a str,
}

struct CategoriesJson<'a>(&'a [Category]);

impl Serialize for CategoriesJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for category in self.0 {
            map.serialize_entry(&category.key, &RowsJson(category))?;
        }
        map.end()
    }
}

struct RowsJson<'a>(&'a Category);

impl Serialize for RowsJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let category = self.0;
        let mut seq = serializer.serialize_seq(Some(category.rows.len()))?;
        for row in &category.rows {
            seq.serialize_element(&RowJson { category, row })?;
        }
        seq.end()
    }
}

struct RowJson<'a> {
    category: &'a Category,
    row: &'a [Value],
}

impl Serialize for RowJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let width = self.category.columns.len().max(self.row.len());
        let mut map = serializer.serialize_map(Some(width))?;
        for index in 0..width {
            map.serialize_entry(
                &self.category.column_name(index),
                self.row.get(index).unwrap_or(&Value::Null),
            )?;
        }
        map.end()
    }
}

struct CategoryInfoJson<'a>(&'a [Category]);

impl Serialize for CategoryInfoJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct One<'a> {
            title_fr: &'a str,
            title_en: &'a str,
            columns: &'a [String],
            count: usize,
        }
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for category in self.0 {
            map.serialize_entry(
                &category.key,
                &One {
                    title_fr: &category.title_fr,
                    title_en: &category.title_en,
                    columns: &category.columns,
                    count: category.rows.len(),
                },
            )?;
        }
        map.end()
    }
}

/// The art. 15 information of the JSON: the DPO's registers plus the fixed
/// texts (rights, deadline, automated decisions, CNIL).
#[derive(Serialize)]
struct InformationJson<'a> {
    #[serde(flatten)]
    info: &'a Art15Info,
    #[serde(flatten)]
    fixed: Art15Fixed,
}

struct RightsJson;

impl Serialize for RightsJson {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(RIGHTS_FR.len()))?;
        for (right, text) in RIGHTS_FR {
            seq.serialize_element(&serde_json::json!({ "right": right, "text": text }))?;
        }
        seq.end()
    }
}

struct Art15Fixed;

impl Serialize for Art15Fixed {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(4))?;
        map.serialize_entry("rights_fr", &RightsJson)?;
        map.serialize_entry("answer_delay_fr", ANSWER_DELAY_FR)?;
        map.serialize_entry("automated_decisions_fr", AUTOMATED_DECISIONS_FR)?;
        map.serialize_entry("complaint_authority_fr", CNIL_FR)?;
        map.end()
    }
}
