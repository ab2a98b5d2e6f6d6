//! Native file dialogs (DC-7) through rfd (GTK on Linux, Win32, Cocoa). The
//! async dialogs hand the work to the toolkit's main loop, which Tauri already
//! runs: the command awaits without blocking the window, and without holding
//! the store. Titles are the window's words, in the user's language.

use crate::error::UiError;
use std::path::PathBuf;

/// Asks where to save `suggested_name`; `None` when the user cancels.
pub async fn save_path(
    title: String,
    suggested_name: String,
    filter: (&'static str, &'static [&'static str]),
) -> Result<Option<PathBuf>, UiError> {
    Ok(rfd::AsyncFileDialog::new()
        .set_title(title)
        .set_file_name(suggested_name)
        .add_filter(filter.0, filter.1)
        .save_file()
        .await
        .map(|handle| handle.path().to_owned()))
}

/// Asks for a file to open; `None` when the user cancels.
pub async fn open_path(
    title: String,
    filter: (&'static str, &'static [&'static str]),
) -> Result<Option<PathBuf>, UiError> {
    Ok(rfd::AsyncFileDialog::new()
        .set_title(title)
        .add_filter(filter.0, filter.1)
        .pick_file()
        .await
        .map(|handle| handle.path().to_owned()))
}
