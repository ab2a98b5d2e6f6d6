#!/usr/bin/env bash
# Builds the Linux installers into target/packages/ (issue 14):
#   moniravique_VERSION_ARCH.deb          the desktop app (cargo tauri build, tauri-cli 2.12.4)
#   moniravique_VERSION_ARCH.AppImage     the desktop app, when linuxdeploy can be fetched from GitHub
#   moniravique-server_VERSION_ARCH.deb   the central server (dpkg-deb from a staging directory)
#
# Usage: scripts/package.sh [--debug] [--desktop-only | --server-only] [--no-appimage]
#   --debug         the desktop app in the dev profile (faster; what the test command installs)
#   --desktop-only  no server package;  --server-only  no desktop package
#   --no-appimage   do not try the AppImage
# Environment:
#   MONIRAVIQUE_SERVER_DIST  the directory holding moniravique-server.service and
#                            server.toml (default crates/server/dist)
#   MONIRAVIQUE_MAINTAINER   the server package's Maintainer field
# Windows and macOS installers are built on those systems: see README.md, "Install".
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
root="$PWD"

tauri_cli_version=2.12.4
profile=release
desktop=1
server=1
appimage=1
for arg in "$@"; do
  case "$arg" in
    --debug) profile=debug ;;
    --desktop-only) server=0 ;;
    --server-only) desktop=0 ;;
    --no-appimage) appimage=0 ;;
    -h | --help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "package.sh: unknown argument $arg (see --help)" >&2; exit 2 ;;
  esac
done

version="$(sed -n 's/^  "version": "\([^"]*\)",$/\1/p' tauri.conf.json)"
server_version="$(sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\([^"]*\)"$/\1/p' Cargo.toml)"
arch="$(dpkg --print-architecture)"
target_dir="$root/target"
out="$target_dir/packages"
mkdir -p "$out"
say() { echo "package.sh: $*"; }

# What is missing to build (system packages, Rust, and for the desktop
# packages tauri-cli 2.12.4).
if [ "$desktop" = 1 ]; then scripts/setup.sh package; else scripts/setup.sh run; fi

build_desktop() {
  local installed
  installed="$(cargo tauri --version 2>/dev/null || true)"
  if [ "$installed" != "tauri-cli $tauri_cli_version" ]; then
    echo "package.sh: needs tauri-cli $tauri_cli_version (found: ${installed:-none}); run scripts/setup.sh test" >&2
    exit 1
  fi
  case "$root" in *'"'* | *'\'*)
    echo "package.sh: the repository path $root holds a quote or a backslash" >&2; exit 1 ;;
  esac
  # tauri-cli takes its project directory from the directory holding both
  # tauri.conf.json and the app's Cargo.toml; ours live apart (the
  # configuration at the root, read by src-tauri/build.rs and
  # generate_context!). A copy of the configuration next to src-tauri's
  # Cargo.toml, for this run only, and the paths made absolute (the CLI
  # reads them from src-tauri/, the app's build from the root: both agree).
  local conf_copy="$root/src-tauri/tauri.conf.json"
  cp tauri.conf.json "$conf_copy"
  trap 'rm -f "$root/src-tauri/tauri.conf.json"' EXIT
  local paths
  paths="$(printf '{"build":{"frontendDist":"%s/ui"},"bundle":{"icon":["%s/icons/32x32.png","%s/icons/128x128.png","%s/icons/128x128@2x.png","%s/icons/icon.png"],"linux":{"deb":{"desktopTemplate":"%s/packaging/desktop/moniravique.desktop.hbs","files":{"/usr/share/doc/moniravique/copyright":"%s/packaging/copyright"}}}}}' \
    "$root" "$root" "$root" "$root" "$root" "$root" "$root")"
  local flags=(--ci --config "$paths")
  if [ "$profile" = debug ]; then flags+=(--debug); fi
  local bundle_dir="$target_dir/$profile/bundle"

  say "desktop .deb ($profile): cargo tauri build --bundles deb"
  rm -rf "$bundle_dir/deb"
  TAURI_APP_PATH="$root/src-tauri" cargo tauri build "${flags[@]}" --bundles deb
  local deb="$out/moniravique_${version}_${arch}.deb"
  cp "$bundle_dir/deb/moniravique_${version}_${arch}.deb" "$deb"
  say "built $deb"

  if [ "$appimage" = 1 ]; then
    say "desktop AppImage ($profile): cargo tauri bundle --bundles appimage"
    local log="$out/appimage.log"
    rm -rf "$bundle_dir/appimage"
    if TAURI_APP_PATH="$root/src-tauri" timeout 600 \
      cargo tauri bundle "${flags[@]}" --bundles appimage >"$log" 2>&1; then
      local image
      image="$(find "$bundle_dir/appimage" -maxdepth 1 -name '*.AppImage' | head -n 1)"
      cp "$image" "$out/moniravique_${version}_${arch}.AppImage"
      say "built $out/moniravique_${version}_${arch}.AppImage"
    else
      echo
      echo "package.sh: NO AppImage: Tauri's AppImage bundler downloads linuxdeploy and its"
      echo "  plugins from GitHub, which this machine cannot reach. The .deb is built; run"
      echo "  scripts/package.sh on a machine with network access to GitHub for the AppImage."
      echo "  The bundler said (full log: $log):"
      grep -iE 'error|failed' "$log" | tail -n 5 | sed 's/^/    /' || tail -n 5 "$log" | sed 's/^/    /'
      echo
    fi
  fi
  rm -f "$conf_copy"
  trap - EXIT
}

