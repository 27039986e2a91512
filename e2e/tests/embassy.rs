//! The async client runs on embassy: the `embassy_session` binary drives a whole
//! session on embassy's executor and exits 0 only if every step succeeded.

#[test]
fn async_client_runs_a_session_on_embassy() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_embassy_session"))
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("embassy session: ok"));
}
