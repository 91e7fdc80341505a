//! A store-only (uncompressed) RAR 5 archive writer, for making test games.
//!
//! It owns the archive bytes: the signature, main header, one file header per entry followed
//! by the entry's bytes unchanged, and the end of archive header (see `header` for the layout).
//! rarlab's UnRAR reads the result (the tests check it); every entry carries a CRC32.
//!
//! Data is streamed: each entry's bytes are copied from a [`Read`] through a fixed buffer, so
//! an archive of many GiB needs no more memory than a small one. The file header comes before
//! the data and holds the data's CRC32, so the writer needs [`Seek`]: it writes the header with
//! a zero CRC, copies the data while hashing it, then seeks back and rewrites the header (same
//! length) with the real CRC. The size of each entry must therefore be known up front.
//!
//! - [`Writer`] writes one archive to any `Write + Seek` (a file, a `Cursor<Vec<u8>>`).
//! - [`VolumeWriter`] splits the archive into volumes of at most a given size
//!   (`game.part1.rar`, `game.part2.rar`, ...), the way `rar a -v` does.
//! - [`Entry`] describes an entry in full, including deliberately hostile ones for testing an
//!   extractor's refusals: raw names (`../evil`, `C:\x`, `CON.txt`), a declared size that
//!   differs from the stored bytes, a wrong CRC.
//! - [`write_archive`], [`archive_bytes`], [`pack_dir`] and [`pack_dir_volumes`] cover the
//!   common cases in one call.
//!
//! Names are `/`-separated relative paths. [`Entry::file`] and [`Entry::dir`] names must be
//! portable (see [`check_name`]); only the `*_raw_name` constructors can write others.

mod header;
mod tree;

use std::fmt;
use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub use header::HostOs;
use header::{END_HEADER_LEN, FileHeader, FileTime, SIGNATURE};

/// Size of the buffer entry data is copied through.
const COPY_BUFFER_SIZE: usize = 1024 * 1024;

/// Unix file type bits that RAR stores with a Unix host's attributes.
const S_IFREG: u32 = 0o100000;
const S_IFDIR: u32 = 0o040000;
/// `FILE_ATTRIBUTE_DIRECTORY` and `FILE_ATTRIBUTE_ARCHIVE`.
const WINDOWS_DIRECTORY: u32 = 0x10;
const WINDOWS_ARCHIVE: u32 = 0x20;

/// Longest name component most file systems accept, in bytes.
const MAX_COMPONENT_LEN: usize = 255;

/// The modification time the one-call helpers give every entry, so that the same input makes
/// the same bytes: 2024-01-01T00:00:00Z.
pub const FIXED_MTIME_UNIX_SECS: u64 = 1_704_067_200;

/// Seconds from 1601-01-01 (FILETIME's epoch) to 1970-01-01.
const FILETIME_EPOCH_OFFSET_SECS: u64 = 11_644_473_600;

/// Errors of the RAR writer.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("entry name {name:?} {reason}; use a *_raw_name constructor for deliberately bad names")]
    InvalidName { name: String, reason: &'static str },
    #[error("directory entry {name:?} cannot have data (size {size})")]
    DirectoryWithData { name: String, size: u64 },
    #[error("header of entry {name:?} would be {size} bytes, over RAR's 2 MiB limit")]
    HeaderTooLarge { name: String, size: u64 },
    #[error("modification time of entry {name:?} cannot be stored (before 1601)")]
    TimeOutOfRange { name: String },
    #[error("data of entry {name:?} ended after {actual} of its {expected} bytes")]
    DataTooShort { name: String, expected: u64, actual: u64 },
    #[error("data of entry {name:?} is longer than its declared {expected} bytes")]
    DataTooLong { name: String, expected: u64 },
    #[error("reading the data of entry {name:?} failed")]
    ReadData { name: String, source: io::Error },
    #[error("writing the archive failed")]
    Write(#[source] io::Error),
    #[error("opening volume {number} failed")]
    OpenVolume { number: u32, source: io::Error },
    #[error(
        "volume size {volume_size} bytes is too small for entry {name:?}: it needs volumes of {needed} bytes or more"
    )]
    VolumeTooSmall { name: String, volume_size: u64, needed: u64 },
    #[error("an earlier error left the archive incomplete; start a new one")]
    Poisoned,
    #[error("creating archive {path} failed")]
    Create { path: PathBuf, source: io::Error },
    #[error("reading {path} failed")]
    ReadSource { path: PathBuf, source: io::Error },
    #[error("{path} is neither a regular file nor a directory (symlinks are not packed)")]
    UnsupportedFileType { path: PathBuf },
    #[error("name of {path} is not UTF-8")]
    NonUtf8Name { path: PathBuf },
}

