//! The Lambda side of the serverless tests: a Runtime API emulator (the HTTP interface the
//! `lambda_runtime` crate polls) and the workspace's function binaries started under it.

use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use tokio::sync::{Notify, oneshot};

const RUNTIME: &str = "/2018-06-01/runtime";

/// An invocation's answer: the handler's response, or the error the runtime reported.
pub type Answer = Result<Value, Value>;

/// An invocation handed out (or queued): since when, and where its answer goes.
type Waiting = (Instant, oneshot::Sender<(Answer, Duration)>);

#[derive(Default)]
struct Runtime {
    queue: Mutex<VecDeque<(String, Value)>>,
    waiting: Mutex<HashMap<String, Waiting>>,
    arrived: Notify,
    first_poll: OnceLock<Instant>,
    polled: Notify,
    init_error: Mutex<Option<Value>>,
    durations: Mutex<Vec<Duration>>,
}

/// A Lambda Runtime API on 127.0.0.1 for one function instance.
#[derive(Clone)]
pub struct RuntimeApi {
    pub address: String,
    state: Arc<Runtime>,
}

impl RuntimeApi {
    pub async fn start() -> Self {
        let state = Arc::new(Runtime::default());
        let app = axum::Router::new()
            .route(
                &format!("{RUNTIME}/invocation/next"),
                axum::routing::get(next),
            )
            .route(
                &format!("{RUNTIME}/invocation/{{id}}/{{outcome}}"),
                axum::routing::post(answer),
            )
            .route(
                &format!("{RUNTIME}/init/error"),
                axum::routing::post(init_error),
            )
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap().to_string();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { address, state }
    }

    /// Hands `event` to the function and waits for its answer and how long it took.
    pub async fn invoke_timed(&self, event: Value) -> (Answer, Duration) {
        let id = uuid::Uuid::new_v4().to_string();
        let (tx, rx) = oneshot::channel();
        self.state
            .waiting
            .lock()
            .unwrap()
            .insert(id.clone(), (Instant::now(), tx));
        self.state.queue.lock().unwrap().push_back((id, event));
        self.state.arrived.notify_one();
        match tokio::time::timeout(Duration::from_secs(60), rx).await {
            Ok(Ok(answer)) => answer,
            _ => panic!(
                "the function did not answer within 60 s (init error: {:?})",
                self.state.init_error.lock().unwrap()
            ),
        }
    }

    pub async fn invoke(&self, event: Value) -> Answer {
        self.invoke_timed(event).await.0
    }

    /// How long each invocation since the last call took (event handed out to answer).
    pub fn take_durations(&self) -> Vec<Duration> {
        std::mem::take(&mut self.state.durations.lock().unwrap())
    }

    /// When the function first asked for an invocation (its initialisation was done).
    pub async fn first_poll(&self) -> Instant {
        loop {
            let polled = self.state.polled.notified();
            if let Some(at) = self.state.first_poll.get() {
                return *at;
            }
            if let Some(e) = self.state.init_error.lock().unwrap().clone() {
                panic!("the function failed to initialise: {e}");
            }
            let _ = tokio::time::timeout(Duration::from_millis(50), polled).await;
        }
    }
}

async fn next(State(state): State<Arc<Runtime>>) -> Response {
    if state.first_poll.set(Instant::now()).is_ok() {
        state.polled.notify_waiters();
    }
    let (id, event) = loop {
        let arrived = state.arrived.notified();
        if let Some(item) = state.queue.lock().unwrap().pop_front() {
            break item;
        }
        arrived.await;
    };
    if let Some(entry) = state.waiting.lock().unwrap().get_mut(&id) {
        entry.0 = Instant::now();
    }
    let deadline = time::OffsetDateTime::now_utc().unix_timestamp() * 1000 + 120_000;
    (
        [
            ("lambda-runtime-aws-request-id", id),
            ("lambda-runtime-deadline-ms", deadline.to_string()),
            (
                "lambda-runtime-invoked-function-arn",
                "arn:aws:lambda:us-east-1:123456789012:function:test".to_owned(),
            ),
            (
                "lambda-runtime-trace-id",
                "Root=1-00000000-000000000000000000000000".to_owned(),
            ),
            ("content-type", "application/json".to_owned()),
        ],
        event.to_string(),
    )
        .into_response()
}

