//! Issue 15: spreadsheet import. The office's spreadsheet of the families it
//! already follows (POL-7, POL-35, DC-7): chosen in the native dialog (shown
//! before the store is taken), read by `crates/sheets`, kept in memory here
//! until the wizard closes it (never written anywhere), mapped and checked
//! by `domain::families_import`, previewed as a dry run and imported in one
//! transaction by `store::families_import` and `sync::ops::import_families`.
//! Signing out forgets the file.
//! Long work reports `import-progress` events (rows done, rows in all); the
//! office's mapping is saved on this laptop for next time.

use crate::dialogs;
use crate::error::UiError;
use crate::state::Ctx;
use chrono::Utc;
use domain::families_import::{
    detect_layout, suggest, Column, Layout, SavedMapping, Sheet, Target,
};
use domain::ErrorCode;
use serde::Serialize;
use std::sync::{Arc, Mutex};
use tauri::Emitter;

/// The file the wizard works on: one at a time, for the staff member who
/// opened it.
struct Loaded {
    id: String,
    staff_id: String,
    sheets: Vec<Arc<Sheet>>,
}

static LOADED: Mutex<Option<Loaded>> = Mutex::new(None);

fn loaded() -> std::sync::MutexGuard<'static, Option<Loaded>> {
    LOADED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// One sheet of the opened file.
#[derive(Serialize, ts_rs::TS)]
pub struct SheetSummary {
    pub name: String,
    /// Rows with data under the header.
    pub rows: u32,
    /// Columns whose header names a field.
    pub recognised: u32,
}

/// The opened file.
#[derive(Serialize, ts_rs::TS)]
pub struct FamiliesFile {
    pub file_id: String,
    pub file_name: String,
    /// `xlsx`, `ods`, `xls`, `xlsb` or `csv`.
    pub format: String,
    pub sheets: Vec<SheetSummary>,
    /// The sheet whose header names the most fields.
    pub suggested_sheet: Option<String>,
}

/// One sheet's header, columns and mapping.
#[derive(Serialize, ts_rs::TS)]
pub struct SheetLayout {
    pub sheet: String,
    /// The header's row as the office sees it (1-based).
    pub header_row: u32,
    pub columns: Vec<Column>,
    /// One target per column: saved last time, or suggested by its header.
    pub mapping: Vec<Target>,
    /// Whether a mapping saved on this laptop was used.
    pub saved: bool,
    /// Every target, in the order the window offers them.
    pub targets: Vec<Target>,
    pub data_rows: u32,
}

/// One `import-progress` event: counts only.
#[derive(Clone, Serialize, ts_rs::TS)]
pub struct ImportProgress {
    pub file_id: String,
    /// `preview` or `apply`.
    pub stage: String,
    pub done: u32,
    pub total: u32,
}

/// Emits progress every `step` rows and at the end.
fn progress(ctx: &Ctx, file_id: &str, stage: &str) -> impl FnMut(usize, usize) + Send + 'static {
    let app = ctx.app().clone();
    let (file_id, stage) = (file_id.to_owned(), stage.to_owned());
    let mut last = None;
    move |done, total| {
        let step = (total / 50).max(200);
        if last.is_some_and(|l: usize| done < total && done < l + step) {
            return;
        }
        last = Some(done);
        let _ = app.emit(
            "import-progress",
            ImportProgress {
                file_id: file_id.clone(),
                stage: stage.clone(),
                done: done as u32,
                total: total as u32,
            },
        );
    }
}

fn data_rows(sheet: &Sheet, layout: &Layout) -> usize {
    sheet
        .rows
        .iter()
        .skip(layout.header_row + 1)
        .filter(|row| row.iter().any(|cell| !cell.is_blank()))
        .count()
}

fn recognised(layout: &Layout) -> usize {
    layout
        .recognised
        .iter()
        .filter(|t| **t != Target::Ignore)
        .count()
}

fn sheets_error(error: sheets::SheetsError) -> UiError {
    match error {
        sheets::SheetsError::Unreadable { format } => {
            UiError::new(ErrorCode::ImportFileUnreadable).with("format", format)
        }
        sheets::SheetsError::TooLarge { what, limit } => {
            UiError::new(ErrorCode::ImportFileTooLarge)
                .with("what", what)
                .with("limit", limit)
        }
    }
}

/// The sheet `name` of the opened file `file_id`, if the signed-in staff
/// member opened it.
fn sheet(ctx: &Ctx, file_id: &str, name: &str) -> Result<Arc<Sheet>, UiError> {
    let actor = ctx.state().actor()?;
    let guard = loaded();
    let file = guard
        .as_ref()
        .filter(|f| f.id == file_id && f.staff_id == actor.staff_id.as_str())
        .ok_or_else(|| UiError::new(ErrorCode::ImportFileClosed))?;
    file.sheets
        .iter()
        .find(|s| s.name == name)
        .cloned()
        .ok_or_else(|| UiError::new(ErrorCode::ImportSheetUnknown))
}

fn layout_of(sheet: &Sheet) -> Result<Layout, UiError> {
    detect_layout(sheet)
        .ok_or_else(|| UiError::new(ErrorCode::ImportSheetUnknown).with("empty", true))
}

