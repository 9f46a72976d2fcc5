//! The queue files' storage: redb's file backend, except that a file never shrinks while it is
//! open. redb trims a free tail at durable commits and grows again as messages come, so a busy
//! queue's file is truncated and extended many times a second, and a backlog that drained is
//! truncated by tens of MB; on ext4 each truncation frees blocks (a discard, with the `discard`
//! mount option) inside the journal commit that every `fdatasync` waits for, which stalled
//! publishes for up to 300 ms on this disk. Here redb's length is only remembered below the
//! file's high-water mark (the space handed back to redb reads as zeros, as its contract
//! asks), and the file is cut to redb's length when the database closes. After a crash the
//! longer file is taken as it is: redb adopts a file longer than its layout as free space.

use std::fs::File;
use std::ops::Bound;
use std::sync::Mutex;

use redb::StorageBackend;
use redb::backends::FileBackend;

/// A file whose length only grows while redb has it open.
#[derive(Debug)]
pub(super) struct KeepSize {
    inner: FileBackend,
    file: File,
    /// (redb's length, the file's length).
    lengths: Mutex<(u64, u64)>,
}

impl KeepSize {
    pub(super) fn new(file: File) -> std::io::Result<Self> {
        let len = file.metadata()?.len();
        let inner = FileBackend::new(file.try_clone()?).map_err(std::io::Error::other)?;
        Ok(Self {
            inner,
            file,
            lengths: Mutex::new((len, len)),
        })
    }

    fn lengths(&self) -> std::sync::MutexGuard<'_, (u64, u64)> {
        self.lengths.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl StorageBackend for KeepSize {
    fn len(&self) -> std::io::Result<u64> {
        Ok(self.lengths().0)
    }

    fn read(&self, offset: u64, out: &mut [u8]) -> std::io::Result<()> {
        self.inner.read(offset, out)
    }

    fn set_len(&self, len: u64) -> std::io::Result<()> {
        let mut lengths = self.lengths();
        let (used, size) = *lengths;
        if len > size {
            self.inner.set_len(len)?;
        }
        if len > used {
            zero(&self.file, used, len.min(size))?;
        }
        *lengths = (len, size.max(len));
        Ok(())
    }

    fn sync_data(&self) -> std::io::Result<()> {
        self.inner.sync_data()
    }

    fn write(&self, offset: u64, data: &[u8]) -> std::io::Result<()> {
        self.inner.write(offset, data)
    }

    fn close(&self) -> std::io::Result<()> {
        let (used, size) = *self.lengths();
        if used < size {
            self.inner.set_len(used)?;
        }
        self.inner.close()
    }

    fn try_lock_range(
        &self,
        start: Bound<u64>,
        end: Bound<u64>,
    ) -> Result<bool, redb::BackendError> {
        self.inner.try_lock_range(start, end)
    }

    fn try_lock_shared_range(
        &self,
        start: Bound<u64>,
        end: Bound<u64>,
    ) -> Result<bool, redb::BackendError> {
        self.inner.try_lock_shared_range(start, end)
    }

    fn lock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<(), redb::BackendError> {
        self.inner.lock_range(start, end)
    }

    fn lock_shared_range(
        &self,
        start: Bound<u64>,
        end: Bound<u64>,
    ) -> Result<(), redb::BackendError> {
        self.inner.lock_shared_range(start, end)
    }

    fn unlock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<(), redb::BackendError> {
        self.inner.unlock_range(start, end)
    }

    fn query_lock_range(
        &self,
        start: Bound<u64>,
        end: Bound<u64>,
    ) -> Result<bool, redb::BackendError> {
        self.inner.query_lock_range(start, end)
    }
}

/// Makes `from..to` of `file` read as zeros: on Linux by marking the range unwritten (no data
/// written, no blocks freed), elsewhere by writing zeros.
fn zero(file: &File, from: u64, to: u64) -> std::io::Result<()> {
    if to <= from {
        return Ok(());
    }
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{FallocateFlags, fallocate};
        let mode = FallocateFlags::ZERO_RANGE | FallocateFlags::KEEP_SIZE;
        if fallocate(file, mode, from, to - from).is_ok() {
            return Ok(());
        }
    }
    write_zeros(file, from, to)
}

fn write_zeros(file: &File, from: u64, to: u64) -> std::io::Result<()> {
    use std::os::unix::fs::FileExt;
    let zeros = vec![0u8; 64 * 1024];
    let mut at = from;
    while at < to {
        let n = usize::try_from(to - at).map_or(zeros.len(), |left| left.min(zeros.len()));
        file.write_all_at(&zeros[..n], at)?;
        at += n as u64;
    }
    Ok(())
}