/// One archive entry: a file or a directory, with its metadata.
///
/// Build one with [`Entry::file`] or [`Entry::dir`] and adjust it with the chained setters;
/// defaults are a Unix host, mode 0644 for files and 0755 for directories, no time.
///
/// ```
/// use lanparty_testkit::rar5::{Entry, Writer};
/// use std::io::Cursor;
///
/// let mut writer = Writer::new(Cursor::new(Vec::new()))?;
/// writer.add(&Entry::file("Game/start.sh", 10).unix_mode(0o755), &b"#!/bin/sh\n"[..])?;
/// // Hostile: a name escaping the destination, and a size that lies.
/// writer.add(&Entry::file_raw_name("../evil", 4), &b"evil"[..])?;
/// writer.add(&Entry::file("big.bin", 3).declared_size(1 << 40), &b"abc"[..])?;
/// let archive = writer.finish()?.into_inner();
/// # Ok::<(), lanparty_testkit::rar5::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    name: Vec<u8>,
    is_name_checked: bool,
    is_dir: bool,
    size: u64,
    mtime: Option<SystemTime>,
    host_os: HostOs,
    /// Permission bits (Unix) or attributes (Windows); `None` for the defaults.
    attributes: Option<u32>,
    declared_size: Option<u64>,
    has_wrong_crc: bool,
}

impl Entry {
    /// A regular file of `size` bytes named `name` (a portable `/`-separated relative path).
    pub fn file(name: &str, size: u64) -> Self {
        Self::new(name.as_bytes().to_vec(), true, false, size)
    }

    /// A directory named `name` (a portable `/`-separated relative path, no trailing `/`).
    pub fn dir(name: &str) -> Self {
        Self::new(name.as_bytes().to_vec(), true, true, 0)
    }

    /// Hostile: a file whose name is stored exactly as given, unchecked and maybe not UTF-8.
    pub fn file_raw_name(name: impl Into<Vec<u8>>, size: u64) -> Self {
        Self::new(name.into(), false, false, size)
    }

    /// Hostile: a directory whose name is stored exactly as given, unchecked.
    pub fn dir_raw_name(name: impl Into<Vec<u8>>) -> Self {
        Self::new(name.into(), false, true, 0)
    }

    fn new(name: Vec<u8>, is_name_checked: bool, is_dir: bool, size: u64) -> Self {
        Entry {
            name,
            is_name_checked,
            is_dir,
            size,
            mtime: None,
            host_os: HostOs::Unix,
            attributes: None,
            declared_size: None,
            has_wrong_crc: false,
        }
    }

    /// Stores a modification time (a high precision time record: Unix seconds and
    /// nanoseconds from 1970 to 2106, Windows FILETIME otherwise).
    pub fn mtime(mut self, mtime: SystemTime) -> Self {
        self.mtime = Some(mtime);
        self
    }

    /// Marks the entry as made on Unix with these permission bits (`0o755`); the file type bits
    /// are added. This is the default host.
    pub fn unix_mode(mut self, mode: u32) -> Self {
        self.host_os = HostOs::Unix;
        self.attributes = Some(mode & 0o7777);
        self
    }

    /// Marks the entry as made on Windows with these `FILE_ATTRIBUTE_*` bits (`0x01` read-only);
    /// directories get `FILE_ATTRIBUTE_DIRECTORY` added. Default attributes: archive (0x20).
    pub fn windows_attributes(mut self, attributes: u32) -> Self {
        self.host_os = HostOs::Windows;
        self.attributes = Some(attributes);
        self
    }

    /// Marks the entry as made on `host_os` with its default attributes.
    pub fn host_os(mut self, host_os: HostOs) -> Self {
        self.host_os = host_os;
        self.attributes = None;
        self
    }

    /// Hostile: the header claims `size` bytes after extraction, while the archive stores the
    /// entry's real bytes (the `size` given to [`Entry::file`]).
    pub fn declared_size(mut self, size: u64) -> Self {
        self.declared_size = Some(size);
        self
    }

    /// Hostile: stores a CRC32 that does not match the data (the real one inverted). For a file
    /// split over volumes only the final, whole-file CRC is wrong.
    pub fn wrong_crc(mut self) -> Self {
        self.has_wrong_crc = true;
        self
    }

    /// The name as it will be stored.
    pub fn name(&self) -> &[u8] {
        &self.name
    }

    /// Number of data bytes the entry stores.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Whether this is a directory entry.
    pub fn is_dir(&self) -> bool {
        self.is_dir
    }

    fn display_name(&self) -> String {
        String::from_utf8_lossy(&self.name).into_owned()
    }

    fn stored_attributes(&self) -> u64 {
        let attributes = match (self.host_os, self.is_dir) {
            (HostOs::Unix, false) => S_IFREG | self.attributes.unwrap_or(0o644),
            (HostOs::Unix, true) => S_IFDIR | self.attributes.unwrap_or(0o755),
            (HostOs::Windows, false) => self.attributes.unwrap_or(WINDOWS_ARCHIVE),
            (HostOs::Windows, true) => WINDOWS_DIRECTORY | self.attributes.unwrap_or(0),
        };
        u64::from(attributes)
    }
}

