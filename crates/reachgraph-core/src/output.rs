//! Files written whole or not at all.
//!
//! Every file reachgraph writes goes through [`AtomicFile`]: the bytes go to a temporary file
//! beside the destination, which is flushed, synced and then renamed over the destination.
//! A reader therefore sees either the old file or the complete new one, never a prefix (a
//! killed `generate` used to leave a truncated edge list that loaded without complaint), and
//! two writers racing on one path leave one of their files, not a mixture. A writer dropped
//! before [`AtomicFile::commit`] removes its temporary file.
//!
//! Errors are plain [`std::io::Error`]s: callers name the path in their own error type.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Distinguishes temporary files of one process (several writers may target one directory).
static NEXT_TMP: AtomicU64 = AtomicU64::new(0);

/// Checks that `path` can name an output file: not empty, not a directory, with a file name.
///
/// `--out ""` used to write into the working directory; this is the check that stops it.
pub fn check_output_path(path: &Path) -> io::Result<()> {
    if path.as_os_str().is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "the output path is empty",
        ));
    }
    if path.file_name().is_none() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("the output path {} does not name a file", path.display()),
        ));
    }
    if path.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("the output path {} is a directory", path.display()),
        ));
    }
    // The rename would put a regular file in place of a device, FIFO or socket: as root,
    // `--out /dev/full` replaced the device node itself.
    if let Ok(meta) = std::fs::metadata(path) {
        if !meta.is_file() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "the output path {} is not a regular file (a device, pipe or socket)",
                    path.display()
                ),
            ));
        }
    }
    Ok(())
}

/// Where a file replacing `dest` is written first: `dest` with a symbolic link followed (as
/// opening the path would: the rename replaces the file it points to, not the link) and a
/// fresh temporary path in its directory (so the final rename does not cross file systems).
///
/// # Errors
/// The error of resolving a symbolic link.
pub(crate) fn temporary_beside(dest: &Path) -> io::Result<(PathBuf, PathBuf)> {
    let mut dest = dest.to_path_buf();
    if std::fs::symlink_metadata(&dest).is_ok_and(|m| m.file_type().is_symlink()) {
        dest = std::fs::canonicalize(&dest)?;
    }
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp_name = format!(
        ".{name}.{}.{}.tmp",
        std::process::id(),
        NEXT_TMP.fetch_add(1, Ordering::Relaxed)
    );
    let tmp = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.join(tmp_name),
        _ => PathBuf::from(tmp_name),
    };
    Ok((dest, tmp))
}

/// A file being written to a temporary path, renamed into place by [`AtomicFile::commit`].
#[derive(Debug)]
pub struct AtomicFile {
    dest: PathBuf,
    tmp: PathBuf,
    writer: Option<BufWriter<File>>,
}

impl AtomicFile {
    /// Starts writing `dest`: creates a temporary file in the same directory (so the final
    /// rename does not cross file systems). The destination is untouched until `commit`.
    pub fn create(dest: impl AsRef<Path>) -> io::Result<Self> {
        let dest = dest.as_ref();
        check_output_path(dest)?;
        let (dest, tmp) = temporary_beside(dest)?;
        let file = File::options().write(true).create_new(true).open(&tmp)?;
        Ok(Self {
            dest,
            tmp,
            writer: Some(BufWriter::new(file)),
        })
    }

    /// The destination path.
    pub fn path(&self) -> &Path {
        &self.dest
    }

