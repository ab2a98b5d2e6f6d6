//! The desktop package as a user gets it (issue 14): the `.deb` built by
//! `scripts/package.sh`, installed with `dpkg -i`, then the INSTALLED binary
//! started the way the menu entry starts it, with no flags.
//!
//! The installed app is connected the way a trainer connects it: an
//! enrolment code made by the real server's command, typed with the
//! password on the first-run screen; the first sync brings the workspace.
//!
//! Run by the README's test command after it installed the package
//! (`MONIRAVIQUE_E2E=1 MONIRAVIQUE_INSTALLED=1`, under Xvfb and
//! `scripts/with-keyring.sh`); it removes the package afterwards. Without a
//! flag the app keeps its store in `$XDG_DATA_HOME/fr.moniravique.staff`
//! (`src-tauri/src/cli.rs::default_data_dir`), and the test command points
//! `XDG_DATA_HOME` at a throwaway directory, where the keyring lives too.

use anyhow::{bail, ensure, Context, Result};
use e2e::{installed, Window};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The Debian package of the desktop app (tauri.conf.json: `productName`).
const PACKAGE: &str = "moniravique";
/// Where the package puts the app (the cargo binary's name, kept by the bundler).
const BINARY: &str = "/usr/bin/moniravique-desktop";
/// The menu entry, from `packaging/desktop/moniravique.desktop.hbs`.
const DESKTOP_FILE: &str = "/usr/share/applications/moniravique.desktop";
/// The identifier under which the app keeps its data (and its keyring entries).
const APP_ID: &str = "fr.moniravique.staff";

/// "Connect this laptop": the first-run screen that asks for the enrolment
/// code given by the office, shown when the laptop has no server yet.
const CONNECT: &str = "#connect-screen";
/// The demo account the office's code is for.
const TRAINER: (&str, &str) = ("formatrice.a", "demo-formatrice-a");

