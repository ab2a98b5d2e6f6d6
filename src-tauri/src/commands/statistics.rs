//! Monthly statistics (issue 16, POL-11, POL-12): the months published and
//! one month's tables as the store reads them through the gate (trainers:
//! their groups' funnels), and a month's cells saved as CSV through the
//! native dialog. What is shown, and what goes into the file, is decided by
//! the store; the store is never locked while the dialog is open.

use crate::commands::exchange::Exported;
use crate::dialogs;
use crate::error::UiError;
use crate::state::Ctx;
use store::statistics::read::{self, Language, MonthTables, Release};

/// The months published, latest first.
pub async fn statistics_months(ctx: &Ctx) -> Result<Vec<Release>, UiError> {
    ctx.read(read::months).await
}

/// One month's tables (`YYYY-MM`).
pub async fn statistics_month(ctx: &Ctx, month: String) -> Result<MonthTables, UiError> {
    ctx.read(move |conn, actor, now| read::month_tables(conn, actor, &month, now))
        .await
}

/// The suggested file name: the month only (it is checked by the store
/// before anything is read; here it only names the file).
fn file_name(month: &str) -> String {
    let safe: String = month
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '-')
        .collect();
    format!("statistiques-{safe}.csv")
}

/// The month's cells saved where the user chooses (`dialog_title` is the
/// window's own words; `language`, `fr` or `en`, the file's headers).
pub async fn statistics_export(
    ctx: &Ctx,
    month: String,
    dialog_title: String,
    language: String,
) -> Result<Exported, UiError> {
    if domain::statistics::Month::parse(&month).is_none() {
        return Err(store::StoreError::InvalidInput("month".into()).into());
    }
    let Some(path) = dialogs::save_path(dialog_title, file_name(&month), ("CSV", &["csv"])).await?
    else {
        return Ok(Exported {
            saved: false,
            rows: 0,
        });
    };
    let language = Language::parse(&language);
    // Read (and audited) once the user has chosen where to save it.
    let csv = ctx
        .read(move |conn, actor, now| read::export(conn, actor, &month, language, now))
        .await?;
    std::fs::write(&path, &csv.bytes).map_err(|e| UiError::io(&e))?;
    Ok(Exported {
        saved: true,
        rows: csv.rows,
    })
}

#[cfg(test)]
mod tests {
    use super::file_name;

    #[test]
    fn the_suggested_file_name_is_the_month() {
        assert_eq!(file_name("2026-11"), "statistiques-2026-11.csv");
        assert_eq!(file_name("../2026-11"), "statistiques-2026-11.csv");
    }
}