    /// Flushes, syncs and renames the temporary file over the destination.
    pub fn commit(mut self) -> io::Result<()> {
        let writer = self.writer.take().expect("writer present until commit");
        let file = writer.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&self.tmp, &self.dest)?;
        // The rename is durable only once the directory entry is; failing to sync a directory
        // (some file systems refuse) does not undo a rename that has happened.
        if let Some(dir) = self.dest.parent().filter(|p| !p.as_os_str().is_empty()) {
            if let Ok(d) = File::open(dir) {
                let _ = d.sync_all();
            }
        }
        Ok(())
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.writer
            .as_mut()
            .expect("writer present until commit")
            .write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.writer
            .as_mut()
            .expect("writer present until commit")
            .write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.writer
            .as_mut()
            .expect("writer present until commit")
            .flush()
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.writer.take().is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Writes `dest` whole or not at all with `fill`; on any error the destination is untouched
/// and the temporary file removed.
pub fn write_atomic<T>(
    dest: impl AsRef<Path>,
    fill: impl FnOnce(&mut AtomicFile) -> io::Result<T>,
) -> io::Result<T> {
    let mut f = AtomicFile::create(dest)?;
    let out = fill(&mut f)?;
    f.commit()?;
    Ok(out)
}

/// Writes `bytes` to `dest` whole or not at all.
pub fn write_bytes_atomic(dest: impl AsRef<Path>, bytes: &[u8]) -> io::Result<()> {
    write_atomic(dest, |f| f.write_all(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(unix)]
    use std::os::unix::fs::FileTypeExt;

    fn scratch(name: &str) -> PathBuf {
        let d =
            std::env::temp_dir().join(format!("reachgraph-output-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn entries(d: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn commit_replaces_the_destination_and_leaves_no_temporary() {
        let d = scratch("commit");
        let p = d.join("out.txt");
        std::fs::write(&p, "old").unwrap();
        write_bytes_atomic(&p, b"new contents").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new contents");
        assert_eq!(entries(&d), vec!["out.txt".to_string()]);
    }

    #[test]
    fn a_failed_fill_keeps_the_old_file_and_removes_the_temporary() {
        let d = scratch("fail");
        let p = d.join("out.txt");
        std::fs::write(&p, "old").unwrap();
        let r: io::Result<()> = write_atomic(&p, |f| {
            f.write_all(b"half of it")?;
            Err(io::Error::other("disk full"))
        });
        assert!(r.is_err());
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "old");
        assert_eq!(entries(&d), vec!["out.txt".to_string()]);
    }

    #[test]
    fn a_dropped_writer_writes_nothing() {
        let d = scratch("drop");
        let p = d.join("out.txt");
        {
            let mut f = AtomicFile::create(&p).unwrap();
            f.write_all(b"never committed").unwrap();
        }
        assert!(entries(&d).is_empty());
    }

    #[test]
    fn empty_and_directory_paths_are_refused() {
        let d = scratch("paths");
        assert_eq!(
            AtomicFile::create("").unwrap_err().kind(),
            io::ErrorKind::InvalidInput
        );
        assert_eq!(
            AtomicFile::create(&d).unwrap_err().kind(),
            io::ErrorKind::InvalidInput
        );
        assert!(entries(&d).is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn regression_a_device_or_pipe_is_refused_not_replaced() {
        // As root, the rename used to replace /dev/full with a regular file. A FIFO stands in
        // for the device, so that a regression here cannot damage the machine's /dev.
        let d = scratch("fifo");
        let fifo = d.join("pipe");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .is_ok_and(|s| s.success());
        if !made {
            return;
        }
        let e = write_bytes_atomic(&fifo, b"x").unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
        assert!(std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo());
        assert_eq!(entries(&d), vec!["pipe".to_string()]);
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_is_followed_and_kept() {
        let d = scratch("symlink");
        let target = d.join("target.txt");
        let link = d.join("link.txt");
        std::fs::write(&target, "old").unwrap();
        std::os::unix::fs::symlink(&target, &link).unwrap();
        write_bytes_atomic(&link, b"new").unwrap();
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
        assert_eq!(
            entries(&d),
            vec!["link.txt".to_string(), "target.txt".to_string()]
        );
    }

    #[test]
    fn a_missing_directory_is_an_error_not_a_panic() {
        let d = scratch("missing");
        let p = d.join("no/such/dir/out.txt");
        assert_eq!(
            write_bytes_atomic(&p, b"x").unwrap_err().kind(),
            io::ErrorKind::NotFound
        );
    }
}
