//! Parallel chunk hashing.
//!
//! Chunks are independent, so the unit of work is one chunk of one file: a fixed set of
//! threads (one per core) takes chunks in file order from a shared counter, reads each with a
//! positioned read into its own buffer and hashes it. A single large file uses every core as
//! well as many small ones do. This is blocking code; the runtime calls it from
//! `spawn_blocking`.

use std::fs::File;
use std::io;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use super::manifest::{CHUNK_SIZE, Hash, chunk_count, chunk_len};

/// A file to hash.
#[derive(Debug, Clone)]
pub struct HashJob {
    pub path: PathBuf,
    pub size: u64,
    /// Caller's tag, handed back with progress (the game the file belongs to).
    pub tag: usize,
}

/// Per-file result: every chunk hash, or the first error.
pub type HashResult = io::Result<Vec<Hash>>;

/// Hashes every chunk of every job on `threads` threads. `progress(tag, bytes)` is called
/// after each chunk, from the worker threads. Once `cancel` is set, files not yet finished
/// end with an `Interrupted` error.
pub fn hash_files(
    jobs: &[HashJob],
    threads: usize,
    cancel: &AtomicBool,
    progress: &(dyn Fn(usize, u64) + Sync),
) -> Vec<HashResult> {
    // Work items in file order, so neighbouring workers read neighbouring parts of a file.
    let units: Vec<(usize, u64)> =
        jobs.iter().enumerate().flat_map(|(f, job)| (0..chunk_count(job.size)).map(move |c| (f, c))).collect();
    let slots: Vec<Mutex<FileSlot>> = jobs
        .iter()
        .map(|job| Mutex::new(FileSlot { chunks: vec![None; chunk_count(job.size) as usize], error: None }))
        .collect();
    let failed: Vec<AtomicBool> = jobs.iter().map(|_| AtomicBool::new(false)).collect();
    let next = AtomicUsize::new(0);

    let worker = || {
        let mut buf = vec![0u8; CHUNK_SIZE as usize];
        let mut open: Option<(usize, File)> = None;
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(&(f, c)) = units.get(i) else { break };
            if failed[f].load(Ordering::Relaxed) {
                continue;
            }
            let job = &jobs[f];
            let result = (|| {
                if cancel.load(Ordering::Relaxed) {
                    return Err(io::ErrorKind::Interrupted.into());
                }
                if open.as_ref().is_none_or(|(of, _)| *of != f) {
                    open = Some((f, File::open(&job.path)?));
                }
                let Some((_, file)) = open.as_ref() else { unreachable!("opened above") };
                let len = chunk_len(job.size, c) as usize;
                read_exact_at(file, &mut buf[..len], c * CHUNK_SIZE)?;
                Ok::<_, io::Error>(Hash::of(&buf[..len]))
            })();
            // A poisoned slot only means another worker panicked; the data in it is still whole.
            let mut slot = slots[f].lock().unwrap_or_else(|p| p.into_inner());
            match result {
                Ok(hash) => {
                    slot.chunks[c as usize] = Some(hash);
                    drop(slot);
                    progress(job.tag, chunk_len(job.size, c));
                }
                Err(e) => {
                    failed[f].store(true, Ordering::Relaxed);
                    slot.error.get_or_insert(e);
                }
            }
        }
    };

    let threads = threads.max(1).min(units.len().max(1));
    std::thread::scope(|s| {
        for _ in 1..threads {
            s.spawn(worker);
        }
        worker();
    });

    slots
        .into_iter()
        .map(|slot| {
            let slot = slot.into_inner().unwrap_or_else(|p| p.into_inner());
            match slot.error {
                Some(e) => Err(e),
                // Every unit of a file without an error was hashed.
                None => Ok(slot.chunks.into_iter().map(|h| h.unwrap_or(Hash([0; 32]))).collect()),
            }
        })
        .collect()
}

struct FileSlot {
    chunks: Vec<Option<Hash>>,
    error: Option<io::Error>,
}

/// Reads exactly `buf.len()` bytes at `offset`; a file that shrank gives `UnexpectedEof`.
pub fn read_exact_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    #[cfg(unix)]
    {
        std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
    }
    #[cfg(windows)]
    {
        use std::os::windows::fs::FileExt;
        let (mut done, mut offset) = (0, offset);
        while done < buf.len() {
            match file.seek_read(&mut buf[done..], offset)? {
                0 => return Err(io::ErrorKind::UnexpectedEof.into()),
                n => {
                    done += n;
                    offset += n as u64;
                }
            }
        }
        Ok(())
    }
}

/// Cores to hash on.
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicU64;

    #[test]
    fn hashes_match_single_threaded_reference_and_report_progress() {
        let tmp = tempfile::tempdir().unwrap();
        let sizes = [0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 2 * CHUNK_SIZE + 7];
        let mut jobs = Vec::new();
        let mut datas = Vec::new();
        for (i, size) in sizes.iter().enumerate() {
            let data: Vec<u8> = (0..*size).map(|b| (b * 31 + i as u64) as u8).collect();
            let path = tmp.path().join(format!("f{i}"));
            std::fs::write(&path, &data).unwrap();
            jobs.push(HashJob { path, size: *size, tag: i });
            datas.push(data);
        }
        jobs.push(HashJob { path: tmp.path().join("missing"), size: 5, tag: 99 });
        let done = AtomicU64::new(0);
        let results = hash_files(&jobs, 3, &AtomicBool::new(false), &|_, n| {
            done.fetch_add(n, Ordering::Relaxed);
        });
        for (data, result) in datas.iter().zip(&results) {
            let want: Vec<Hash> = data.chunks(CHUNK_SIZE as usize).map(Hash::of).collect();
            assert_eq!(result.as_ref().unwrap(), &want);
        }
        assert_eq!(results.last().unwrap().as_ref().unwrap_err().kind(), io::ErrorKind::NotFound);
        assert_eq!(done.load(Ordering::Relaxed), sizes.iter().sum::<u64>());
    }

    #[test]
    fn a_file_shorter_than_declared_is_an_error() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("short");
        std::fs::write(&path, b"abc").unwrap();
        let results = hash_files(&[HashJob { path, size: 10, tag: 0 }], 2, &AtomicBool::new(false), &|_, _| {});
        assert_eq!(results[0].as_ref().unwrap_err().kind(), io::ErrorKind::UnexpectedEof);
    }
}
