//! The store's tantivy directory: tantivy's memory-mapped directory, except that a store on a read-only
//! disk (an archive, a shared drive, a CD) can still be read.
//!
//! tantivy takes a lock file (`.tantivy-meta.lock`) while it opens segments, so that a writer's garbage
//! collection cannot delete them under it. Where that file cannot be created because the folder is not
//! writable, no writer of this machine's users can be collecting in it either (it could not delete
//! files), so reading goes on without the lock. The writer lock is never skipped.

use std::io;
use std::path::Path;
use std::sync::Arc;

use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    Directory, DirectoryLock, FileHandle, Lock, META_LOCK, MmapDirectory, WatchCallback,
    WatchHandle, WritePtr,
};

/// [`MmapDirectory`] that reads without the meta lock where the folder is read-only.
#[derive(Clone, Debug)]
pub(crate) struct StoreDirectory {
    inner: MmapDirectory,
}

impl StoreDirectory {
    /// The directory of an index folder.
    pub(crate) fn open(path: &Path) -> tantivy::Result<StoreDirectory> {
        Ok(StoreDirectory {
            inner: MmapDirectory::open(path)?,
        })
    }
}

/// Whether an I/O error says that the folder cannot be written to.
pub(crate) fn is_read_only(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem
    )
}

impl Directory for StoreDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        self.inner.get_file_handle(path)
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.inner.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.inner.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        self.inner.open_write(path)
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.inner.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        self.inner.atomic_write(path, data)
    }

    fn sync_directory(&self) -> io::Result<()> {
        self.inner.sync_directory()
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        match self.inner.acquire_lock(lock) {
            Err(LockError::IoError(e))
                if lock.filepath == META_LOCK.filepath && is_read_only(&e) =>
            {
                Ok(DirectoryLock::from(Box::new(())))
            }
            other => other,
        }
    }

    fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.inner.watch(watch_callback)
    }
}
