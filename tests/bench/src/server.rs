//! The server a benchmark measures, on a fresh data directory: in the benchmark's own process
//! (the `local` library), or (`--server-process`) as a child process running `partner-events
//! serve` from the binary beside this one, so the load generator and the receiver do not share
//! its process.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use local::Options;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::failure::Failure;

/// The product binary `--server-process` runs, looked for beside this one.
const SERVER_BINARY: &str = "partner-events";

/// A running server: its base URL and operator key.
pub struct Server {
    /// Its base URL, `http://127.0.0.1:<port>`.
    pub base: String,
    /// The operator key's secret.
    pub operator: String,
    running: Running,
    _dir: tempfile::TempDir,
}

enum Running {
    InProcess {
        stop: oneshot::Sender<()>,
        task: JoinHandle<std::io::Result<()>>,
    },
    Child(Child),
    Stopped,
}

impl Server {
    /// Starts a server; `private_webhooks` lets it deliver to loopback receivers.
    pub async fn start(child_process: bool, private_webhooks: bool) -> Result<Self, Failure> {
        let binary = match child_process {
            true => Some(server_binary()?),
            false => None,
        };
        let dir = tempfile::tempdir()?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let base = format!("http://{address}");
        let mut options = Options::new(dir.path(), base.clone());
        if private_webhooks {
            options.webhook_networks = infra::webhook::AllowedNetworks::all();
        }
        let (operator, _) = local::operator_key(&options)?;
        let running = if let Some(binary) = binary {
            drop(listener);
            let mut command = Command::new(binary);
            command
                .args(["serve", "--listen", &address.to_string(), "--data-dir"])
                .arg(dir.path())
                .env_remove(infra::config::OPERATOR_KEY)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null());
            if private_webhooks {
                command.arg("--allow-private-webhooks");
            }
            let running = Running::Child(command.spawn()?);
            ready(&base).await?;
            running
        } else {
            let app = local::open(&options, &operator).await?;
            let (stop, stopped) = oneshot::channel::<()>();
            let task = tokio::spawn(local::serve(listener, app, options, async {
                let _ = stopped.await;
            }));
            Running::InProcess { stop, task }
        };
        Ok(Self {
            base,
            operator: operator.secret().to_owned(),
            running,
            _dir: dir,
        })
    }

    /// Stops the server (a child process is killed: a benchmark keeps nothing).
    pub async fn stop(mut self) -> Result<(), Failure> {
        match std::mem::replace(&mut self.running, Running::Stopped) {
            Running::InProcess { stop, task } => {
                let _ = stop.send(());
                task.await??;
            }
            child => self.running = child,
        }
        Ok(())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Running::Child(child) = &mut self.running {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Waits until `base` answers `/healthz`.
async fn ready(base: &str) -> Result<(), Failure> {
    let http = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match http.get(format!("{base}/healthz")).send().await {
            Ok(r) if r.status().is_success() => return Ok(()),
            _ if Instant::now() > deadline => return Err(format!("{base} did not start").into()),
            _ => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
}

/// `partner-events` in the directory of the running executable, where cargo builds both.
fn server_binary() -> Result<PathBuf, Failure> {
    let exe = std::env::current_exe()?;
    let binary = exe.with_file_name(format!("{SERVER_BINARY}{}", std::env::consts::EXE_SUFFIX));
    match binary.is_file() {
        true => Ok(binary),
        false => Err(format!(
            "{} not found (--server-process runs it): build it first: cargo build --release -p local -p bench",
            binary.display()
        )
        .into()),
    }
}