async fn answer(
    State(state): State<Arc<Runtime>>,
    Path((id, outcome)): Path<(String, String)>,
    body: Bytes,
) -> StatusCode {
    let value: Value = serde_json::from_slice(&body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into_owned()));
    let Some((started, tx)) = state.waiting.lock().unwrap().remove(&id) else {
        return StatusCode::NOT_FOUND;
    };
    let answer = if outcome == "response" {
        Ok(value)
    } else {
        Err(value)
    };
    let took = started.elapsed();
    state.durations.lock().unwrap().push(took);
    let _ = tx.send((answer, took));
    StatusCode::ACCEPTED
}

async fn init_error(State(state): State<Arc<Runtime>>, body: Bytes) -> StatusCode {
    *state.init_error.lock().unwrap() =
        Some(Value::String(String::from_utf8_lossy(&body).into_owned()));
    StatusCode::ACCEPTED
}

/// The function binaries template.yaml deploys, with the memory it gives each (MB).
pub const FUNCTIONS: [(&str, u32); 6] = [
    ("authorizations", 256),
    ("provisioning", 256),
    ("ingest", 512),
    ("fanout", 512),
    ("sweeper", 256),
    ("console", 128),
];

/// The directory holding the function binaries in `profile` (`debug` or `release`), built
/// first (once per process; cargo makes it a no-op when they are current).
///
/// In `debug` (the test command) they are built with the features the whole workspace's tests
/// resolve to, so they share every artifact of the test build instead of compiling the
/// dependency tree a second time; the embedded adapters are then compiled in but never chosen
/// by a Lambda main. In `release` (the benchmarks) they are built alone, as deployed.
pub fn binaries(profile: &str) -> PathBuf {
    static BUILT: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap();
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let mut built = BUILT.lock().unwrap();
    if !built.iter().any(|p| p == profile) {
        let mut cargo = std::process::Command::new(env!("CARGO"));
        // The build runs on the real clock even when the tests run with a shifted one.
        cargo.env_remove("LD_PRELOAD");
        cargo.current_dir(root).args(["build", "--quiet", "--bins"]);
        if profile == "release" {
            for (name, _) in FUNCTIONS {
                cargo.args(["-p", name]);
            }
            cargo.arg("--release");
        } else {
            cargo.args(["--workspace", "--tests", "--examples"]);
        }
        assert!(
            cargo.status().unwrap().success(),
            "building the functions failed"
        );
        built.push(profile.to_owned());
    }
    target.join(profile)
}

/// One function binary running under its own Runtime API.
pub struct Function {
    pub name: String,
    pub runtime: RuntimeApi,
    pub started: Instant,
    child: tokio::process::Child,
}

impl Function {
    /// Starts `binary` with the Lambda environment and `env` (the template's variables).
    pub async fn start(binary: &std::path::Path, memory_mb: u32, env: &[(&str, String)]) -> Self {
        let runtime = RuntimeApi::start().await;
        let name = binary.file_name().unwrap().to_string_lossy().into_owned();
        let mut command = tokio::process::Command::new(binary);
        command
            .env_clear()
            .env("AWS_LAMBDA_RUNTIME_API", &runtime.address)
            .env("AWS_LAMBDA_FUNCTION_NAME", &name)
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", memory_mb.to_string())
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("AWS_LAMBDA_LOG_STREAM_NAME", "test")
            .env("AWS_LAMBDA_LOG_GROUP_NAME", format!("/aws/lambda/{name}"))
            .env("AWS_LAMBDA_LOG_FORMAT", "JSON")
            .env("RUST_LOG", "warn")
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .kill_on_drop(true);
        let started = Instant::now();
        let child = command.spawn().unwrap();
        Self {
            name,
            runtime,
            started,
            child,
        }
    }

    /// From process start to the runtime's first poll for an invocation.
    pub async fn init_time(&self) -> Duration {
        self.runtime.first_poll().await - self.started
    }

    pub async fn invoke(&self, event: Value) -> Answer {
        self.runtime.invoke(event).await
    }
}

impl Drop for Function {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}
