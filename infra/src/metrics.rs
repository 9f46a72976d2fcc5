//! The recorders behind the domain's metrics (`shared::metrics`), one per process: Prometheus
//! text for the local server's `/metrics` (rendered from the handle, no exporter listener),
//! and CloudWatch's Embedded Metric Format on Lambda, written to stdout after each invocation
//! when `PARTNER_EVENTS_METRICS_NAMESPACE` names the namespace.

use std::sync::OnceLock;

use metrics_cloudwatch_embedded::Collector;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use shared::error::{Error, Result};
use shared::metrics as m;
use shared::ports::Queue;

/// Values of one histogram an EMF document holds (the format's limit; the collector refuses
/// more, logging an error for each).
const EMF_VALUES_PER_FLUSH: usize = 100;

static PROMETHEUS: OnceLock<PrometheusHandle> = OnceLock::new();
static CLOUDWATCH: OnceLock<&'static Collector> = OnceLock::new();

/// The Prometheus recorder, installed as the process's recorder on the first call.
pub fn prometheus() -> Result<&'static PrometheusHandle> {
    if let Some(handle) = PROMETHEUS.get() {
        return Ok(handle);
    }
    let builder = PrometheusBuilder::new()
        .set_buckets_for_metric(
            Matcher::Full(m::DELIVERY_LATENCY.into()),
            &m::latency_bounds(),
        )
        .and_then(|b| {
            b.set_buckets_for_metric(
                Matcher::Full(m::ATTEMPT_DURATION.into()),
                &m::ATTEMPT_BOUNDS,
            )
        })
        .map_err(|e| Error::internal(format!("metrics buckets: {e}")))?;
    let recorder = builder.build_recorder();
    let handle = recorder.handle();
    if PROMETHEUS.set(handle).is_ok() {
        metrics::set_global_recorder(recorder)
            .map_err(|e| Error::internal(format!("installing the metrics recorder: {e}")))?;
        m::describe();
        metrics_process::Collector::default().describe();
    }
    PROMETHEUS
        .get()
        .ok_or_else(|| Error::internal("the metrics recorder is not installed"))
}

/// The Prometheus text of everything recorded, with the `queues`' depths and the process's
/// own figures read now; also drains recorded histogram values (upkeep).
pub async fn render(handle: &PrometheusHandle, queues: &[(&'static str, &dyn Queue)]) -> String {
    for (name, queue) in queues {
        match queue.depth().await {
            Ok(Some(depth)) => m::queue_depth(name, depth.messages, depth.oldest_due),
            Ok(None) => {}
            Err(e) => tracing::warn!(queue = %name, error = %e, "queue depth not read"),
        }
    }
    metrics_process::Collector::default().collect();
    handle.run_upkeep();
    handle.render()
}

/// The CloudWatch EMF recorder in `namespace`, installed as the process's recorder on the
/// first call (later calls return it, whatever their namespace).
pub fn cloudwatch(namespace: &str) -> Result<&'static Collector> {
    if let Some(collector) = CLOUDWATCH.get() {
        return Ok(collector);
    }
    let collector = metrics_cloudwatch_embedded::Builder::new()
        .cloudwatch_namespace(namespace.to_owned())
        .init()
        .map_err(|e| Error::internal(format!("installing the EMF recorder: {e}")))?;
    m::describe();
    m::sample_histograms(EMF_VALUES_PER_FLUSH);
    Ok(CLOUDWATCH.get_or_init(|| collector))
}

/// Installs the EMF recorder when `PARTNER_EVENTS_METRICS_NAMESPACE` is set (a function main
/// calls this at start).
pub fn cloudwatch_from_env() -> Result<()> {
    match std::env::var(crate::config::METRICS_NAMESPACE) {
        Ok(namespace) if !namespace.trim().is_empty() => cloudwatch(namespace.trim()).map(|_| ()),
        _ => Ok(()),
    }
}

/// Writes what was recorded since the last flush as EMF lines to stdout (CloudWatch Logs on
/// Lambda), if the EMF recorder is installed; a function calls this after each invocation.
pub fn flush() {
    if let Err(e) = flush_to(std::io::stdout().lock()) {
        tracing::warn!(error = %e, "metrics not written");
    }
}

/// [`flush`] to `writer`.
pub fn flush_to(writer: impl std::io::Write) -> std::io::Result<()> {
    match CLOUDWATCH.get() {
        Some(collector) => {
            m::release_samples();
            collector.flush(writer)
        }
        None => Ok(()),
    }
}

/// `router`, flushing the metrics after each response (an HTTP function's invocation).
pub fn flushed(router: axum::Router) -> axum::Router {
    router.layer(axum::middleware::map_response(
        |response: axum::response::Response| async move {
            flush();
            response
        },
    ))
}
