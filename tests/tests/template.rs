//! No drift between template.yaml and the code: every function the template builds is a crate
//! of the workspace with a Lambda main, and every environment variable the configuration reads
//! is set by the template (but the operator key itself, which a deployment holds only as a
//! hash).

use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
}

#[test]
fn every_function_in_the_template_is_a_workspace_crate_with_a_lambda_main() {
    let template = std::fs::read_to_string(root().join("template.yaml")).unwrap();
    let binaries: Vec<&str> = template
        .lines()
        .filter_map(|l| l.trim().strip_prefix("Binary: "))
        .collect();
    assert_eq!(
        binaries.len(),
        5,
        "fanout, authorizations, provisioning, ingest, sweeper: {binaries:?}"
    );
    let workspace = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    for binary in binaries {
        assert!(
            workspace.contains(&format!("\"functions/{binary}\"")),
            "{binary} is a workspace member"
        );
        let main = std::fs::read_to_string(root().join(format!("functions/{binary}/src/main.rs")))
            .unwrap();
        assert!(
            main.contains("lambda_http::run") || main.contains("lambda_runtime::run"),
            "{binary} has a Lambda main"
        );
        assert!(
            main.lines().count() <= 25,
            "{binary}'s main stays a thin bootstrap"
        );
    }
}

#[test]
fn every_environment_variable_the_configuration_reads_is_set_by_the_template() {
    let template = std::fs::read_to_string(root().join("template.yaml")).unwrap();
    let config = std::fs::read_to_string(root().join("infra/src/config.rs")).unwrap();
    let names: Vec<&str> = config
        .lines()
        .filter_map(|l| {
            l.trim()
                .strip_prefix("pub const ")?
                .split_once("= \"")?
                .1
                .strip_suffix("\";")
        })
        .collect();
    assert!(names.len() >= 5, "{names:?}");
    let optional_locally = ["PARTNER_EVENTS_OPERATOR_KEY"];
    for name in names.iter().filter(|n| !optional_locally.contains(n)) {
        assert!(
            template.contains(&format!("{name}:")),
            "template.yaml sets {name}"
        );
    }
}
