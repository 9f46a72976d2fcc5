//! The test command's python (`PARTNER_EVENTS_TEST_PYTHON`: a virtualenv with Azure's SDKs,
//! aws-sam-translator, Playwright, standardwebhooks and prometheus-client), and the
//! repository's Python scripts run with it.

use std::ffi::OsStr;
use std::path::Path;

/// The python with the test packages; panics, saying how to get it, when it is not set.
pub fn python() -> String {
    std::env::var("PARTNER_EVENTS_TEST_PYTHON").unwrap_or_else(|_| {
        panic!("the tests that run Python need PARTNER_EVENTS_TEST_PYTHON (the test command's .venv/bin/python, with infra/scripts/requirements-test.txt); run the README's test command, which sets it")
    })
}

/// Runs `script` (a path from the repository's root) with `args`; asserts it exited 0,
/// showing what it printed if not; its standard output.
pub async fn run<I, A>(script: &str, args: I) -> Vec<u8>
where
    I: IntoIterator<Item = A>,
    A: AsRef<OsStr>,
{
    output_of(script, command(script, args)).await
}

/// [`run`] on the machine's real clock, for scripts that drive a browser: the test command's
/// second pass preloads libfaketime into every test binary and what it starts, and Chromium and
/// Python's `time.sleep` fail under it. The server under test keeps its faked clock; such a
/// script must compute no date it sends.
pub async fn run_on_the_real_clock<I, A>(script: &str, args: I) -> Vec<u8>
where
    I: IntoIterator<Item = A>,
    A: AsRef<OsStr>,
{
    let mut command = command(script, args);
    command.env_remove("LD_PRELOAD").env_remove("FAKETIME");
    output_of(script, command).await
}

fn command<I, A>(script: &str, args: I) -> tokio::process::Command
where
    I: IntoIterator<Item = A>,
    A: AsRef<OsStr>,
{
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut command = tokio::process::Command::new(python());
    command.arg(root.join(script)).args(args);
    command
}

async fn output_of(script: &str, mut command: tokio::process::Command) -> Vec<u8> {
    let output = command.output().await.unwrap();
    assert!(
        output.status.success(),
        "{script} failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}
