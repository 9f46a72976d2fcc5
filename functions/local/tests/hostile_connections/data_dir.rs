//! The permissions of the data directory the server writes keys and secrets to.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::server::Server;

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn assert_private(dir: &Path) {
    assert_eq!(mode(dir), 0o700, "{dir:?}");
    let mut files = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        assert_eq!(mode(&path), 0o600, "{path:?}");
        files += 1;
    }
    assert!(files >= 6, "the store, four queues and the operator key");
}

#[tokio::test]
async fn the_data_directory_is_private_to_its_owner_and_so_is_every_file_in_it() {
    let server = Server::start(|o| o.operator_key = None).await;
    assert_private(&server.data());
}

#[tokio::test]
async fn an_existing_data_directory_and_its_files_are_made_private_on_start() {
    let server = Server::start(|o| o.operator_key = None).await;
    let data = server.data();
    let dir = server.stop().await;
    for entry in std::fs::read_dir(&data).unwrap() {
        let path = entry.unwrap().path();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
    let server = Server::start_in(dir, |o| o.operator_key = None).await;
    assert_private(&server.data());
}
