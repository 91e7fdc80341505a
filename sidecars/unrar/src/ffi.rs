//! The only module that calls into UnRAR, the C++ library that `unrar_sys` vendors and builds.
//!
//! The `unrar` crate's safe wrapper is not enough here: it hands an entry's data back as one
//! `Vec` (a 20 GB file would sit in memory) or lets the library create the file itself at a path
//! the library joins, and its `FileHeader` carries no redirection (link) record. The DLL API
//! underneath offers what we need: `RARReadHeaderEx` reports `RedirType`, and
//! `RARProcessFileW(RAR_TEST)` decompresses and verifies an entry while passing every
//! decompressed block to a callback, without the library creating or opening any output file.
//! So UnRAR only ever *reads* here; every byte that reaches the disk is written by our code, at a
//! path our code computed.
//!
//! `unrar_sys` declares `HeaderDataEx` and `OpenArchiveDataEx` as `repr(C)`, but the vendored
//! `dll.hpp` declares them inside `#pragma pack(push, 1)`. From the first pointer field on, the
//! two layouts differ (on 64-bit Unix, `unrar_sys`'s `redir_type` sits 4 bytes after the C
//! `RedirType`), so this module declares both structs itself, packed, field for field as in
//! UnRAR 7.1.0's `dll.hpp`, and hands them to `unrar_sys`'s functions through pointer casts.
//!
//! Threading: an [`Archive`] holds a raw handle and is neither `Send` nor `Sync`; the sidecar is
//! single-threaded.

#![allow(unsafe_code)]

use std::ffi::{c_char, c_int, c_uint, c_void};
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::ptr::NonNull;

use unrar_sys::{Handle, LPARAM, UINT, WCHAR};

/// Longest entry name we read, in wide characters. Far above `relpath::MAX_PATH_BYTES`, so a
/// name the library had to truncate is refused as too long rather than accepted shortened.
const NAME_CHARS: usize = 4096;
/// Longest link target we read, in wide characters; it only appears in error messages.
const REDIR_CHARS: usize = 1024;
/// Longest volume name the library passes to the callback (`MAXPATHSIZE` in UnRAR 7).
const VOLUME_NAME_CHARS: usize = 0x10000;

// `dll.hpp` constants that `unrar_sys` 0.5.8 does not export.
const ERAR_LARGE_DICT: c_int = 25;
const UCM_LARGEDICT: c_uint = 5;

/// `RAROpenArchiveDataEx`, packed as in `dll.hpp`.
#[repr(C, packed)]
struct OpenArchiveDataEx {
    arc_name: *const c_char,
    arc_name_w: *const WCHAR,
    open_mode: c_uint,
    open_result: c_uint,
    cmt_buf: *mut c_char,
    cmt_buf_size: c_uint,
    cmt_size: c_uint,
    cmt_state: c_uint,
    flags: c_uint,
    callback: Option<unrar_sys::Callback>,
    user_data: LPARAM,
    op_flags: c_uint,
    cmt_buf_w: *mut WCHAR,
    reserved: [c_uint; 25],
}

/// `RARHeaderDataEx`, packed as in `dll.hpp`.
#[repr(C, packed)]
struct HeaderDataEx {
    arc_name: [c_char; 1024],
    arc_name_w: [WCHAR; 1024],
    file_name: [c_char; 1024],
    file_name_w: [WCHAR; 1024],
    flags: c_uint,
    pack_size: c_uint,
    pack_size_high: c_uint,
    unp_size: c_uint,
    unp_size_high: c_uint,
    host_os: c_uint,
    file_crc: c_uint,
    file_time: c_uint,
    unp_ver: c_uint,
    method: c_uint,
    file_attr: c_uint,
    cmt_buf: *mut c_char,
    cmt_buf_size: c_uint,
    cmt_size: c_uint,
    cmt_state: c_uint,
    dict_size: c_uint,
    hash_type: c_uint,
    hash: [c_char; 32],
    redir_type: c_uint,
    redir_name: *mut WCHAR,
    redir_name_size: c_uint,
    dir_target: c_uint,
    mtime_low: c_uint,
    mtime_high: c_uint,
    ctime_low: c_uint,
    ctime_high: c_uint,
    atime_low: c_uint,
    atime_high: c_uint,
    arc_name_ex: *mut WCHAR,
    arc_name_ex_size: c_uint,
    file_name_ex: *mut WCHAR,
    file_name_ex_size: c_uint,
    reserved: [c_uint; 982],
}

