//! The server a benchmark measures, on a fresh data directory: in the benchmark's own process,
//! or (`--server-process`) as a child process running this binary's `serve`, so the load
//! generator and the receiver do not share its process.

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use shared::ports::SystemClock;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::Options;
use crate::bench::Failure;

/// A running server: its base URL and operator key.
pub(crate) struct BenchServer {
    pub base: String,
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

impl BenchServer {
    /// Starts a server; `private_webhooks` lets it deliver to loopback receivers.
    pub(crate) async fn start(
        child_process: bool,
        private_webhooks: bool,
    ) -> Result<Self, Failure> {
        let dir = tempfile::tempdir()?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let base = format!("http://{address}");
        let mut options = Options::new(dir.path(), base.clone());
        options.clock = Arc::new(SystemClock);
        if private_webhooks {
            options.webhook_networks = infra::webhook::AllowedNetworks::all();
        }
        let (operator, _) = crate::operator_key(&options)?;
        let running = if child_process {
            drop(listener);
            let mut command = Command::new(std::env::current_exe()?);
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
            let app = crate::open(&options, &operator).await?;
            let (stop, stopped) = oneshot::channel::<()>();
            let task = tokio::spawn(crate::serve(listener, app, options, async {
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
    pub(crate) async fn stop(mut self) -> Result<(), Failure> {
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

impl Drop for BenchServer {
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