fn dpkg_query(format: &str) -> Result<String> {
    let output = Command::new("dpkg-query")
        .args(["-W", &format!("-f={format}"), PACKAGE])
        .output()
        .context("running dpkg-query")?;
    ensure!(
        output.status.success(),
        "dpkg-query does not know {PACKAGE}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// The throwaway data home set by the test command (never the user's own).
fn data_home() -> Result<PathBuf> {
    let Some(home) = std::env::var_os("XDG_DATA_HOME").map(PathBuf::from) else {
        bail!("XDG_DATA_HOME is not set: run through scripts/with-keyring.sh");
    };
    let throwaway = std::env::var_os("MONIRAVIQUE_KEYRING_HOME").map(PathBuf::from);
    ensure!(
        throwaway.as_deref() == Some(home.as_path()),
        "XDG_DATA_HOME ({}) is not the run's throwaway directory (MONIRAVIQUE_KEYRING_HOME): \
         the installed app would write into a real home",
        home.display()
    );
    Ok(home)
}

#[test]
fn the_package_installs_the_app_its_menu_entry_in_french_and_english_and_its_icon() -> Result<()> {
    if !installed("the installed package test") {
        return Ok(());
    }
    let status = dpkg_query("${Status}")?;
    ensure!(
        status == "install ok installed",
        "dpkg says {PACKAGE} is {status:?}"
    );
    let depends = dpkg_query("${Depends}")?;
    for needed in ["libwebkit2gtk-4.1-0", "libgtk-3-0"] {
        ensure!(
            depends.contains(needed),
            "{PACKAGE} depends on {needed}: {depends}"
        );
    }
    ensure!(
        dpkg_query("${Recommends}")?.contains("gnome-keyring"),
        "{PACKAGE} recommends a Secret Service (gnome-keyring)"
    );
    let listed = Command::new("dpkg")
        .args(["-L", PACKAGE])
        .output()
        .context("listing the package's files")?;
    ensure!(listed.status.success(), "dpkg -L {PACKAGE} failed");
    let files = String::from_utf8_lossy(&listed.stdout).into_owned();
    for path in [BINARY, DESKTOP_FILE] {
        ensure!(
            files.lines().any(|line| line == path),
            "{PACKAGE} installs {path}"
        );
    }
    ensure!(Path::new(BINARY).is_file(), "{BINARY} is installed");

    let entry = std::fs::read_to_string(DESKTOP_FILE).context("reading the menu entry")?;
    let lines: Vec<&str> = entry.lines().collect();
    for line in [
        "[Desktop Entry]",
        "Type=Application",
        "Name=moniravique — espace équipe",
        "Name[en]=moniravique — staff desktop",
        "Exec=moniravique-desktop",
        "Icon=moniravique-desktop",
        "Categories=Office;",
    ] {
        ensure!(
            lines.contains(&line),
            "{DESKTOP_FILE} has {line:?}:\n{entry}"
        );
    }
    for key in ["Comment=", "Comment[fr]=", "Comment[en]="] {
        ensure!(
            lines
                .iter()
                .any(|l| l.starts_with(key) && l.len() > key.len()),
            "{DESKTOP_FILE} has a {key} line:\n{entry}"
        );
    }

    // The icon the entry names, in the hicolor theme, as real PNGs.
    let icons: Vec<&str> = files
        .lines()
        .filter(|line| {
            line.starts_with("/usr/share/icons/hicolor/")
                && line.ends_with("/apps/moniravique-desktop.png")
        })
        .collect();
    ensure!(
        icons.iter().any(|icon| icon.contains("/128x128/")),
        "a 128x128 icon is installed: {icons:?}"
    );
    for icon in icons {
        let bytes = std::fs::read(icon).with_context(|| format!("reading {icon}"))?;
        ensure!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "{icon} is a PNG");
    }
    Ok(())
}

#[test]
fn the_installed_app_connects_with_an_enrolment_code_and_shows_the_workspace() -> Result<()> {
    if !installed("the installed app test") {
        return Ok(());
    }
    let store_dir = data_home()?.join(APP_ID);
    // The real server on loopback, and a code made by its own command.
    let server = server::testing::TestServer::start(true);
    let cert = server.cert_pem_path.display().to_string();
    let made = server.admin(
        &[
            "enrolment-code",
            "--username",
            TRAINER.0,
            "--server-url",
            &server.url,
            "--cert",
            &cert,
        ],
        "",
    );
    ensure!(
        made.status.success(),
        "the server makes a code: {}",
        String::from_utf8_lossy(&made.stderr)
    );
    let code = String::from_utf8_lossy(&made.stdout).trim().to_owned();

    // Exactly what the menu entry runs: the binary, no arguments. A fresh
    // laptop opens on "Connect this laptop".
    let (window, _) = Window::launch_binary(Path::new(BINARY), Vec::new())?;
    window.wait_visible(CONNECT)?;
    window.screenshot("installed-01-connect-this-laptop")?;
    window.type_into("#connect-code", &code)?;
    window.type_into("#connect-password", TRAINER.1)?;
    window.click("#connect-submit")?;
    // Signed in, and the first sync brought the trainer's sessions.
    window.wait_visible("#workspace")?;
    window.wait_visible("#sessions tbody tr[data-id]")?;
    window.screenshot("installed-02-workspace-after-first-sync")?;
    window.close()?;

    // With no --data-dir, the store and the logs went to the OS data
    // directory, here the run's throwaway one.
    ensure!(
        store_dir.join("moniravique.db").is_file(),
        "the installed app keeps its store in {}",
        store_dir.display()
    );
    ensure!(
        store_dir.join("logs").is_dir(),
        "the installed app logs under {}",
        store_dir.display()
    );
    // The server registered this laptop to the trainer, once.
    let devices = server.admin(&["list-devices"], "");
    let listed = String::from_utf8_lossy(&devices.stdout).into_owned();
    ensure!(
        listed.lines().filter(|l| l.contains(TRAINER.0)).count() == 1,
        "one laptop of {} on the server: {listed}",
        TRAINER.0
    );
    Ok(())
}