/// How an archive is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Headers only. An entry split over volumes is reported once per part (the later parts
    /// with `is_split_before`), so the last part's checksum, the whole file's, can be read.
    List,
    /// Headers and data.
    Extract,
}

/// A result code of the DLL API (`ERAR_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    NoMemory,
    BadData,
    BadArchive,
    UnknownFormat,
    Open,
    Create,
    Close,
    Read,
    Write,
    SmallBuf,
    Unknown,
    MissingPassword,
    Reference,
    BadPassword,
    LargeDict,
    Other(c_int),
}

impl Code {
    fn from_raw(code: c_int) -> Self {
        match code {
            unrar_sys::ERAR_NO_MEMORY => Self::NoMemory,
            unrar_sys::ERAR_BAD_DATA => Self::BadData,
            unrar_sys::ERAR_BAD_ARCHIVE => Self::BadArchive,
            unrar_sys::ERAR_UNKNOWN_FORMAT => Self::UnknownFormat,
            unrar_sys::ERAR_EOPEN => Self::Open,
            unrar_sys::ERAR_ECREATE => Self::Create,
            unrar_sys::ERAR_ECLOSE => Self::Close,
            unrar_sys::ERAR_EREAD => Self::Read,
            unrar_sys::ERAR_EWRITE => Self::Write,
            unrar_sys::ERAR_SMALL_BUF => Self::SmallBuf,
            unrar_sys::ERAR_UNKNOWN => Self::Unknown,
            unrar_sys::ERAR_MISSING_PASSWORD => Self::MissingPassword,
            unrar_sys::ERAR_EREFERENCE => Self::Reference,
            unrar_sys::ERAR_BAD_PASSWORD => Self::BadPassword,
            ERAR_LARGE_DICT => Self::LargeDict,
            other => Self::Other(other),
        }
    }
}

/// Archive-wide flags from the main header (`ROADF_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArchiveFlags(c_uint);

impl ArchiveFlags {
    pub fn is_volume(self) -> bool {
        self.0 & unrar_sys::ROADF_VOLUME != 0
    }
    pub fn is_first_volume(self) -> bool {
        self.0 & unrar_sys::ROADF_FIRSTVOLUME != 0
    }
    pub fn is_solid(self) -> bool {
        self.0 & unrar_sys::ROADF_SOLID != 0
    }
    pub fn has_encrypted_headers(self) -> bool {
        self.0 & unrar_sys::ROADF_ENCHEADERS != 0
    }
}

/// The host system an entry was archived on, as the DLL reports it (it folds every non-Windows
/// host into Unix).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Host {
    Windows,
    Unix,
}

/// The data checksum an entry carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checksum {
    /// None we can recompute (none stored, or RAR 1.4's 16-bit sum, which UnRAR checks).
    None,
    /// CRC32 (RAR 1.5 to 5).
    Crc32(u32),
    /// BLAKE2sp (RAR 5 with `-htb`); UnRAR verifies it, we do not recompute it.
    Blake2,
}

/// A file-system redirection record (`FSREDIR_*`): what an entry would be instead of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Redirect {
    UnixSymlink,
    WindowsSymlink,
    Junction,
    HardLink,
    FileCopy,
    Unknown(c_uint),
}