/// Checks that `name` is a portable relative path: `/`-separated components that are not
/// empty, `.` or `..`, at most 255 bytes, without backslashes, control characters or the
/// characters Windows forbids (`<>:"|?*`), not ending in a dot or space, and not a Windows
/// device name (`CON`, `nul.txt`, `COM1`, ...). Returns what is wrong.
pub fn check_name(name: &str) -> Result<(), &'static str> {
    if name.is_empty() {
        return Err("is empty");
    }
    if name.starts_with('/') {
        return Err("is absolute");
    }
    for component in name.split('/') {
        check_component(component)?;
    }
    Ok(())
}

fn check_component(component: &str) -> Result<(), &'static str> {
    if component.is_empty() {
        return Err("has an empty component (a doubled or trailing '/')");
    }
    if component == "." || component == ".." {
        return Err("has a '.' or '..' component");
    }
    if component.len() > MAX_COMPONENT_LEN {
        return Err("has a component longer than 255 bytes");
    }
    if component.contains('\\') {
        return Err("contains a backslash (the separator is '/')");
    }
    if component.chars().any(char::is_control) {
        return Err("contains a control character");
    }
    if component.contains(['<', '>', ':', '"', '|', '?', '*']) {
        return Err("contains a character Windows forbids in names (<>:\"|?*)");
    }
    if component.ends_with(['.', ' ']) {
        return Err("has a component ending in a dot or space, which Windows drops");
    }
    let stem = component.split('.').next().unwrap_or(component).trim_end();
    let is_device = ["CON", "PRN", "AUX", "NUL"].iter().any(|d| stem.eq_ignore_ascii_case(d))
        || (stem.len() == 4
            && (stem[..3].eq_ignore_ascii_case("COM") || stem[..3].eq_ignore_ascii_case("LPT"))
            && matches!(stem.as_bytes()[3], b'1'..=b'9'));
    if is_device {
        return Err("has a component that is a Windows device name");
    }
    Ok(())
}

/// Converts a time to the form RAR stores; `None` before 1601 or after year 30828.
fn file_time(time: SystemTime) -> Option<FileTime> {
    const TICKS_PER_SEC: u64 = 10_000_000;
    let epoch_ticks = FILETIME_EPOCH_OFFSET_SECS * TICKS_PER_SEC;
    match time.duration_since(UNIX_EPOCH) {
        Ok(since) => match u32::try_from(since.as_secs()) {
            Ok(secs) => Some(FileTime::Unix { secs, nanos: since.subsec_nanos() }),
            Err(_) => since
                .as_secs()
                .checked_mul(TICKS_PER_SEC)?
                .checked_add(u64::from(since.subsec_nanos() / 100))?
                .checked_add(epoch_ticks)
                .map(FileTime::Windows),
        },
        Err(before) => {
            let before = before.duration();
            // Round up to whole ticks so that the stored time is not later than the real one.
            let ticks = before
                .as_secs()
                .checked_mul(TICKS_PER_SEC)?
                .checked_add(u64::from(before.subsec_nanos().div_ceil(100)))?;
            epoch_ticks.checked_sub(ticks).map(FileTime::Windows)
        }
    }
}

/// The time the one-call helpers store, [`FIXED_MTIME_UNIX_SECS`].
pub fn fixed_mtime() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(FIXED_MTIME_UNIX_SECS)
}

/// Opens volume N (0-based) of a multi-volume archive.
type OpenVolume<W> = Box<dyn FnMut(u32) -> io::Result<W>>;

/// Where the archive goes: one output, or a series of volumes.
struct Output<W> {
    current: W,
    /// Bytes written to the current volume so far.
    volume_len: u64,
    /// `volume_len` right after the signature and main header, when the volume holds no entry.
    empty_volume_len: u64,
    volumes: Option<Volumes<W>>,
}

struct Volumes<W> {
    volume_size: u64,
    open: OpenVolume<W>,
    /// 0-based number of the current volume.
    number: u32,
    finished: Vec<W>,
}

/// The writing engine shared by [`Writer`] and [`VolumeWriter`].
struct Core<W> {
    out: Output<W>,
    buf: Vec<u8>,
    /// Set once an error happened while an entry was being written.
    is_poisoned: bool,
}

impl<W> fmt::Debug for Core<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Core")
            .field("volume_len", &self.out.volume_len)
            .field("volume_size", &self.out.volumes.as_ref().map(|v| v.volume_size))
            .field("volume_number", &self.out.volumes.as_ref().map(|v| v.number))
            .field("is_poisoned", &self.is_poisoned)
            .finish_non_exhaustive()
    }
}

impl<W: Write + Seek> Core<W> {
    fn start(mut current: W, volumes: Option<Volumes<W>>) -> Result<Self, Error> {
        let volume_number = volumes.as_ref().map(|v| v.number);
        let volume_len = write_archive_start(&mut current, volume_number)?;
        Ok(Core {
            out: Output { current, volume_len, empty_volume_len: volume_len, volumes },
            buf: vec![0; COPY_BUFFER_SIZE],
            is_poisoned: false,
        })
    }

