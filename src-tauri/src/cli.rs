//! Command-line entry of the desktop binary: seed demo or synthetic data and
//! check the store without opening a window.

use crate::state::Opened;
use std::path::PathBuf;
use std::process::ExitCode;

pub const USAGE: &str = "usage: moniravique-desktop [--data-dir DIR] [--log-dir DIR] [--seed-demo | --seed-large [N] | --check]

  --data-dir DIR     where the encrypted store lives (default: the OS data directory)
  --log-dir DIR      where logs go (default: the OS log directory)
  --seed-demo        create the fictional demo dataset, then exit (no window)
  --seed-large [N]   create a synthetic dataset of N participants (default 100000,
                     10 attendance rows each), then exit
  --check            open the store, verify the audit chain, print counts, exit
  --server URL       sync with the central server at URL (https://...)
  --server-cert PEM  the server's certificate, the only one this laptop trusts
  --demo-laptop      mark an empty store as a demo laptop (lists the demo accounts;
                     its data comes from a demo server)
  --offer-code FILE  prefill the Connect-this-laptop screen with the enrolment
                     code in FILE (the demo's); the person still gives the password
  --offer-account U  on a demo laptop, name the demo account the offered code is for
  --help             this text

With none of --seed-demo, --seed-large, --check the window opens.";

#[derive(Debug, Default, Clone)]
pub struct Args {
    pub data_dir: PathBuf,
    pub log_dir: Option<PathBuf>,
    pub seed_demo: bool,
    pub seed_large: Option<usize>,
    pub check: bool,
    pub help: bool,
    pub server: Option<String>,
    pub server_cert: Option<PathBuf>,
    pub demo_laptop: bool,
    pub offer_code: Option<PathBuf>,
    pub offer_account: Option<String>,
}

impl Args {
    pub fn headless(&self) -> bool {
        self.seed_demo || self.seed_large.is_some() || self.check
    }
}

pub fn default_data_dir() -> PathBuf {
    dirs::data_local_dir()
        .unwrap_or_else(std::env::temp_dir)
        .join(crate::keystore::SERVICE)
}

pub fn parse(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut parsed = Args {
        data_dir: default_data_dir(),
        ..Args::default()
    };
    let mut pending: Option<String> = None;
    while let Some(arg) = pending.take().or_else(|| args.next()) {
        match arg.as_str() {
            "--data-dir" => {
                parsed.data_dir = args.next().ok_or("--data-dir needs a directory")?.into()
            }
            "--log-dir" => {
                parsed.log_dir = Some(args.next().ok_or("--log-dir needs a directory")?.into())
            }
            "--seed-demo" => parsed.seed_demo = true,
            "--seed-large" => {
                let next = args.next();
                match next.as_deref().map(str::parse::<usize>) {
                    Some(Ok(n)) if n > 0 => parsed.seed_large = Some(n),
                    Some(Ok(_)) => return Err("--seed-large needs a positive size".into()),
                    Some(Err(_)) => {
                        parsed.seed_large = Some(100_000);
                        pending = next;
                    }
                    None => parsed.seed_large = Some(100_000),
                }
            }
            "--check" => parsed.check = true,
            "--server" => {
                parsed.server = Some(args.next().ok_or("--server needs an https:// address")?)
            }
            "--demo-laptop" => parsed.demo_laptop = true,
            "--offer-account" => {
                parsed.offer_account = Some(args.next().ok_or("--offer-account needs a user name")?)
            }
            "--offer-code" => {
                parsed.offer_code = Some(args.next().ok_or("--offer-code needs a file")?.into())
            }
            "--server-cert" => {
                parsed.server_cert =
                    Some(args.next().ok_or("--server-cert needs a PEM file")?.into())
            }
            // WebKitWebDriver (end-to-end tests) launches the app with this flag.
            "--automation" => {}
            "--help" | "-h" => parsed.help = true,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if parsed.server.is_some() != parsed.server_cert.is_some() {
        return Err("--server and --server-cert go together".into());
    }
    if parsed.seed_demo && parsed.seed_large.is_some() {
        return Err("choose one of --seed-demo and --seed-large".into());
    }
    Ok(parsed)
}

/// Seeds or checks, printing results and clear errors; exit code 1 on failure.
pub fn run_headless(args: &Args, opened: Opened) -> ExitCode {
    let mut store = match opened {
        Opened::Ready(store) => store,
        Opened::Failed { code, note } => {
            eprintln!("moniravique: cannot open the store [{code}]: {note}");
            return ExitCode::FAILURE;
        }
    };
    let now = chrono::Utc::now();
    if args.seed_demo || args.seed_large.is_some() {
        let empty = store::seed::is_empty(&mut store).unwrap_or(false);
        if !empty {
            eprintln!(
                "moniravique: the store at {} already holds data; seed an empty directory",
                args.data_dir.display()
            );
            return ExitCode::FAILURE;
        }
    }
    if args.seed_demo {
        match store::seed::seed_demo(&mut store, now) {
            Ok(summary) => {
                tracing::info!(participants = summary.participants, "demo data seeded");
                println!(
                    "demo data created in {}: {} participants, {} groups, {} staff accounts",
                    args.data_dir.display(),
                    summary.participants,
                    summary.groups,
                    store::seed::DEMO_ACCOUNTS.len()
                );
            }
            Err(error) => {
                eprintln!("moniravique: seeding failed: {error}");
                return ExitCode::FAILURE;
            }
        }
    }
    if let Some(size) = args.seed_large {
        let started = std::time::Instant::now();
        let sizes = store::seed::LargeSize {
            participants: size,
            ..Default::default()
        };
        if let Err(error) = store::seed::seed_large(&mut store, sizes, now) {
            eprintln!("moniravique: seeding failed: {error}");
            return ExitCode::FAILURE;
        }
        println!(
            "synthetic data created in {}: {} participants, {} attendance rows, in {:.1} s",
            args.data_dir.display(),
            size,
            size * sizes.attendance_per_participant,
            started.elapsed().as_secs_f64()
        );
    }
    if args.check {
        match store::audit::verify_unchecked(store.connection()) {
            Ok(result) if result.ok => {
                println!(
                    "store opened; audit chain verified: {} entries",
                    result.checked
                )
            }
            Ok(result) => {
                println!(
                    "store opened; audit chain BROKEN at entry {}: {}",
                    result.first_broken.unwrap_or_default(),
                    result.reason.unwrap_or_default()
                );
                return ExitCode::FAILURE;
            }
            Err(error) => {
                eprintln!("moniravique: {error}");
                return ExitCode::FAILURE;
            }
        }
    }
    if let Err(error) = store.checkpoint() {
        eprintln!("moniravique: {error}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_words(words: &[&str]) -> Result<Args, String> {
        parse(words.iter().map(|w| w.to_string()))
    }

    #[test]
    fn seed_large_takes_an_optional_size() {
        assert_eq!(
            parse_words(&["--seed-large"]).unwrap().seed_large,
            Some(100_000)
        );
        assert_eq!(
            parse_words(&["--seed-large", "500"]).unwrap().seed_large,
            Some(500)
        );
        let args = parse_words(&["--seed-large", "--data-dir", "/tmp/x"]).unwrap();
        assert_eq!(args.seed_large, Some(100_000));
        assert_eq!(args.data_dir, PathBuf::from("/tmp/x"));
    }

    #[test]
    fn unknown_arguments_are_refused() {
        assert!(parse_words(&["--wipe"]).is_err());
        assert!(parse_words(&["--seed-demo", "--seed-large"]).is_err());
    }
}