impl Redirect {
    fn from_raw(raw: c_uint) -> Option<Self> {
        Some(match raw {
            0 => return None,
            1 => Self::UnixSymlink,
            2 => Self::WindowsSymlink,
            3 => Self::Junction,
            4 => Self::HardLink,
            5 => Self::FileCopy,
            other => Self::Unknown(other),
        })
    }
}

impl fmt::Display for Redirect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnixSymlink => f.write_str("a symbolic link"),
            Self::WindowsSymlink => f.write_str("a Windows symbolic link"),
            Self::Junction => f.write_str("a Windows junction"),
            Self::HardLink => f.write_str("a hard link"),
            Self::FileCopy => f.write_str("a reference to another entry (file copy)"),
            Self::Unknown(raw) => write!(f, "a redirection of unknown type {raw}"),
        }
    }
}

/// One entry header, copied out of the DLL's structure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// The name as UnRAR reports it (see `names::normalise` for what UnRAR already did to it).
    pub name: String,
    /// False when the name held a code unit that is not Unicode, or was cut at `NAME_CHARS`.
    pub is_name_intact: bool,
    pub is_dir: bool,
    pub is_encrypted: bool,
    pub is_split_before: bool,
    pub is_split_after: bool,
    pub unpacked_size: u64,
    pub packed_size: u64,
    pub host: Host,
    pub attributes: u32,
    /// Version needed to unpack: 15..=36 for RAR 1.5 to 4.x entries, 50 or 70 for RAR 5.
    pub unpack_version: u32,
    pub checksum: Checksum,
    pub redirect: Option<Redirect>,
    /// The redirection's target as stored, for messages only.
    pub redirect_target: String,
}

impl Header {
    /// Whether the entry is in RAR 5 format (where `\` is never a separator).
    pub fn is_rar5(&self) -> bool {
        self.unpack_version >= 50
    }
}

/// What the callback saw during one DLL call.
#[derive(Default)]
struct CallbackState {
    /// During `RARProcessFileW(RAR_TEST)`: a `*mut &mut dyn FnMut(&[u8]) -> bool`, else null.
    sink: *mut c_void,
    is_password_requested: bool,
    /// Volumes the library moved to after the first, in order.
    volumes: Vec<PathBuf>,
    /// A volume the library needed and did not find.
    missing_volume: Option<PathBuf>,
}

/// The callback's state, shared with the DLL. Allocated with `Box::into_raw` and from then on
/// reached only through this pointer: by the callback through its copy (the user data given to
/// `RAROpenArchiveEx`), and by `Archive` between DLL calls. No `Box` or reference to the state
/// is kept across a DLL call, so the callback's `&mut` is the only reference while it runs.
struct SharedState(NonNull<CallbackState>);

impl SharedState {
    fn new() -> Self {
        let raw = Box::into_raw(Box::<CallbackState>::default());
        Self(NonNull::new(raw).expect("Box::into_raw never returns null"))
    }

    /// The callback's user data.
    fn user_data(&self) -> LPARAM {
        self.0.as_ptr() as LPARAM
    }

    fn get(&self) -> &CallbackState {
        // SAFETY: the allocation lives until `drop`. The DLL calls back only during a DLL call
        // on the handle, which `Archive` makes through `&mut self` (or in `open`, before
        // anything borrows the state), so no callback runs while this borrow lives.
        unsafe { self.0.as_ref() }
    }

    fn get_mut(&mut self) -> &mut CallbackState {
        // SAFETY: as in `get`; `&mut self` also excludes every other borrow through `self`.
        unsafe { self.0.as_mut() }
    }
}

impl Drop for SharedState {
    fn drop(&mut self) {
        // SAFETY: the pointer came from `Box::into_raw` in `new` and is freed only here. The
        // owner drops it only once no handle can call back with it: `Archive`'s own `Drop`
        // closes the handle before its fields are dropped, and `Archive::open` drops it after
        // a failed open has closed the handle.
        drop(unsafe { Box::from_raw(self.0.as_ptr()) });
    }
}

