//! The Prometheus text format read by the reference parser (`prometheus-client` from PyPI,
//! through `PARTNER_EVENTS_TEST_PYTHON`): every sample with its labels.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value;

const PARSE: &str = r#"
import json, sys
from prometheus_client.parser import text_string_to_metric_families
samples = []
for family in text_string_to_metric_families(sys.stdin.read()):
    for s in family.samples:
        samples.append({"family": family.name, "type": family.type, "name": s.name, "labels": s.labels, "value": s.value})
print(json.dumps(samples))
"#;

/// One sample: its name, labels and value.
#[derive(Debug, Clone)]
pub struct Sample {
    pub name: String,
    pub kind: String,
    pub labels: BTreeMap<String, String>,
    pub value: f64,
}

/// Every sample of a scrape.
#[derive(Debug, Clone)]
pub struct Scrape(pub Vec<Sample>);

impl Scrape {
    /// Parses `text` with `prometheus_client`; panics if it does not parse.
    pub fn parse(text: &str) -> Self {
        let mut child = Command::new(crate::python::python())
            .args(["-c", PARSE])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "prometheus_client could not parse the scrape:\n{}\n{text}",
            String::from_utf8_lossy(&output.stderr)
        );
        let samples: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
        Self(
            samples
                .into_iter()
                .map(|s| Sample {
                    name: s["name"].as_str().unwrap().to_owned(),
                    kind: s["type"].as_str().unwrap().to_owned(),
                    labels: serde_json::from_value(s["labels"].clone()).unwrap(),
                    value: s["value"].as_f64().unwrap(),
                })
                .collect(),
        )
    }

    /// The value of sample `name` with exactly `labels` (0 when there is none: a counter not
    /// yet incremented is not rendered).
    pub fn value(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        let wanted: BTreeMap<String, String> = labels
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        self.0
            .iter()
            .find(|s| s.name == name && s.labels == wanted)
            .map_or(0.0, |s| s.value)
    }

    /// The samples named `name`.
    pub fn named(&self, name: &str) -> Vec<&Sample> {
        self.0.iter().filter(|s| s.name == name).collect()
    }
}