pub async fn open_families_file(
    ctx: &Ctx,
    dialog_title: String,
) -> Result<Option<FamiliesFile>, UiError> {
    // Whoever may not import is refused (and audited) before the dialog.
    ctx.read(store::families_import::programmes).await?;
    let filter: (&str, &[&str]) = ("XLSX, ODS, CSV", &["xlsx", "ods", "csv", "xls"]);
    let Some(path) = dialogs::open_path(dialog_title, filter).await? else {
        return Ok(None);
    };
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let workbook = tauri::async_runtime::spawn_blocking(move || {
        let size = std::fs::metadata(&path).map_err(|e| UiError::io(&e))?.len();
        if size > sheets::MAX_FILE_BYTES as u64 {
            return Err(sheets_error(sheets::SheetsError::TooLarge {
                what: "bytes",
                limit: sheets::MAX_FILE_BYTES,
            }));
        }
        let bytes = std::fs::read(&path).map_err(|e| UiError::io(&e))?;
        sheets::read(&bytes).map_err(sheets_error)
    })
    .await
    .map_err(|_| UiError::new(ErrorCode::Io))??;
    let actor = ctx.state().actor()?;
    let mut summaries = Vec::new();
    let mut best: Option<(usize, String)> = None;
    for sheet in &workbook.sheets {
        let layout = detect_layout(sheet);
        let named = layout.as_ref().map_or(0, recognised);
        if best.as_ref().is_none_or(|(score, _)| named > *score) {
            best = Some((named, sheet.name.clone()));
        }
        summaries.push(SheetSummary {
            name: sheet.name.clone(),
            rows: layout.as_ref().map_or(0, |l| data_rows(sheet, l)) as u32,
            recognised: named as u32,
        });
    }
    let file_id = domain::new_id();
    tracing::info!(
        file = %file_id,
        format = workbook.format.as_str(),
        sheets = workbook.sheets.len(),
        "families file opened"
    );
    *loaded() = Some(Loaded {
        id: file_id.clone(),
        staff_id: actor.staff_id.as_str().to_owned(),
        sheets: workbook.sheets.into_iter().map(Arc::new).collect(),
    });
    Ok(Some(FamiliesFile {
        file_id,
        file_name,
        format: workbook.format.as_str().to_owned(),
        sheets: summaries,
        suggested_sheet: best.map(|(_, name)| name),
    }))
}

pub async fn families_sheet(
    ctx: &Ctx,
    file_id: String,
    sheet: String,
) -> Result<SheetLayout, UiError> {
    let found = self::sheet(ctx, &file_id, &sheet)?;
    let layout = layout_of(&found)?;
    let saved = ctx
        .with_actor(|store, actor| {
            // Only whoever may import sees a sheet's mapping (refusals audited).
            store::families_import::programmes(store.connection(), actor, Utc::now())?;
            store::families_import::saved_mapping(store.connection()).map_err(Into::into)
        })
        .await?;
    let mapping = suggest(&layout, saved.as_ref());
    let used_saved = saved.as_ref().is_some_and(|saved| {
        layout.columns.iter().any(|c| {
            saved
                .0
                .contains_key(&domain::families_import::normalise(&c.label))
        })
    });
    Ok(SheetLayout {
        sheet,
        header_row: layout.header_row_number(),
        data_rows: data_rows(&found, &layout) as u32,
        columns: layout.columns,
        mapping,
        saved: used_saved,
        targets: Target::ALL.to_vec(),
    })
}

fn checked_mapping(layout: &Layout, mapping: &[Target]) -> Result<(), UiError> {
    if mapping.len() != layout.columns.len() {
        return Err(UiError::new(ErrorCode::InvalidInput).noting("one target per column"));
    }
    Ok(())
}

pub async fn preview_families_import(
    ctx: &Ctx,
    file_id: String,
    sheet: String,
    mapping: Vec<Target>,
) -> Result<store::families_import::ImportPreview, UiError> {
    let found = self::sheet(ctx, &file_id, &sheet)?;
    let layout = layout_of(&found)?;
    checked_mapping(&layout, &mapping)?;
    let mut report = progress(ctx, &file_id, "preview");
    ctx.with_actor(move |store, actor| {
        let rows = data_rows(&found, &layout);
        let preview = store::families_import::preview(
            store.connection(),
            actor,
            &found,
            &layout,
            &mapping,
            Utc::now(),
            &mut |done| report(done, rows),
        )?;
        store::families_import::save_mapping(
            store.connection(),
            SavedMapping::of(&layout, &mapping),
        )?;
        Ok(preview)
    })
    .await
}

pub async fn apply_families_import(
    ctx: &Ctx,
    file_id: String,
    sheet: String,
    mapping: Vec<Target>,
) -> Result<store::families_import::ImportCounts, UiError> {
    let found = self::sheet(ctx, &file_id, &sheet)?;
    let layout = layout_of(&found)?;
    checked_mapping(&layout, &mapping)?;
    let mut report = progress(ctx, &file_id, "apply");
    let counts = ctx
        .with_actor(move |store, actor| {
            let now = Utc::now();
            let rows = store::families_import::clean_rows(
                store.connection(),
                actor,
                &found,
                &layout,
                &mapping,
                now,
            )?;
            let done = sync::ops::import_families(store, actor, rows, now, &mut report)?;
            store::families_import::save_mapping(
                store.connection(),
                SavedMapping::of(&layout, &mapping),
            )?;
            Ok(done.counts)
        })
        .await?;
    tracing::info!(
        file = %file_id,
        rows = counts.rows,
        new_people = counts.new_people,
        known_people = counts.known_people,
        requests = counts.requests_added,
        "families imported"
    );
    Ok(counts)
}

/// Forgets the opened file, whoever opened it (sign-out).
pub fn forget() {
    *loaded() = None;
}

pub async fn close_families_file(ctx: &Ctx, file_id: String) -> Result<(), UiError> {
    let _ = ctx;
    let mut guard = loaded();
    if guard.as_ref().is_some_and(|f| f.id == file_id) {
        *guard = None;
    }
    Ok(())
}