/// An open archive.
pub struct Archive {
    /// Non-null, from `RAROpenArchiveEx`, closed in `Drop`.
    handle: *const Handle,
    /// The callback's user data; freed (as a field) only after `Drop` closed `handle`.
    state: SharedState,
    header: Box<HeaderDataEx>,
    name_buf: Vec<WCHAR>,
    redir_buf: Vec<WCHAR>,
    flags: ArchiveFlags,
}

impl fmt::Debug for Archive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Archive").field("flags", &self.flags).field("volumes", &self.state.get().volumes).finish()
    }
}

/// Why an archive could not be opened, with what the callback saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenError {
    pub code: Code,
    pub is_password_requested: bool,
}

impl Archive {
    /// Opens `path` (the first volume, for a set).
    pub fn open(path: &Path, mode: Mode) -> Result<Self, OpenError> {
        let state = SharedState::new();
        let (narrow, wide) = encode_path(path);
        let mut data = OpenArchiveDataEx {
            arc_name: narrow.as_ref().map_or(std::ptr::null(), |n| n.as_ptr()),
            arc_name_w: wide.as_ref().map_or(std::ptr::null(), |w| w.as_ptr()),
            open_mode: match mode {
                Mode::List => unrar_sys::RAR_OM_LIST_INCSPLIT,
                Mode::Extract => unrar_sys::RAR_OM_EXTRACT,
            },
            open_result: 0,
            cmt_buf: std::ptr::null_mut(),
            cmt_buf_size: 0,
            cmt_size: 0,
            cmt_state: 0,
            flags: 0,
            callback: Some(callback),
            user_data: state.user_data(),
            op_flags: 0,
            cmt_buf_w: std::ptr::null_mut(),
            reserved: [0; 25],
        };
        // SAFETY: `data` is a fully initialised `RAROpenArchiveDataEx` with the C layout; the
        // name buffers it points to are NUL-terminated and outlive the call (the DLL copies the
        // name). The callback's user data is `state`'s pointer, which stays valid until `state`
        // is dropped: here after a failed open has closed the handle, or as a field of the
        // returned `Archive` after its `Drop` closed the handle.
        let handle = unsafe { unrar_sys::RAROpenArchiveEx((&mut data as *mut OpenArchiveDataEx).cast()) };
        let open_result = data.open_result;
        if handle.is_null() || open_result != 0 {
            if !handle.is_null() {
                // SAFETY: the DLL returns a live handle along with some errors (not an archive,
                // missing password); it must still be closed, once.
                unsafe { unrar_sys::RARCloseArchive(handle) };
            }
            let code = if open_result == 0 { Code::Open } else { Code::from_raw(open_result as c_int) };
            return Err(OpenError { code, is_password_requested: state.get().is_password_requested });
        }
        // SAFETY: all-zero is a valid `HeaderDataEx` (integers, arrays and null pointers), which
        // is also what `dll.hpp` asks callers to pass in the reserved area.
        let header: Box<HeaderDataEx> = Box::new(unsafe { std::mem::zeroed() });
        Ok(Self {
            handle,
            state,
            header,
            name_buf: vec![0; NAME_CHARS],
            redir_buf: vec![0; REDIR_CHARS],
            flags: ArchiveFlags(data.flags),
        })
    }

    pub fn flags(&self) -> ArchiveFlags {
        self.flags
    }

    /// Volumes the library has moved to so far, after the first.
    pub fn volumes(&self) -> &[PathBuf] {
        &self.state.get().volumes
    }

    /// The volume the last failing call needed and could not find.
    pub fn missing_volume(&self) -> Option<&Path> {
        self.state.get().missing_volume.as_deref()
    }

    /// Whether the library asked for a password since the archive was opened.
    pub fn is_password_requested(&self) -> bool {
        self.state.get().is_password_requested
    }