    fn add(&mut self, entry: &Entry, data: impl Read) -> Result<(), Error> {
        if self.is_poisoned {
            return Err(Error::Poisoned);
        }
        let name = entry.display_name();
        if entry.is_name_checked {
            // Checked names were built from a `&str`.
            let text = std::str::from_utf8(&entry.name)
                .map_err(|_| Error::InvalidName { name: name.clone(), reason: "is not UTF-8" })?;
            check_name(text).map_err(|reason| Error::InvalidName { name: name.clone(), reason })?;
        }
        if entry.is_dir && entry.size != 0 {
            return Err(Error::DirectoryWithData { name, size: entry.size });
        }
        let mtime = match entry.mtime {
            Some(time) => Some(file_time(time).ok_or_else(|| Error::TimeOutOfRange { name: name.clone() })?),
            None => None,
        };
        let template = FileHeader {
            name: &entry.name,
            is_dir: entry.is_dir,
            unpacked_size: entry.declared_size.unwrap_or(entry.size),
            data_size: entry.size,
            crc32: 0,
            attributes: entry.stored_attributes(),
            host_os: entry.host_os,
            mtime,
            is_split_before: false,
            is_split_after: false,
        };
        // Checks the size limit before anything is written; later parts differ only in flags
        // and a smaller data size, so they are never longer.
        header::file_header(&template).map_err(|e| Error::HeaderTooLarge { name: name.clone(), size: e.size })?;

        let result = self.write_entry(entry, &name, template, data);
        if result.is_err() {
            self.is_poisoned = true;
        }
        result
    }

    /// Writes the entry's header(s) and data, splitting it over volumes where needed.
    fn write_entry(
        &mut self,
        entry: &Entry,
        name: &str,
        template: FileHeader<'_>,
        mut data: impl Read,
    ) -> Result<(), Error> {
        let mut file_crc = crc32fast::Hasher::new();
        let mut remaining = entry.size;
        let mut is_first_part = true;
        loop {
            let mut part = FileHeader { data_size: remaining, is_split_before: !is_first_part, ..template.clone() };
            let part_size = self.plan_part(&part, name)?;
            let is_last_part = part_size == remaining;
            part.data_size = part_size;
            part.is_split_after = !is_last_part;

            let header_at = self.out.current.stream_position().map_err(Error::Write)?;
            let placeholder = encode(&part, name)?;
            self.out.current.write_all(&placeholder).map_err(Error::Write)?;
            let part_crc = self.copy_data(&mut data, part_size, &mut file_crc, name, entry.size - remaining)?;
            remaining -= part_size;

            // RAR 5: a part continuing in the next volume carries the CRC32 of its own bytes,
            // the last part the CRC32 of the whole file.
            part.crc32 = if is_last_part {
                let crc = file_crc.clone().finalize();
                if entry.has_wrong_crc { !crc } else { crc }
            } else {
                part_crc
            };
            let final_header = encode(&part, name)?;
            // Only the fixed-size CRC field changed, so the header keeps its length and the
            // data after it stays in place.
            assert_eq!(final_header.len(), placeholder.len(), "a header changed length when its CRC was set");
            let end = header_at + placeholder.len() as u64 + part_size;
            let out = &mut self.out.current;
            out.seek(SeekFrom::Start(header_at)).map_err(Error::Write)?;
            out.write_all(&final_header).map_err(Error::Write)?;
            out.seek(SeekFrom::Start(end)).map_err(Error::Write)?;
            self.out.volume_len += placeholder.len() as u64 + part_size;

            if is_last_part {
                break;
            }
            self.next_volume()?;
            is_first_part = false;
        }
        // One byte more than declared means the caller's size was wrong.
        let mut probe = [0; 1];
        match read_full(&mut data, &mut probe) {
            Ok(0) => Ok(()),
            Ok(_) => Err(Error::DataTooLong { name: name.to_owned(), expected: entry.size }),
            Err(source) => Err(Error::ReadData { name: name.to_owned(), source }),
        }
    }

    /// How many of `part.data_size` bytes go into the current volume; starts a new volume
    /// first when not even the header and one byte fit.
    fn plan_part(&mut self, part: &FileHeader<'_>, name: &str) -> Result<u64, Error> {
        loop {
            let Some(volumes) = &self.out.volumes else {
                return Ok(part.data_size);
            };
            let header_len = encode(part, name)?.len() as u64;
            let room = volumes.volume_size.saturating_sub(self.out.volume_len + END_HEADER_LEN);
            let least = header_len + part.data_size.min(1);
            if room >= least {
                return Ok(part.data_size.min(room - header_len));
            }
            if self.out.volume_len == self.out.empty_volume_len {
                return Err(Error::VolumeTooSmall {
                    name: name.to_owned(),
                    volume_size: volumes.volume_size,
                    needed: self.out.empty_volume_len + least + END_HEADER_LEN,
                });
            }
            self.next_volume()?;
        }
    }

