//! Walks a directory tree into archive entries, for [`super::pack_dir`] and `add_tree`.

use std::fs::{self, File, Metadata};
use std::io::Read;
use std::path::Path;

use super::{Entry, Error};

/// Calls `add` for every directory and file under `src_dir`, in sorted order, each directory
/// before its contents; names are relative to `src_dir`, under `prefix` unless it is empty.
pub(super) fn add_tree(
    src_dir: &Path,
    prefix: &str,
    mut add: impl FnMut(&Entry, &mut dyn Read) -> Result<(), Error>,
) -> Result<(), Error> {
    if !prefix.is_empty() {
        let meta = metadata(src_dir)?;
        add(&with_metadata(Entry::dir(prefix), &meta, src_dir)?, &mut std::io::empty())?;
    }
    walk(src_dir, prefix, &mut add)
}

fn walk(
    dir: &Path,
    prefix: &str,
    add: &mut impl FnMut(&Entry, &mut dyn Read) -> Result<(), Error>,
) -> Result<(), Error> {
    let read_error = |source| Error::ReadSource { path: dir.to_owned(), source };
    let mut children = Vec::new();
    for child in fs::read_dir(dir).map_err(read_error)? {
        children.push(child.map_err(read_error)?);
    }
    children.sort_by_key(|child| child.file_name());

    for child in children {
        let path = child.path();
        let file_name = child.file_name();
        let Some(file_name) = file_name.to_str() else {
            return Err(Error::NonUtf8Name { path });
        };
        let name = if prefix.is_empty() { file_name.to_owned() } else { format!("{prefix}/{file_name}") };
        let meta = metadata(&path)?;
        if meta.is_dir() {
            add(&with_metadata(Entry::dir(&name), &meta, &path)?, &mut std::io::empty())?;
            walk(&path, &name, add)?;
        } else if meta.is_file() {
            let mut file = File::open(&path).map_err(|source| Error::ReadSource { path: path.clone(), source })?;
            add(&with_metadata(Entry::file(&name, meta.len()), &meta, &path)?, &mut file)?;
        } else {
            return Err(Error::UnsupportedFileType { path });
        }
    }
    Ok(())
}

/// Metadata of `path` itself, not of what a symlink points to.
fn metadata(path: &Path) -> Result<Metadata, Error> {
    fs::symlink_metadata(path).map_err(|source| Error::ReadSource { path: path.to_owned(), source })
}

/// Copies the modification time and, on Unix, the permission bits into `entry`.
fn with_metadata(entry: Entry, meta: &Metadata, path: &Path) -> Result<Entry, Error> {
    let mtime = meta.modified().map_err(|source| Error::ReadSource { path: path.to_owned(), source })?;
    let entry = entry.mtime(mtime);
    #[cfg(unix)]
    let entry = {
        use std::os::unix::fs::PermissionsExt;
        entry.unix_mode(meta.permissions().mode())
    };
    Ok(entry)
}