    /// Reads the next entry header; `None` at the end of the archive (or volume set).
    pub fn read_header(&mut self) -> Result<Option<Header>, Code> {
        self.name_buf.fill(0);
        self.redir_buf.fill(0);
        // SAFETY: zeroing is valid for `HeaderDataEx` (see `open`).
        *self.header = unsafe { std::mem::zeroed() };
        self.header.file_name_ex = self.name_buf.as_mut_ptr();
        self.header.file_name_ex_size = NAME_CHARS as c_uint;
        self.header.redir_name = self.redir_buf.as_mut_ptr();
        self.header.redir_name_size = REDIR_CHARS as c_uint;
        // SAFETY: `handle` is live; `header` has the C layout; the DLL writes at most
        // `file_name_ex_size` and `redir_name_size` wide characters (NUL included) into the
        // two buffers, which are that long and outlive the call.
        let raw = unsafe { unrar_sys::RARReadHeaderEx(self.handle, (&mut *self.header as *mut HeaderDataEx).cast()) };
        match raw {
            unrar_sys::ERAR_SUCCESS => {}
            unrar_sys::ERAR_END_ARCHIVE => return Ok(None),
            other => return Err(Code::from_raw(other)),
        }
        let h = &*self.header;
        let (name, is_name_intact) = decode_wide(&self.name_buf);
        let (redirect_target, _) = decode_wide(&self.redir_buf);
        let flags = h.flags;
        let hash_type = h.hash_type;
        let unp_ver = h.unp_ver;
        Ok(Some(Header {
            name,
            is_name_intact,
            is_dir: flags & unrar_sys::RHDF_DIRECTORY != 0,
            is_encrypted: flags & unrar_sys::RHDF_ENCRYPTED != 0,
            is_split_before: flags & unrar_sys::RHDF_SPLITBEFORE != 0,
            is_split_after: flags & unrar_sys::RHDF_SPLITAFTER != 0,
            unpacked_size: (u64::from(h.unp_size_high) << 32) | u64::from(h.unp_size),
            packed_size: (u64::from(h.pack_size_high) << 32) | u64::from(h.pack_size),
            // `dll.cpp` reports HOST_WIN32 (2) for Windows-family hosts and HOST_UNIX (3) else.
            host: if h.host_os == 2 { Host::Windows } else { Host::Unix },
            attributes: h.file_attr,
            unpack_version: h.unp_ver,
            checksum: match hash_type {
                // RAR 1.4 archives (version 10 or 13) carry a 16-bit sum that the DLL also
                // reports as CRC32; UnRAR checks it, we cannot.
                unrar_sys::RAR_HASH_CRC32 if unp_ver >= 15 => Checksum::Crc32(h.file_crc),
                unrar_sys::RAR_HASH_BLAKE2 => Checksum::Blake2,
                _ => Checksum::None,
            },
            redirect: Redirect::from_raw(h.redir_type),
            redirect_target,
        }))
    }

    /// Moves past the current entry without unpacking it. In an archive opened for listing, this
    /// follows an entry split over volumes to its last part.
    pub fn skip(&mut self) -> Result<(), Code> {
        self.process(unrar_sys::RAR_SKIP)
    }

    /// Unpacks and verifies the current entry, handing each decompressed block to `sink` in
    /// order; the library writes nothing. `sink` returns false to stop, and the call then fails.
    pub fn test(&mut self, sink: &mut dyn FnMut(&[u8]) -> bool) -> Result<(), Code> {
        let mut sink_ref: &mut dyn FnMut(&[u8]) -> bool = sink;
        self.state.get_mut().sink = (&mut sink_ref as *mut &mut dyn FnMut(&[u8]) -> bool).cast();
        let result = self.process(unrar_sys::RAR_TEST);
        // The sink reference dies with this frame; the callback must never see it again.
        self.state.get_mut().sink = std::ptr::null_mut();
        result
    }