    /// Copies exactly `len` bytes from `data` to the output; returns their CRC32 and adds them
    /// to `file_crc`. `offset` is where in the entry they start, for error messages.
    fn copy_data(
        &mut self,
        data: &mut impl Read,
        len: u64,
        file_crc: &mut crc32fast::Hasher,
        name: &str,
        offset: u64,
    ) -> Result<u32, Error> {
        let mut part_crc = crc32fast::Hasher::new();
        let mut left = len;
        while left > 0 {
            let want = usize::try_from(left).unwrap_or(usize::MAX).min(self.buf.len());
            let chunk = &mut self.buf[..want];
            let got = read_full(data, chunk).map_err(|source| Error::ReadData { name: name.to_owned(), source })?;
            if got == 0 {
                let expected = offset + len;
                return Err(Error::DataTooShort { name: name.to_owned(), expected, actual: expected - left });
            }
            let chunk = &chunk[..got];
            part_crc.update(chunk);
            file_crc.update(chunk);
            self.out.current.write_all(chunk).map_err(Error::Write)?;
            left -= got as u64;
        }
        Ok(part_crc.finalize())
    }

    /// Ends the current volume and starts the next one.
    fn next_volume(&mut self) -> Result<(), Error> {
        let Some(volumes) = &mut self.out.volumes else {
            unreachable!("only a multi-volume output runs out of room");
        };
        let current = &mut self.out.current;
        current.write_all(&header::end_header(true)).map_err(Error::Write)?;
        current.flush().map_err(Error::Write)?;
        let number = volumes.number.checked_add(1).ok_or_else(|| Error::OpenVolume {
            number: u32::MAX,
            source: io::Error::other("a volume set cannot have more than 2^32 volumes"),
        })?;
        let mut next = (volumes.open)(number).map_err(|source| Error::OpenVolume { number, source })?;
        let volume_len = write_archive_start(&mut next, Some(number))?;
        volumes.number = number;
        volumes.finished.push(std::mem::replace(&mut self.out.current, next));
        self.out.volume_len = volume_len;
        self.out.empty_volume_len = volume_len;
        Ok(())
    }

    /// Writes the end of archive header; returns every volume written (one without volumes).
    fn finish(mut self) -> Result<Vec<W>, Error> {
        if self.is_poisoned {
            return Err(Error::Poisoned);
        }
        let current = &mut self.out.current;
        current.write_all(&header::end_header(false)).map_err(Error::Write)?;
        current.flush().map_err(Error::Write)?;
        let mut all = self.out.volumes.map(|v| v.finished).unwrap_or_default();
        all.push(self.out.current);
        Ok(all)
    }
}

fn encode(part: &FileHeader<'_>, name: &str) -> Result<Vec<u8>, Error> {
    header::file_header(part).map_err(|e| Error::HeaderTooLarge { name: name.to_owned(), size: e.size })
}

/// Writes the signature and main header; returns how many bytes that took.
fn write_archive_start(out: &mut impl Write, volume_number: Option<u32>) -> Result<u64, Error> {
    let main = header::main_header(volume_number);
    out.write_all(&SIGNATURE).map_err(Error::Write)?;
    out.write_all(&main).map_err(Error::Write)?;
    Ok((SIGNATURE.len() + main.len()) as u64)
}

/// Reads until `buf` is full or the input ends; returns the number of bytes read.
fn read_full(data: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match data.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Writes a single-volume RAR 5 archive, entry by entry.
///
/// The signature and main header are written by [`Writer::new`], the end of archive header by
/// [`Writer::finish`]; an archive that is not finished is truncated. After an error while
/// writing an entry (IO, or data of the wrong length), every further call fails with
/// [`Error::Poisoned`]; errors found before writing (a bad name, say) leave the writer usable.
///
/// ```
/// use lanparty_testkit::rar5::Writer;
/// use std::time::SystemTime;
///
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("game.rar");
/// let mut writer = Writer::create(&path)?;
/// writer.add_dir("Spiel")?;
/// writer.add_file("Spiel/readme.txt", &b"hello"[..], 5, SystemTime::now())?;
/// writer.finish()?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Writer<W> {
    core: Core<W>,
}

impl Writer<BufWriter<File>> {
    /// Creates (or truncates) the file at `path` and starts an archive in it.
    pub fn create(path: &Path) -> Result<Self, Error> {
        let file = File::create(path).map_err(|source| Error::Create { path: path.to_owned(), source })?;
        Writer::new(BufWriter::new(file))
    }
}

impl<W: Write + Seek> Writer<W> {
    /// Starts an archive at the current position of `out`.
    pub fn new(out: W) -> Result<Self, Error> {
        Ok(Writer { core: Core::start(out, None)? })
    }

