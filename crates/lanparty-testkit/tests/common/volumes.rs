//! Multi-volume sets read with rarlab's UnRAR through its DLL API (`unrar_sys`).
//!
//! The `unrar` crate (0.5.8) cannot be used for sets: on every volume change its callback copies
//! 2048 wide characters from UnRAR's `std::wstring` holding the next volume's name, reading far
//! past its end (debug builds stop with "unsafe precondition(s) violated"). UnRAR needs no
//! callback to move to the next volume when it exists, so these helpers register none.

#![allow(unsafe_code)]

use std::ffi::CString;
use std::path::Path;
use std::ptr;

use unrar_sys as sys;

use super::Listed;

/// What to do with each entry.
#[derive(Debug, Clone, Copy)]
pub enum Mode<'a> {
    /// Read the headers only.
    List,
    /// Unpack and check CRCs without writing.
    Test,
    /// Unpack into this directory (names joined onto it unchecked: safe names only).
    Extract(&'a Path),
}

/// Processes every entry of the set whose first volume is `first`; returns the listing, or the
/// first `ERAR_*` code UnRAR reported.
pub fn process(first: &Path, mode: Mode<'_>) -> Result<Vec<Listed>, i32> {
    let archive_name = c_path(first);
    let mut open = sys::OpenArchiveDataEx {
        archive_name: archive_name.as_ptr(),
        archive_name_w: ptr::null(),
        open_mode: match mode {
            Mode::List => sys::RAR_OM_LIST,
            Mode::Test | Mode::Extract(_) => sys::RAR_OM_EXTRACT,
        },
        open_result: 0,
        comment_buffer: ptr::null_mut(),
        comment_buffer_size: 0,
        comment_size: 0,
        comment_state: 0,
        flags: 0,
        callback: None,
        user_data: 0,
        op_flags: 0,
        comment_buffer_w: ptr::null_mut(),
        reserved: [0; 25],
    };
    // SAFETY: `open` and the name it points to outlive the call; UnRAR writes only
    // `open_result` (through a pointer made from `&mut`, though the binding says `*const`).
    let handle = unsafe { sys::RAROpenArchiveEx(&raw mut open) };
    if handle.is_null() {
        return Err(open.open_result as i32);
    }
    let result = read_all(handle, mode);
    // SAFETY: `handle` came from RAROpenArchiveEx and is closed exactly once.
    unsafe { sys::RARCloseArchive(handle) };
    result
}

fn read_all(handle: *const sys::Handle, mode: Mode<'_>) -> Result<Vec<Listed>, i32> {
    let mut listed = Vec::new();
    loop {
        // SAFETY: HeaderDataEx holds only integers, arrays of them and pointers, for which all
        // zero bytes are valid (null pointers: no comment or redirection buffers).
        let mut header: Box<sys::HeaderDataEx> = Box::new(unsafe { std::mem::zeroed() });
        // SAFETY: `handle` is open and `header` is a valid HeaderDataEx that UnRAR fills (written
        // through a pointer made from `&mut`, though the binding says `*const`).
        match unsafe { sys::RARReadHeaderEx(handle, &raw mut *header) } {
            sys::ERAR_END_ARCHIVE => return Ok(listed),
            sys::ERAR_SUCCESS => {}
            code => return Err(code),
        }
        let name = wide_to_string(&header.filename_w);
        let (operation, dest) = match mode {
            Mode::List => (sys::RAR_SKIP, None),
            Mode::Test => (sys::RAR_TEST, None),
            Mode::Extract(dir) => (sys::RAR_EXTRACT, Some(c_path(&dir.join(&name)))),
        };
        listed.push(Listed {
            name,
            size: (u64::from(header.unp_size_high) << 32) | u64::from(header.unp_size),
            is_dir: header.flags & sys::RHDF_DIRECTORY != 0,
            crc32: header.file_crc,
            attributes: header.file_attr,
            method: header.method,
        });
        let dest_ptr = dest.as_ref().map_or(ptr::null(), |d| d.as_ptr());
        // SAFETY: `handle` is open and positioned after a header; `dest_ptr` is null or a
        // NUL-terminated path that outlives the call.
        let code = unsafe { sys::RARProcessFile(handle, operation, ptr::null(), dest_ptr) };
        if code != sys::ERAR_SUCCESS {
            return Err(code);
        }
    }
}

fn c_path(path: &Path) -> CString {
    CString::new(path.as_os_str().as_encoded_bytes()).unwrap()
}

/// Decodes a NUL-terminated `wchar_t` array: UTF-16 where wchar_t has 16 bits, else UTF-32.
// `Wchar` is `u16` on Windows and `u32` elsewhere, so one of the casts is a no-op on each.
#[allow(clippy::unnecessary_cast)]
fn wide_to_string(wide: &[Wchar]) -> String {
    let len = wide.iter().position(|&c| c == 0).unwrap_or(wide.len());
    let wide = &wide[..len];
    if size_of::<Wchar>() == 2 {
        char::decode_utf16(wide.iter().map(|&c| c as u16)).map(Result::unwrap).collect()
    } else {
        wide.iter().map(|&c| char::from_u32(c as u32).unwrap()).collect()
    }
}

type Wchar = sys::WCHAR;