    fn process(&mut self, operation: c_int) -> Result<(), Code> {
        self.state.get_mut().missing_volume = None;
        // SAFETY: `handle` is live; null destination path and name are allowed (and with
        // RAR_TEST and RAR_SKIP the library creates no file). The callback registered at open
        // time still points at `state`, and no reference to the state is live during the call.
        let raw = unsafe { unrar_sys::RARProcessFileW(self.handle, operation, std::ptr::null(), std::ptr::null()) };
        match raw {
            unrar_sys::ERAR_SUCCESS => Ok(()),
            other => Err(Code::from_raw(other)),
        }
    }
}

impl Drop for Archive {
    fn drop(&mut self) {
        // SAFETY: `handle` came from a successful `RAROpenArchiveEx` and is closed only here.
        // `state`, the callback's user data, is freed after this, when the fields are dropped.
        unsafe { unrar_sys::RARCloseArchive(self.handle) };
    }
}

/// `RARGetDllVersion()`: the version of the DLL API (9 for UnRAR 7.1).
pub fn dll_api_version() -> i32 {
    // SAFETY: takes no arguments, touches no state, returns a constant.
    unsafe { unrar_sys::RARGetDllVersion() }
}

/// The callback the DLL calls during open, header reads and processing.
extern "C" fn callback(msg: UINT, user_data: LPARAM, p1: LPARAM, p2: LPARAM) -> c_int {
    if user_data == 0 {
        return -1;
    }
    // A panic must not unwind into C++; treat it as "stop".
    catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: `user_data` is the `SharedState` pointer of the `Archive` whose handle is
        // making this call (set in `open`; freed only after the handle is closed). The DLL calls
        // back only from inside our own calls on that handle, during which no other reference
        // to the state is live, so this `&mut` is the only one while the callback runs.
        let state = unsafe { &mut *(user_data as *mut CallbackState) };
        match msg {
            unrar_sys::UCM_PROCESSDATA => {
                if state.sink.is_null() || p1 == 0 || p2 < 0 {
                    return -1;
                }
                // SAFETY: the DLL passes a block of `p2` decompressed bytes at `p1`, valid for
                // the duration of the call.
                let block = unsafe { std::slice::from_raw_parts(p1 as *const u8, p2 as usize) };
                // SAFETY: `sink` is set by `Archive::test` to a `&mut dyn FnMut` that lives on
                // its stack frame for the whole `RARProcessFileW` call, and reset after it.
                let sink = unsafe { &mut *(state.sink as *mut &mut dyn FnMut(&[u8]) -> bool) };
                if sink(block) { 0 } else { -1 }
            }
            unrar_sys::UCM_CHANGEVOLUMEW => {
                // SAFETY: for this message `p1` is the next volume name, NUL-terminated. With
                // RAR_VOL_ASK it sits in a buffer of `VOLUME_NAME_CHARS` (`MAXPATHSIZE`)
                // characters; with RAR_VOL_NOTIFY it is `NextName.data()`, a `std::wstring`
                // only as long as the name plus its NUL (`volume.cpp`). `read_wide_z` stops at
                // the NUL, so it stays inside both; never copy a fixed length from `p1`.
                let name = unsafe { read_wide_z(p1 as *const WCHAR, VOLUME_NAME_CHARS) };
                let path = wide_to_path(&name);
                if p2 == unrar_sys::RAR_VOL_NOTIFY {
                    state.volumes.push(path);
                    0
                } else {
                    // RAR_VOL_ASK: the volume is missing. Stop; the caller names it.
                    state.missing_volume = Some(path);
                    -1
                }
            }
            // The narrow twin of the message above, sent after it; the wide one decided.
            unrar_sys::UCM_CHANGEVOLUME => {
                if p2 == unrar_sys::RAR_VOL_NOTIFY {
                    0
                } else {
                    -1
                }
            }
            unrar_sys::UCM_NEEDPASSWORDW | unrar_sys::UCM_NEEDPASSWORD => {
                // We never hold a password: leaving the buffer empty makes the DLL fail the
                // call with ERAR_MISSING_PASSWORD.
                state.is_password_requested = true;
                -1
            }
            // A dictionary above UnRAR's limit: refuse (only the value 1 would allow it).
            UCM_LARGEDICT => 0,
            _ => 0,
        }
    }))
    .unwrap_or(-1)
}

