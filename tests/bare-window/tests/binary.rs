//! Makes `cargo test` build the `bare-window` binary (an integration test is
//! what puts a package's binaries in `target/<profile>/`), where the start
//! bench finds it.

#[test]
fn the_binary_is_built() {
    let path = std::path::Path::new(env!("CARGO_BIN_EXE_bare-window"));
    assert!(path.exists(), "{} is missing", path.display());
}