    /// Adds `entry`, copying exactly `entry.size()` bytes from `data` (use `io::empty()` for a
    /// directory). Fails with [`Error::DataTooShort`] or [`Error::DataTooLong`] when `data`
    /// holds another number of bytes.
    pub fn add(&mut self, entry: &Entry, data: impl Read) -> Result<(), Error> {
        self.core.add(entry, data)
    }

    /// Adds a file of `size` bytes read from `data`.
    pub fn add_file(&mut self, name: &str, data: impl Read, size: u64, mtime: SystemTime) -> Result<(), Error> {
        self.add(&Entry::file(name, size).mtime(mtime), data)
    }

    /// Adds a directory entry without a time. Extractors create parent directories of files
    /// anyway; an entry is needed for empty directories.
    pub fn add_dir(&mut self, name: &str) -> Result<(), Error> {
        self.add(&Entry::dir(name), io::empty())
    }

    /// Hostile: adds a file whose name is stored as given, unchecked (`../evil`, `C:\x`).
    pub fn add_file_raw_name(&mut self, raw_name: &[u8], data: impl Read, size: u64) -> Result<(), Error> {
        self.add(&Entry::file_raw_name(raw_name, size), data)
    }

    /// Adds the tree under `src_dir` (see [`pack_dir`]); `prefix` (empty for none) is a
    /// directory inside the archive to put it under.
    pub fn add_tree(&mut self, src_dir: &Path, prefix: &str) -> Result<(), Error> {
        tree::add_tree(src_dir, prefix, |entry, data| self.add(entry, data))
    }

    /// Writes the end of archive header, flushes and returns the output.
    pub fn finish(self) -> Result<W, Error> {
        let mut all = self.core.finish()?;
        // A single-volume core finishes with exactly one output.
        Ok(all.pop().expect("one output"))
    }
}

/// Writes a RAR 5 archive split into volumes of at most `volume_size` bytes each.
///
/// Files are split across volumes as RAR does: each part has its own file header with the
/// split flags, the first volume is marked as a volume, the later ones carry their number. Every
/// volume but the last is exactly full or short by less than one file header.
///
/// ```
/// use lanparty_testkit::{pattern, rar5::VolumeWriter};
///
/// let dir = tempfile::tempdir()?;
/// let mut writer = VolumeWriter::create(dir.path(), "game", 64 * 1024)?;
/// writer.add_file("data.bin", pattern::pattern(1, 200_000), 200_000, std::time::SystemTime::now())?;
/// let paths = writer.finish()?;
/// assert_eq!(paths.len(), 4);
/// assert!(paths[0].ends_with("game.part1.rar"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct VolumeWriter<W> {
    core: Core<W>,
}

/// File name of volume `number` (1-based) of a set: `{stem}.part{number}.rar`. The number is
/// not zero-padded; UnRAR finds `part10` after `part9`.
pub fn volume_file_name(stem: &str, number: u32) -> String {
    format!("{stem}.part{number}.rar")
}

/// A [`VolumeWriter`] over files that remembers their paths.
#[derive(Debug)]
pub struct VolumeFiles {
    writer: VolumeWriter<BufWriter<File>>,
    dir: PathBuf,
    stem: String,
}

impl VolumeWriter<BufWriter<File>> {
    /// Writes the volumes as `dir/{stem}.part1.rar`, `dir/{stem}.part2.rar`, ...
    pub fn create(dir: &Path, stem: &str, volume_size: u64) -> Result<VolumeFiles, Error> {
        let (dir_owned, stem_owned) = (dir.to_owned(), stem.to_owned());
        let open = move |number: u32| {
            let path = dir_owned.join(volume_file_name(&stem_owned, number + 1));
            match File::create(&path) {
                Ok(file) => Ok(BufWriter::new(file)),
                Err(e) => Err(io::Error::new(e.kind(), format!("creating {}: {e}", path.display()))),
            }
        };
        let writer = VolumeWriter::new(volume_size, open)?;
        Ok(VolumeFiles { writer, dir: dir.to_owned(), stem: stem.to_owned() })
    }
}

impl<W: Write + Seek> VolumeWriter<W> {
    /// Starts a multi-volume archive; `open_volume(n)` creates volume `n` (0-based), starting
    /// with volume 0 right away.
    pub fn new(volume_size: u64, mut open_volume: impl FnMut(u32) -> io::Result<W> + 'static) -> Result<Self, Error> {
        let first = open_volume(0).map_err(|source| Error::OpenVolume { number: 0, source })?;
        let volumes = Volumes { volume_size, open: Box::new(open_volume), number: 0, finished: Vec::new() };
        Ok(VolumeWriter { core: Core::start(first, Some(volumes))? })
    }

    /// See [`Writer::add`].
    pub fn add(&mut self, entry: &Entry, data: impl Read) -> Result<(), Error> {
        self.core.add(entry, data)
    }