/// Reads a NUL-terminated wide string of at most `max` characters.
///
/// # Safety
/// `p` must be null or point to a NUL-terminated wide string, or to at least `max` readable
/// wide characters.
unsafe fn read_wide_z(p: *const WCHAR, max: usize) -> Vec<WCHAR> {
    let mut out = Vec::new();
    if p.is_null() {
        return out;
    }
    for i in 0..max {
        // SAFETY: `i < max` and the string is NUL-terminated or `max` long (caller's contract).
        let c = unsafe { *p.add(i) };
        if c == 0 {
            break;
        }
        out.push(c);
    }
    out
}

/// Decodes a NUL-terminated wide buffer. The flag is false when a code unit was not Unicode
/// (replaced by U+FFFD) or when the buffer was full, meaning the library cut the string.
fn decode_wide(buf: &[WCHAR]) -> (String, bool) {
    let len = buf.iter().position(|&c| c == 0).unwrap_or(buf.len());
    let is_complete = len < buf.len().saturating_sub(1);
    let (text, is_valid) = decode_units(&buf[..len]);
    (text, is_valid && is_complete)
}

#[cfg(windows)]
fn decode_units(units: &[WCHAR]) -> (String, bool) {
    match String::from_utf16(units) {
        Ok(s) => (s, true),
        Err(_) => (String::from_utf16_lossy(units), false),
    }
}

/// `wchar_t` is UTF-32 here, but RAR 3 stores Unicode names in 16-bit units and UnRAR copies
/// them unit for unit, so a character outside the BMP arrives as a surrogate pair: join it.
#[cfg(not(windows))]
fn decode_units(units: &[WCHAR]) -> (String, bool) {
    let mut is_valid = true;
    let mut text = String::with_capacity(units.len());
    let mut i = 0;
    while i < units.len() {
        let u = u32::try_from(units[i]).unwrap_or(u32::MAX);
        let next = units.get(i + 1).and_then(|&n| u32::try_from(n).ok()).unwrap_or(0);
        if (0xD800..0xDC00).contains(&u) && (0xDC00..0xE000).contains(&next) {
            let c = 0x10000 + ((u - 0xD800) << 10) + (next - 0xDC00);
            text.push(char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER));
            i += 2;
            continue;
        }
        text.push(char::from_u32(u).unwrap_or_else(|| {
            is_valid = false;
            char::REPLACEMENT_CHARACTER
        }));
        i += 1;
    }
    (text, is_valid)
}

#[cfg(windows)]
fn wide_to_path(units: &[WCHAR]) -> PathBuf {
    use std::os::windows::ffi::OsStringExt;
    PathBuf::from(std::ffi::OsString::from_wide(units))
}

/// The sidecar runs in the C locale, so UnRAR maps every byte >= 0x80 of the archive name we
/// pass to U+E080..U+E0FF behind a U+FFFE mark (`CharToWideMap`), and the volume names it derives
/// from it keep that mapping: turn those back into the bytes, as UnRAR does to open the file.
#[cfg(not(windows))]
fn wide_to_path(units: &[WCHAR]) -> PathBuf {
    use std::os::unix::ffi::OsStringExt;
    let text = decode_units(units).0;
    if crate::names::is_mapped(&text) {
        return PathBuf::from(std::ffi::OsString::from_vec(crate::names::unmap_bytes(&text)));
    }
    PathBuf::from(text)
}

