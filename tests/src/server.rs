//! The local server started in-process on 127.0.0.1:0 over a data directory, configured by
//! [`Builder`], and the hooks a test has into it: restart, and the fan-out queue of a paused
//! server.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use local::Options;
use shared::ports::{Clock, Received, SystemClock};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::{Client, OPERATOR_KEY};

/// How to start a [`Server`]: its clock, whether its workers run, whether it allows webhooks on
/// loopback and private networks, and its data directory.
#[derive(Clone)]
pub struct Builder {
    clock: Arc<dyn Clock>,
    workers: bool,
    private_webhooks: bool,
    data_dir: Option<PathBuf>,
    aws_endpoint: Option<String>,
    reserved_arns: String,
}

impl Default for Builder {
    fn default() -> Self {
        Self {
            clock: Arc::new(SystemClock),
            workers: true,
            private_webhooks: true,
            data_dir: None,
            aws_endpoint: None,
            reserved_arns: String::new(),
        }
    }
}

impl Builder {
    /// Runs the server on `clock` (the system clock by default).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Keeps the fan-out and delivery workers from running, so accepted events stay on the
    /// fan-out queue for the test to read ([`Server::drain_published`]) or fan out
    /// ([`Server::fan_out`]).
    pub fn paused(mut self) -> Self {
        self.workers = false;
        self
    }

    /// Refuses webhooks on loopback and private networks, as a public deployment does (the
    /// default allows them, for local receivers).
    pub fn strict(mut self) -> Self {
        self.private_webhooks = false;
        self
    }

    /// Keeps the data in `dir`, which the caller owns (a fresh temporary directory by default).
    pub fn data_dir(mut self, dir: &Path) -> Self {
        self.data_dir = Some(dir.to_owned());
        self
    }

    /// Delivers to AWS targets through `endpoint` (moto, or a proxy in front of it), as
    /// `serve --aws-targets` does with `AWS_ENDPOINT_URL`.
    pub fn aws_targets(mut self, endpoint: &str) -> Self {
        self.aws_endpoint = Some(endpoint.to_owned());
        self
    }

    /// Never allows these ARNs (comma-separated) as targets: the deployment's own resources.
    pub fn reserved_arns(mut self, arns: &str) -> Self {
        self.reserved_arns = arns.to_owned();
        self
    }

    /// Starts the server (its public URL is its listener's).
    pub async fn start(self) -> Server {
        let (dir, temp) = match &self.data_dir {
            Some(dir) => (dir.clone(), None),
            None => {
                let temp = tempfile::tempdir().unwrap();
                (temp.path().to_owned(), Some(temp))
            }
        };
        let mut options = Options::new(&dir, String::new());
        options.operator_key = Some(OPERATOR_KEY.into());
        options.clock = self.clock.clone();
        if self.private_webhooks {
            options.webhook_networks = infra::webhook::AllowedNetworks::all();
        }
        options.visibility_timeout = Duration::from_secs(5);
        options.workers = self.workers;
        if let Some(endpoint) = &self.aws_endpoint {
            let sdk = crate::aws::loaded_sdk(endpoint).await;
            options.targets = Some(Arc::new(infra::aws_targets::AwsTargets::new(&sdk)));
        }
        options.reserved_arns = shared::subscriptions::aws::Reserved::parse(&self.reserved_arns);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        options.public_url = base.clone();
        let (key, _) = local::operator_key(&options).unwrap();
        let app = local::open(&options, &key).await.unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(local::serve(listener, app.clone(), options, async {
            let _ = stopped.await;
        }));
        Server {
            base,
            app,
            builder: Builder {
                data_dir: Some(dir),
                ..self
            },
            _temp: temp,
            stop: Some(stop),
            task: Some(task),
        }
    }
}

/// A running local server.
pub struct Server {
    pub base: String,
    /// The wiring the server runs on, for tests that look behind the API (e.g. at the queue).
    pub app: infra::App,
    builder: Builder,
    _temp: Option<tempfile::TempDir>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl Server {
    /// How to start a server other than [`Server::start`]'s way.
    pub fn builder() -> Builder {
        Builder::default()
    }

    /// `Server::builder().start()`: a server on a fresh data directory and the system clock,
    /// with running workers, allowing loopback webhooks.
    pub async fn start() -> Self {
        Self::builder().start().await
    }

    /// Stops gracefully and starts again as before, on the same data directory (new port).
    pub async fn restart(mut self) -> Self {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap().unwrap();
        }
        let (builder, temp) = (self.builder.clone(), self._temp.take());
        drop(self);
        let mut next = builder.start().await;
        next._temp = temp;
        next
    }

    /// Takes every message off the fan-out queue (of a paused server) but the platform events
    /// (those for system topics); their bodies.
    pub async fn drain_published(&self) -> Vec<String> {
        self.take_fanout_messages()
            .await
            .into_iter()
            .map(|message| message.body)
            .filter(|body| !body.contains("/providers/Microsoft.EventGrid/systemTopics/"))
            .collect()
    }

    /// Runs the fan-out (of a paused server) on every message waiting on the fan-out queue, as
    /// a worker does, and returns once each is settled: every first attempt made. Returns how
    /// many messages it handled.
    pub async fn fan_out(&self) -> usize {
        let messages = self.take_fanout_messages().await;
        for message in &messages {
            self.app
                .deliveries
                .handle(&message.body, message.receive_count, None)
                .await
                .unwrap();
        }
        messages.len()
    }

    /// Runs the delivery handler (of a paused server) on every message waiting on the
    /// delivery queue, one at a time in the order they were queued; their bodies.
    pub async fn deliver_waiting(&self) -> Vec<String> {
        let messages = take_all(self.app.deliveries.queue.as_ref()).await;
        for message in &messages {
            self.app
                .deliveries
                .handle(&message.body, message.receive_count, None)
                .await
                .unwrap();
        }
        messages.into_iter().map(|m| m.body).collect()
    }

    /// Receives and acknowledges every message on the fan-out queue.
    async fn take_fanout_messages(&self) -> Vec<Received> {
        take_all(self.app.fanout.as_ref()).await
    }

    /// A client with the operator's key.
    pub fn operator(&self) -> Client {
        self.client(OPERATOR_KEY)
    }

    /// A client with `key`.
    pub fn client(&self, key: &str) -> Client {
        Client::new(&self.base, key)
    }

    /// A client without a key.
    pub fn anonymous(&self) -> Client {
        Client::anonymous(&self.base)
    }

    /// Creates a principal owning `subscriptions` and returns a client with its key.
    pub async fn principal(&self, name: &str, subscriptions: &[&str]) -> Client {
        self.operator().principal(name, subscriptions).await
    }

    /// Creates principal `name` owning a fresh subscription: its client and the subscription.
    pub async fn tenant(&self, name: &str) -> (Client, String) {
        let subscription = crate::new_subscription();
        (self.principal(name, &[&subscription]).await, subscription)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Receives and acknowledges every message on `queue`, in the order received.
async fn take_all(queue: &dyn shared::ports::Queue) -> Vec<Received> {
    let mut out = Vec::new();
    loop {
        let got = queue
            .receive(10, Duration::from_secs(60), Duration::ZERO)
            .await
            .unwrap();
        if got.is_empty() {
            return out;
        }
        let receipts: Vec<String> = got.iter().map(|m| m.receipt.clone()).collect();
        queue.ack(&receipts).await.unwrap();
        out.extend(got);
    }
}