    /// See [`Writer::add_file`].
    pub fn add_file(&mut self, name: &str, data: impl Read, size: u64, mtime: SystemTime) -> Result<(), Error> {
        self.add(&Entry::file(name, size).mtime(mtime), data)
    }

    /// See [`Writer::add_dir`].
    pub fn add_dir(&mut self, name: &str) -> Result<(), Error> {
        self.add(&Entry::dir(name), io::empty())
    }

    /// See [`Writer::add_tree`].
    pub fn add_tree(&mut self, src_dir: &Path, prefix: &str) -> Result<(), Error> {
        tree::add_tree(src_dir, prefix, |entry, data| self.add(entry, data))
    }

    /// Writes the last end of archive header and returns every volume, first to last.
    pub fn finish(self) -> Result<Vec<W>, Error> {
        self.core.finish()
    }
}

impl VolumeFiles {
    /// See [`Writer::add`].
    pub fn add(&mut self, entry: &Entry, data: impl Read) -> Result<(), Error> {
        self.writer.add(entry, data)
    }

    /// See [`Writer::add_file`].
    pub fn add_file(&mut self, name: &str, data: impl Read, size: u64, mtime: SystemTime) -> Result<(), Error> {
        self.writer.add_file(name, data, size, mtime)
    }

    /// See [`Writer::add_dir`].
    pub fn add_dir(&mut self, name: &str) -> Result<(), Error> {
        self.writer.add_dir(name)
    }

    /// See [`Writer::add_tree`].
    pub fn add_tree(&mut self, src_dir: &Path, prefix: &str) -> Result<(), Error> {
        self.writer.add_tree(src_dir, prefix)
    }

    /// Finishes the set; returns the paths of the volumes, first to last.
    pub fn finish(self) -> Result<Vec<PathBuf>, Error> {
        let count = self.writer.finish()?.len();
        // Volume numbers (0-based) are u32 and never wrap (`next_volume`), so the count fits.
        let count = u32::try_from(count).expect("at most 2^32 - 1 volumes");
        Ok((1..=count).map(|n| self.dir.join(volume_file_name(&self.stem, n))).collect())
    }
}

/// Writes an archive at `path` holding `files` (name, contents) in order, each with
/// [`fixed_mtime`]. Parent directories get no entries of their own.
pub fn write_archive(path: &Path, files: &[(&str, &[u8])]) -> Result<(), Error> {
    let mut writer = Writer::create(path)?;
    for &(name, contents) in files {
        writer.add_file(name, contents, contents.len() as u64, fixed_mtime())?;
    }
    writer.finish()?;
    Ok(())
}

/// Like [`write_archive`], returning the archive's bytes.
pub fn archive_bytes(files: &[(&str, &[u8])]) -> Result<Vec<u8>, Error> {
    let mut writer = Writer::new(io::Cursor::new(Vec::new()))?;
    for &(name, contents) in files {
        writer.add_file(name, contents, contents.len() as u64, fixed_mtime())?;
    }
    Ok(writer.finish()?.into_inner())
}

/// Packs the tree under `src_dir` into an archive at `out`.
///
/// Entries are named relative to `src_dir`, in sorted order, every directory (empty or not)
/// before its contents, with their modification times and (on Unix) permission bits. Symlinks
/// and other special files are refused, as are names that [`check_name`] refuses.
pub fn pack_dir(src_dir: &Path, out: &Path) -> Result<(), Error> {
    let mut writer = Writer::create(out)?;
    writer.add_tree(src_dir, "")?;
    writer.finish()?;
    Ok(())
}

