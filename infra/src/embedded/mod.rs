//! The embedded adapters: everything in one data directory on local disk, durable across
//! restarts, for local runs and tests without an AWS account. The directory is 0700 and every
//! file in it 0600.

mod group_commit;
mod keep_size;
mod queue;
mod store;

pub use queue::EmbeddedQueue;
pub use store::EmbeddedStore;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use redb::Database;
use shared::error::{Error, Result};

/// Runs `f` on `db` on tokio's blocking pool: redb's calls block on disk. `what` names the
/// adapter in the error if the task dies.
async fn blocking<T: Send + 'static>(
    what: &'static str,
    db: &Arc<Database>,
    f: impl FnOnce(&Database) -> Result<T> + Send + 'static,
) -> Result<T> {
    let db = db.clone();
    tokio::task::spawn_blocking(move || f(&db))
        .await
        .map_err(|e| Error::internal(format!("{what}: task failed: {e}")))?
}

/// Creates `dir` (and missing parents) with mode 0700, and makes an existing one 0700: the
/// data directory holds keys and webhook secrets.
pub fn private_dir(dir: &Path) -> Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(dir)
        .map_err(|e| Error::internal(format!("creating data directory {dir:?}: {e}")))?;
    restrict(dir, 0o700);
    Ok(())
}

/// `dir/name` in a [`private_dir`], created empty with mode 0600 when missing and made 0600
/// when it exists, so that what is written to it is never readable by others.
pub fn private_file(dir: &Path, name: &str) -> Result<PathBuf> {
    private_dir(dir)?;
    let path = dir.join(name);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(&path)
        .map_err(|e| Error::internal(format!("creating {path:?}: {e}")))?;
    restrict(&path, 0o600);
    Ok(path)
}

/// Sets `path`'s permission bits to `mode` unless they are already; a failure (a directory
/// owned by someone else) is logged, not fatal.
fn restrict(path: &Path, mode: u32) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let current = std::fs::metadata(path).map(|m| m.permissions().mode() & 0o777);
        if current.ok() != Some(mode)
            && let Err(e) = std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        {
            tracing::warn!(path = ?path, mode = format!("{mode:o}"), error = %e, "could not restrict permissions");
        }
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
}