# The Depends of a binary, from the shared libraries it links (dpkg-shlibdeps,
# in dpkg-dev, which build-essential brings). OpenSSL 3 is libssl3 on Debian
# 12 and Ubuntu 22.04, libssl3t64 on Ubuntu 24.04: either will do.
shlib_depends() {
  local binary="$1" work
  work="$(mktemp -d)"
  mkdir -p "$work/debian"
  printf 'Source: moniravique\n\nPackage: moniravique\nArchitecture: any\n' >"$work/debian/control"
  (cd "$work" && dpkg-shlibdeps -O -e"$binary" 2>/dev/null) \
    | sed -n 's/^shlibs:Depends=//p' \
    | sed -E 's/libssl3 (\([^)]*\))/libssl3 \1 | libssl3t64 \1/'
  rm -rf "$work"
}

build_server() {
  local dist="${MONIRAVIQUE_SERVER_DIST:-crates/server/dist}"
  local file
  for file in moniravique-server.service server.toml; do
    if [ ! -f "$dist/$file" ]; then
      echo "package.sh: $dist/$file is missing. The server package installs the systemd unit" >&2
      echo "  and the default configuration from crates/server/dist/ (moniravique-server.service," >&2
      echo "  server.toml); set MONIRAVIQUE_SERVER_DIST to a directory holding both to use others." >&2
      exit 1
    fi
  done

  say "server: cargo build --release -p server --bin moniravique-server"
  cargo build --release -p server --bin moniravique-server
  local binary="$target_dir/release/moniravique-server"

  local stage="$out/staging/moniravique-server"
  local doc="$stage/usr/share/doc/moniravique-server"
  rm -rf "$stage"
  install -D -m 0755 "$binary" "$stage/usr/bin/moniravique-server"
  strip --strip-unneeded --remove-section=.comment --remove-section=.note "$stage/usr/bin/moniravique-server"
  install -D -m 0644 "$dist/moniravique-server.service" "$stage/lib/systemd/system/moniravique-server.service"
  install -D -m 0644 "$dist/server.toml" "$stage/etc/moniravique/server.toml"
  install -D -m 0644 crates/server/README.md "$doc/README.md"
  install -D -m 0644 packaging/copyright "$doc/copyright"
  install -D -m 0644 packaging/server/lintian-overrides "$stage/usr/share/lintian/overrides/moniravique-server"
  local maintainer="${MONIRAVIQUE_MAINTAINER:-moniravique technical support <support@moniravique.invalid>}"
  printf 'moniravique-server (%s) unstable; urgency=medium\n\n  * Built from commit %s.\n\n -- %s  %s\n' \
    "$server_version" "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" "$maintainer" \
    "$(date -R -d "@$(git log -1 --format=%ct 2>/dev/null || date +%s)")" \
    | gzip -9n >"$doc/changelog.gz"
  chmod 0644 "$doc/changelog.gz"

  mkdir -p "$stage/DEBIAN"
  local depends size
  depends="$(shlib_depends "$stage/usr/bin/moniravique-server")"
  if [ -z "$depends" ]; then
    echo "package.sh: dpkg-shlibdeps found no dependencies for the server (is dpkg-dev installed?)" >&2
    exit 1
  fi
  size="$(du -sk --exclude=DEBIAN "$stage" | cut -f1)"
  sed -e "s/@VERSION@/$server_version/" -e "s/@ARCH@/$arch/" -e "s/@SIZE@/$size/" \
    -e "s/@DEPENDS@/$depends/" -e "s/@MAINTAINER@/$maintainer/" \
    packaging/server/control.in >"$stage/DEBIAN/control"
  echo /etc/moniravique/server.toml >"$stage/DEBIAN/conffiles"
  local script
  for script in postinst prerm postrm; do
    install -m 0755 "packaging/server/$script" "$stage/DEBIAN/$script"
  done
  (cd "$stage" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z \
    | xargs -0 md5sum >DEBIAN/md5sums)
  chmod 0644 "$stage/DEBIAN/control" "$stage/DEBIAN/conffiles" "$stage/DEBIAN/md5sums"

  local deb="$out/moniravique-server_${server_version}_${arch}.deb"
  dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
  say "built $deb (Depends: $depends)"
}

if [ "$desktop" = 1 ]; then build_desktop; fi
if [ "$server" = 1 ]; then build_server; fi
say "packages in $out:"
ls -1 "$out" | grep -E '\.(deb|AppImage)$' | sed 's/^/  /'
