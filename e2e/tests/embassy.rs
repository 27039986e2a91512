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

/// The split client on embassy: a runner task, a receiver task awaiting
/// messages and a publisher task publishing QoS 0/1/2 through the same
/// control at once; `embassy_split` exits 0 only if every message came back
/// exactly once, byte-exact and in order.
#[test]
fn split_client_serves_a_receiver_and_a_publisher_task_at_once() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_embassy_split"))
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("embassy split: ok"));
}
