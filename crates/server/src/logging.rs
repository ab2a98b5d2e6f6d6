//! The server's log lines (issue 14): one event per line on stderr, no ANSI
//! colours, the level first. Under systemd (`JOURNAL_STREAM` names stderr)
//! each line starts with the `<N>` syslog priority that journald reads
//! (sd-daemon(3)) and carries no timestamp (the journal stamps it);
//! elsewhere it starts with the level word and a UTC timestamp. Fields hold
//! ids and codes only (POL-22); a line break inside a value is written `\n`
//! so that one event never spans two lines.

use tracing::{Event, Level, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

/// Environment variable systemd sets to `DEVICE:INODE` of the journal stream.
pub const JOURNAL_STREAM_ENV: &str = "JOURNAL_STREAM";
/// Environment variable of the log filter (default `info`).
pub const FILTER_ENV: &str = "MONIRAVIQUE_LOG";

/// How lines start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// `<6>target: message fields` (journald).
    Journal,
    /// `INFO 2025-01-31T12:00:00.000Z target: message fields`.
    Plain,
}

/// The sd-daemon priority of a level: error 3, warning 4, info 6, debug and
/// trace 7.
pub fn priority(level: Level) -> u8 {
    match level {
        Level::ERROR => 3,
        Level::WARN => 4,
        Level::INFO => 6,
        Level::DEBUG | Level::TRACE => 7,
    }
}

/// One log line, without its line ending; `fields` is the formatted message
/// and fields of the event.
pub fn line(style: Style, level: Level, timestamp: &str, target: &str, fields: &str) -> String {
    let fields = fields.replace('\r', "\\r").replace('\n', "\\n");
    match style {
        Style::Journal => format!("<{}>{target}: {fields}", priority(level)),
        Style::Plain => format!("{:<5} {timestamp} {target}: {fields}", level.as_str()),
    }
}

/// The style for this process: [`Style::Journal`] when `JOURNAL_STREAM`
/// names the file stderr is (sd-daemon's rule), else [`Style::Plain`].
pub fn detect() -> Style {
    let Some(stream) = std::env::var_os(JOURNAL_STREAM_ENV) else {
        return Style::Plain;
    };
    let stream = stream.to_string_lossy().into_owned();
    match std::fs::metadata("/proc/self/fd/2") {
        Ok(stderr) if journal_matches(&stream, &stderr) => Style::Journal,
        _ => Style::Plain,
    }
}

fn journal_matches(stream: &str, stderr: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    let Some((dev, ino)) = stream.split_once(':') else {
        return false;
    };
    dev.parse::<u64>().ok() == Some(stderr.dev()) && ino.parse::<u64>().ok() == Some(stderr.ino())
}

/// The event formatter of [`init`].
pub struct LineFormat(pub Style);

impl<S, N> FormatEvent<S, N> for LineFormat
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> std::fmt::Result {
        let mut fields = String::new();
        ctx.field_format()
            .format_fields(Writer::new(&mut fields), event)?;
        let metadata = event.metadata();
        let timestamp = match self.0 {
            Style::Journal => String::new(),
            Style::Plain => chrono::Utc::now()
                .format("%Y-%m-%dT%H:%M:%S%.3fZ")
                .to_string(),
        };
        let mut text = line(
            self.0,
            *metadata.level(),
            &timestamp,
            metadata.target(),
            &fields,
        );
        text.push('\n');
        writer.write_str(&text)
    }
}

/// Logs to stderr, filtered by [`FILTER_ENV`] (default `info`), in the
/// style of [`detect`]. Once per process.
pub fn init() {
    let filter = tracing_subscriber::EnvFilter::try_from_env(FILTER_ENV)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .event_format(LineFormat(detect()))
        .init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn journal_lines_start_with_the_syslog_priority() {
        let text = line(
            Style::Journal,
            Level::WARN,
            "",
            "server::api",
            "mail round failed code=\"connection\"",
        );
        assert_eq!(
            text,
            "<4>server::api: mail round failed code=\"connection\""
        );
        assert!(line(Style::Journal, Level::ERROR, "", "t", "x").starts_with("<3>"));
        assert!(line(Style::Journal, Level::INFO, "", "t", "x").starts_with("<6>"));
        assert!(line(Style::Journal, Level::DEBUG, "", "t", "x").starts_with("<7>"));
    }

    #[test]
    fn plain_lines_start_with_the_level_word_and_carry_no_colour() {
        let text = line(
            Style::Plain,
            Level::INFO,
            "2025-01-31T12:00:00.000Z",
            "server",
            "listening addr=127.0.0.1:8443",
        );
        assert_eq!(
            text,
            "INFO  2025-01-31T12:00:00.000Z server: listening addr=127.0.0.1:8443"
        );
        assert!(!text.contains('\u{1b}'));
        assert!(line(Style::Plain, Level::ERROR, "t", "s", "x").starts_with("ERROR "));
    }

    #[test]
    fn one_event_is_one_line_even_with_a_line_break_in_a_value() {
        for style in [Style::Journal, Style::Plain] {
            let text = line(
                style,
                Level::ERROR,
                "t",
                "s",
                "store error detail=a\nb\r\nc",
            );
            assert!(!text.contains('\n') && !text.contains('\r'), "{text}");
            assert!(text.ends_with("a\\nb\\r\\nc"), "{text}");
        }
    }

    #[test]
    fn the_journal_is_used_only_when_journal_stream_names_stderr() {
        let file = tempfile::NamedTempFile::new().unwrap();
        let metadata = file.as_file().metadata().unwrap();
        use std::os::unix::fs::MetadataExt;
        let right = format!("{}:{}", metadata.dev(), metadata.ino());
        assert!(journal_matches(&right, &metadata));
        let wrong = format!("{}:{}", metadata.dev(), metadata.ino() + 1);
        assert!(!journal_matches(&wrong, &metadata));
        assert!(!journal_matches("garbage", &metadata));
    }
}