/// The archive name as the DLL wants it: on Unix the raw bytes through the narrow field (the
/// library maps bytes it cannot decode and maps them back when opening), on Windows UTF-16.
#[cfg(not(windows))]
fn encode_path(path: &Path) -> (Option<Vec<c_char>>, Option<Vec<WCHAR>>) {
    use std::os::unix::ffi::OsStrExt;
    let mut bytes: Vec<c_char> = path.as_os_str().as_bytes().iter().map(|&b| b as c_char).collect();
    bytes.push(0);
    (Some(bytes), None)
}

#[cfg(windows)]
fn encode_path(path: &Path) -> (Option<Vec<c_char>>, Option<Vec<WCHAR>>) {
    use std::os::windows::ffi::OsStrExt;
    let mut wide: Vec<WCHAR> = path.as_os_str().encode_wide().collect();
    wide.push(0);
    (None, Some(wide))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Offsets in the packed C layout of `dll.hpp` (UnRAR 7.1.0) on 64-bit Unix, counted by
    /// hand: four name arrays (1024 + 4096 + 1024 + 4096), eleven `unsigned int`s, then the
    /// first pointer at 10284 with no padding.
    #[cfg(all(unix, target_pointer_width = "64"))]
    #[test]
    fn header_layout_matches_dll_hpp() {
        use std::mem::{offset_of, size_of};
        assert_eq!(offset_of!(HeaderDataEx, flags), 10240);
        assert_eq!(offset_of!(HeaderDataEx, cmt_buf), 10284);
        assert_eq!(offset_of!(HeaderDataEx, hash_type), 10308);
        assert_eq!(offset_of!(HeaderDataEx, redir_type), 10344);
        assert_eq!(offset_of!(HeaderDataEx, redir_name), 10348);
        assert_eq!(offset_of!(HeaderDataEx, file_name_ex), 10400);
        assert_eq!(size_of::<HeaderDataEx>(), 10412 + 982 * 4);
        assert_eq!(offset_of!(OpenArchiveDataEx, callback), 48);
        assert_eq!(offset_of!(OpenArchiveDataEx, cmt_buf_w), 68);
    }

    #[test]
    fn decode_wide_flags_cut_and_invalid_names() {
        let mut buf: Vec<WCHAR> = "abc".chars().map(|c| c as WCHAR).collect();
        buf.resize(8, 0);
        assert_eq!(decode_wide(&buf), ("abc".to_owned(), true));
        let full: Vec<WCHAR> = vec![b'a' as WCHAR; 7].into_iter().chain([0]).collect();
        assert!(!decode_wide(&full).1, "a name filling the buffer may have been cut");
        #[cfg(not(windows))]
        {
            assert!(!decode_wide(&[0xD800, 0, 0, 0]).1, "a lone surrogate is not a character");
            assert_eq!(decode_wide(&[0xD835, 0xDC00, 0, 0, 0]), ("\u{1D400}".to_owned(), true));
        }
    }

    #[cfg(unix)]
    #[test]
    fn volume_names_lose_unrars_byte_mapping() {
        use std::os::unix::ffi::OsStrExt;
        let wide = |s: &str| s.chars().map(|c| c as WCHAR).collect::<Vec<_>>();
        let mapped = wide("/g/Pok\u{FFFE}\u{E0C3}\u{E0A9}mon/x.part2.rar");
        assert_eq!(wide_to_path(&mapped), Path::new("/g/Pokémon/x.part2.rar"));
        let latin1 = wide("/g/caf\u{FFFE}\u{E0E9}/x.r00");
        assert_eq!(wide_to_path(&latin1).as_os_str().as_bytes(), b"/g/caf\xe9/x.r00");
        assert_eq!(wide_to_path(&wide("/g/plain/x.r00")), Path::new("/g/plain/x.r00"));
    }
}
