//! The server in this test process on a fresh data directory.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use local::Options;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::OPERATOR;

/// A server in this process on a fresh data directory, stopped when dropped.
pub struct Server {
    pub addr: SocketAddr,
    dir: tempfile::TempDir,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl Server {
    /// Starts a server on a fresh temporary directory, its options changed by `configure`, and
    /// waits until `/healthz` answers.
    pub async fn start(configure: impl FnOnce(&mut Options)) -> Self {
        let dir = tempfile::tempdir().unwrap();
        Self::start_in(dir, configure).await
    }

    /// Like [`Server::start`], with its data in `dir`'s `data` subdirectory.
    pub async fn start_in(dir: tempfile::TempDir, configure: impl FnOnce(&mut Options)) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut options = Options::new(dir.path().join("data"), format!("http://{addr}"));
        options.operator_key = Some(OPERATOR.into());
        configure(&mut options);
        let (key, _) = local::operator_key(&options).unwrap();
        let app = local::open(&options, &key).await.unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(local::serve(listener, app, options, async {
            let _ = stopped.await;
        }));
        let server = Self {
            addr,
            dir,
            stop: Some(stop),
            task: Some(task),
        };
        server.healthz(Duration::from_secs(10)).await;
        server
    }

    /// The data directory.
    pub fn data(&self) -> std::path::PathBuf {
        self.dir.path().join("data")
    }

    /// Asks `/healthz` on a new connection; panics unless it answers 200 within `within`.
    pub async fn healthz(&self, within: Duration) -> Duration {
        let started = Instant::now();
        let client = reqwest::Client::new();
        let response = tokio::time::timeout(
            within,
            client.get(format!("http://{}/healthz", self.addr)).send(),
        )
        .await
        .unwrap_or_else(|_| panic!("/healthz did not answer within {within:?}"))
        .unwrap();
        assert_eq!(response.status(), 200);
        started.elapsed()
    }

    /// Stops the server and hands back its directory, to start again on it.
    pub async fn stop(mut self) -> tempfile::TempDir {
        let _ = self.stop.take().unwrap().send(());
        self.task.take().unwrap().await.unwrap().unwrap();
        std::mem::replace(&mut self.dir, tempfile::tempdir().unwrap())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}
