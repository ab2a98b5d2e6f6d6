//! Long work that goes on after its command has answered, so the window stays
//! usable: the page-level residual check of an erasure (POL-25), which reads
//! the whole encrypted file. Each task reports to the window as `task` events
//! (started, done or failed, with what it produced); the store is locked only
//! to prepare the work and to record its result, never while it runs.

use crate::error::UiError;
use crate::state::AppState;
use domain::{Actor, ErrorCode};
use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager};

/// What a task is.
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum TaskKind {
    /// The page-level check of an erasure, added to its certificate.
    DeepCheck,
}

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum TaskState {
    Running,
    Done,
    Failed,
}

/// One `task` event: ids and counts only (POL-22).
#[derive(Clone, Debug, Serialize, ts_rs::TS)]
pub struct TaskEvent {
    pub id: String,
    pub kind: TaskKind,
    pub state: TaskState,
    /// The certificate the task completes (deep check).
    pub certificate_id: Option<String>,
    /// Pages and WAL frames read, and occurrences found (deep check).
    pub pages: u64,
    pub occurrences: u64,
    pub error: Option<UiError>,
}

fn emit(app: &AppHandle, event: &TaskEvent) {
    let _ = app.emit("task", event);
}

/// Runs the deep residual check of `erased` in the background, as `actor`.
/// Returns the task's id; its end arrives as a `task` event.
pub fn deep_check(app: AppHandle, actor: Actor, erased: store::erase::ErasureOutcome) -> String {
    let id = domain::new_id();
    let mut event = TaskEvent {
        id: id.clone(),
        kind: TaskKind::DeepCheck,
        state: TaskState::Running,
        certificate_id: Some(erased.certificate_id.clone()),
        pages: 0,
        occurrences: 0,
        error: None,
    };
    emit(&app, &event);
    std::thread::Builder::new()
        .name("deep-check".into())
        .spawn(move || {
            let state = app.state::<AppState>();
            match run_deep_check(&state, &actor, erased) {
                Ok(report) => {
                    event.state = TaskState::Done;
                    event.pages = u64::from(report.main_pages) + u64::from(report.wal_frames);
                    event.occurrences = report.hits.len() as u64;
                }
                Err(error) => {
                    tracing::warn!(code = %error.code, "deep residual check failed");
                    event.state = TaskState::Failed;
                    event.error = Some(error);
                }
            }
            emit(&app, &event);
        })
        .expect("a thread for the deep check");
    id
}

fn run_deep_check(
    state: &AppState,
    actor: &Actor,
    erased: store::erase::ErasureOutcome,
) -> Result<pagescan::Report, UiError> {
    // The background checkpointer must not rewrite pages while they are read.
    let _paused = state.checkpointer.as_ref().map(|c| c.pause());
    let reader = state.with_store(|store| {
        store.checkpoint()?;
        Ok(store.page_reader())
    })?;
    let reader =
        reader.ok_or_else(|| UiError::new(ErrorCode::Store).noting("no key to read pages with"))?;
    let report = store::erase::deep_check(&reader, &erased.probes)?;
    state.with_store(|store| {
        store::erase::record_deep_check(
            store.connection(),
            actor,
            erased,
            &report,
            chrono::Utc::now(),
        )?;
        Ok(())
    })?;
    Ok(report)
}
