//! Application logs (POL-22): tracing to a daily file in the OS log directory.
//! Log lines carry pseudonymous ids only, never names, e-mails or phones.

use std::path::PathBuf;

/// The default log directory: `<data-local>/fr.moniravique.staff/logs`
/// (`~/.local/share/...` on Linux), overridable for tests.
pub fn default_log_dir() -> PathBuf {
    dirs::data_local_dir()
        .unwrap_or_else(std::env::temp_dir)
        .join(crate::keystore::SERVICE)
        .join("logs")
}

/// Installs the subscriber; keep the guard alive for the process lifetime.
pub fn init(dir: Option<PathBuf>) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    let dir = dir
        .or_else(|| std::env::var_os("MONIRAVIQUE_LOG_DIR").map(PathBuf::from))
        .unwrap_or_else(default_log_dir);
    std::fs::create_dir_all(&dir).ok()?;
    let appender = tracing_appender::rolling::daily(&dir, "desktop.log");
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = tracing_subscriber::EnvFilter::try_from_env("MONIRAVIQUE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .try_init()
        .ok()?;
    // Panics go to the log without their payload, which could quote data.
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        tracing::error!(%location, "panic");
        eprintln!("moniravique: internal error at {location}");
    }));
    Some(guard)
}