/// Like [`pack_dir`], writing volumes of at most `volume_size` bytes named
/// `out_dir/{stem}.part1.rar`, ...; returns their paths.
pub fn pack_dir_volumes(src_dir: &Path, out_dir: &Path, stem: &str, volume_size: u64) -> Result<Vec<PathBuf>, Error> {
    let mut writer = VolumeWriter::create(out_dir, stem, volume_size)?;
    writer.add_tree(src_dir, "")?;
    writer.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    #[test]
    fn portable_names() {
        for good in ["a", "Spiel/Übung ä.txt", "a/b/c.d", ".hidden", "x..y", "CONSOLE.txt", "COM0", "LPT10"] {
            assert_eq!(check_name(good), Ok(()), "{good:?}");
        }
        for bad in [
            "",
            "/a",
            "a/",
            "a//b",
            ".",
            "..",
            "a/../b",
            "./a",
            "a\\b",
            "C:\\x",
            "C:x",
            "a\u{0}b",
            "a\nb",
            "a?",
            "a*",
            "a|b",
            "a<b",
            "a\"b",
            "a.",
            "a ",
            "dir./x",
            "CON",
            "con.txt",
            "Nul",
            "aux.tar.gz",
            "COM1",
            "lpt9.log",
            "x/PRN",
        ] {
            assert!(check_name(bad).is_err(), "{bad:?} should be refused");
        }
        assert!(check_name(&"x".repeat(255)).is_ok());
        assert!(check_name(&"x".repeat(256)).is_err());
    }

    #[test]
    fn times() {
        let t = |secs: u64, nanos: u32| UNIX_EPOCH + Duration::new(secs, nanos);
        assert_eq!(file_time(t(0, 0)), Some(FileTime::Unix { secs: 0, nanos: 0 }));
        assert_eq!(file_time(t(1_704_067_200, 5)), Some(FileTime::Unix { secs: 1_704_067_200, nanos: 5 }));
        assert_eq!(file_time(t(u64::from(u32::MAX), 0)), Some(FileTime::Unix { secs: u32::MAX, nanos: 0 }));
        // Past 2106 and before 1970: FILETIME, 100 ns ticks since 1601.
        let after = u64::from(u32::MAX) + 1;
        assert_eq!(
            file_time(t(after, 250)),
            Some(FileTime::Windows((after + FILETIME_EPOCH_OFFSET_SECS) * 10_000_000 + 2))
        );
        let before = UNIX_EPOCH - Duration::new(1, 50);
        assert_eq!(file_time(before), Some(FileTime::Windows((FILETIME_EPOCH_OFFSET_SECS - 1) * 10_000_000 - 1)));
        let windows_epoch = UNIX_EPOCH - Duration::from_secs(FILETIME_EPOCH_OFFSET_SECS);
        assert_eq!(file_time(windows_epoch), Some(FileTime::Windows(0)));
        assert_eq!(file_time(windows_epoch - Duration::from_secs(1)), None);
    }

    #[test]
    fn archive_layout() {
        let bytes = archive_bytes(&[("a", b"x")]).unwrap();
        assert_eq!(bytes[..8], SIGNATURE);
        assert_eq!(bytes[8..16], header::main_header(None));
        assert_eq!(bytes[bytes.len() - 8..], header::end_header(false));
        // The one file header holds the data's CRC32, and the data follows it.
        let file = &bytes[16..bytes.len() - 8];
        let crc = crc32fast::hash(b"x").to_le_bytes();
        assert!(file.windows(4).any(|w| w == crc));
        assert_eq!(file.last(), Some(&b'x'));
        assert_eq!(file[..4], crc32fast::hash(&file[4..file.len() - 1]).to_le_bytes());
        // Deterministic: the same input makes the same bytes.
        assert_eq!(archive_bytes(&[("a", b"x")]).unwrap(), bytes);
    }

    #[test]
    fn wrong_data_length_is_refused_and_poisons() {
        let mut writer = Writer::new(Cursor::new(Vec::new())).unwrap();
        let err = writer.add(&Entry::file("a", 5), &b"abc"[..]).unwrap_err();
        assert!(matches!(err, Error::DataTooShort { expected: 5, actual: 3, .. }), "{err}");
        assert!(matches!(writer.add_dir("d"), Err(Error::Poisoned)));
        assert!(matches!(writer.finish(), Err(Error::Poisoned)));

        let mut writer = Writer::new(Cursor::new(Vec::new())).unwrap();
        let err = writer.add(&Entry::file("a", 2), &b"abc"[..]).unwrap_err();
        assert!(matches!(err, Error::DataTooLong { expected: 2, .. }), "{err}");
    }

    #[test]
    fn bad_entries_are_refused_before_writing() {
        let mut writer = Writer::new(Cursor::new(Vec::new())).unwrap();
        let err = writer.add(&Entry::file("../evil", 0), io::empty()).unwrap_err();
        assert!(matches!(err, Error::InvalidName { .. }), "{err}");
        let err = writer.add(&Entry::dir("d").declared_size(1), io::empty());
        assert!(err.is_ok(), "a declared size on a directory is allowed (hostile)");
        let mut dir_with_data = Entry::dir("e");
        dir_with_data.size = 1;
        let err = writer.add(&dir_with_data, &b"x"[..]).unwrap_err();
        assert!(matches!(err, Error::DirectoryWithData { .. }), "{err}");
        let err = writer.add(&Entry::file_raw_name(vec![b'x'; 3 << 20], 0), io::empty()).unwrap_err();
        assert!(matches!(err, Error::HeaderTooLarge { .. }), "{err}");
        // None of these poisoned the writer.
        writer.add(&Entry::file_raw_name("../evil", 0), io::empty()).unwrap();
        writer.finish().unwrap();
    }

    #[test]
    fn attributes() {
        assert_eq!(Entry::file("a", 0).stored_attributes(), 0o100644);
        assert_eq!(Entry::dir("a").stored_attributes(), 0o040755);
        assert_eq!(Entry::file("a", 0).unix_mode(0o100755).stored_attributes(), 0o100755);
        assert_eq!(Entry::file("a", 0).host_os(HostOs::Windows).stored_attributes(), 0x20);
        assert_eq!(Entry::dir("a").windows_attributes(0x01).stored_attributes(), 0x11);
    }
}
