//! What the first Play writes into an install, and the start script's arguments.
//!
//! LAN game packs carry a Steam emulator configured by plain files in the install: Goldberg's
//! `account_name.txt` and `language.txt`, SmartSteamEmu's `SmartSteamEmu.ini`. This module
//! owns their new contents as pure functions from the old contents, the checks a username and a
//! language pass before anything is written, and the argument list of the game's start script.
//! Finding the files and writing them is the caller's.
//!
//! - `account_name.txt`, `language.txt`: exactly the value, in UTF-8, with no line ending and no
//!   byte-order mark, whatever the file held before. Goldberg reads these files raw (at most 31
//!   bytes, nothing trimmed), so a newline or a BOM would become part of the name, and
//!   `english\n` is no language at all.
//! - `SmartSteamEmu.ini`: SmartSteamEmu reads `PersonaName` from the `[SmartSteamEmu]` section
//!   the way Windows' profile functions do: section and key compared case-insensitively, the
//!   first matching section and key win, spaces around the key and value ignored, lines starting
//!   with `;` or `#` not keys. [`stamp_persona_name`] replaces that one value and keeps every other
//!   byte: the spacing around `=`, what follows the value, the line endings (CRLF or LF), a
//!   UTF-8 byte-order mark, bytes that are not UTF-8, a missing final newline. When the section
//!   has no `PersonaName`, a `PersonaName = <name>` line is added right under its header, since
//!   the emulator would otherwise show its default name; a file without the section is not an
//!   emulator configuration we understand and is refused ([`StampError::NoSection`]).
//! - Start script: `game_start <username> <language>` ([`game_start_args`]).

use std::fmt;

/// Goldberg reads at most this many bytes of a name or language (a 32-byte C buffer).
pub const MAX_VALUE_BYTES: usize = 31;
/// Goldberg's player name file.
pub const ACCOUNT_NAME_FILE: &str = "account_name.txt";
/// Goldberg's language file.
pub const LANGUAGE_FILE: &str = "language.txt";
/// SmartSteamEmu's configuration.
pub const SMARTSTEAMEMU_INI: &str = "SmartSteamEmu.ini";

/// The section and key SmartSteamEmu reads the player's name from.
const SSE_SECTION: &[u8] = b"SmartSteamEmu";
const SSE_NAME_KEY: &[u8] = b"PersonaName";
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Characters a username may not contain, because the start script gets it as an argument
/// (through `cmd /c` on Windows, or a shell) and some script would break on them:
/// - `"` ends a quoted argument everywhere; `'` and `` ` `` quote in sh and PowerShell;
/// - `%` expands variables in cmd even inside quotes, `!` too with delayed expansion, `$` in sh
///   and PowerShell;
/// - `^ & | < > ( )` are cmd's escape, operators and blocks; `, ; =` split batch arguments
///   like spaces;
/// - `\` escapes in sh (and before a `"` in a Windows argument); `* ?` are shell wildcards.
const FORBIDDEN: &[char] =
    &['"', '\'', '`', '%', '!', '$', '^', '&', '|', '<', '>', '(', ')', ',', ';', '=', '\\', '*', '?'];

/// Why a username or language is refused, or why an emulator file was left as it was.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StampError {
    #[error("the username is empty: choose one in Settings")]
    EmptyUsername,
    #[error("the username is {bytes} bytes long, and games read at most 31: choose a shorter one in Settings")]
    UsernameTooLong { bytes: usize },
    #[error("the username starts or ends with a space: remove it in Settings")]
    UsernameSpaces,
    #[error("the username contains {ch:?}, which a game's start script cannot be given: remove it in Settings")]
    UsernameChar { ch: char },
    #[error(
        "`{language}` is not a Steam language name (lowercase letters, such as `english` or `german`): choose one in Settings"
    )]
    BadLanguage { language: String },
    #[error("SmartSteamEmu.ini has no [SmartSteamEmu] section, so the username was not written into it")]
    NoSection,
    #[error("SmartSteamEmu.ini is UTF-16, which Lanparty does not edit, so the username was not written into it")]
    Utf16,
}

/// A username that passed the rules: 1 to 31 bytes of UTF-8, no control character, no
/// whitespace other than inner spaces, none of the [`FORBIDDEN`] characters.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Username(String);

impl Username {
    pub fn new(name: &str) -> Result<Username, StampError> {
        if name.is_empty() {
            return Err(StampError::EmptyUsername);
        }
        if name.len() > MAX_VALUE_BYTES {
            return Err(StampError::UsernameTooLong { bytes: name.len() });
        }
        // Emulators and ini readers trim the value; a name must read back as written.
        if name.starts_with(' ') || name.ends_with(' ') {
            return Err(StampError::UsernameSpaces);
        }
        // Tabs, newlines and the Unicode separators would end a line of the ini or an argument.
        let is_bad = |c: char| c.is_control() || (c.is_whitespace() && c != ' ') || FORBIDDEN.contains(&c);
        match name.chars().find(|&c| is_bad(c)) {
            Some(ch) => Err(StampError::UsernameChar { ch }),
            None => Ok(Username(name.to_owned())),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A language as the Steam API names it (`english`, `german`, `schinese`, `brazilian`, ...):
/// 1 to 31 lowercase ASCII letters. Which names a game knows is the game's business.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Language(String);

impl Language {
    pub fn new(language: &str) -> Result<Language, StampError> {
        let is_shape = !language.is_empty()
            && language.len() <= MAX_VALUE_BYTES
            && language.bytes().all(|b| b.is_ascii_lowercase());
        if is_shape {
            Ok(Language(language.to_owned()))
        } else {
            Err(StampError::BadLanguage { language: language.to_owned() })
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The new contents of `account_name.txt`: the name alone (see the module docs for why the old
/// contents do not matter).
pub fn account_name_txt(name: &Username) -> Vec<u8> {
    name.as_str().as_bytes().to_vec()
}

/// The new contents of `language.txt`: the language alone.
pub fn language_txt(language: &Language) -> Vec<u8> {
    language.as_str().as_bytes().to_vec()
}

/// The arguments of the game's start script, in this order: the username, then the language.
/// Both passed their rules, so no script quoting can break on them; a name with spaces arrives
/// quoted (`%~1` in a batch file strips the quotes).
pub fn game_start_args<'a>(name: &'a Username, language: &'a Language) -> [&'a str; 2] {
    [name.as_str(), language.as_str()]
}

/// `SmartSteamEmu.ini` with `name` as `PersonaName` in its `[SmartSteamEmu]` section; every
/// other byte as it was. See the module docs for the rules.
pub fn stamp_persona_name(ini: &[u8], name: &Username) -> Result<Vec<u8>, StampError> {
    if ini.starts_with(b"\xFF\xFE") || ini.starts_with(b"\xFE\xFF") {
        return Err(StampError::Utf16);
    }
    let body = if ini.starts_with(UTF8_BOM) { UTF8_BOM.len() } else { 0 };
    // Where the section's header line ends (after its line ending, if it has one).
    let mut header_end = None;
    let mut start = body;
    for line in ini[body..].split_inclusive(|&b| b == b'\n') {
        let line_start = start;
        start += line.len();
        let text = without_line_ending(line);
        let trimmed = text.trim_ascii();
        if trimmed.starts_with(b"[") {
            if header_end.is_some() {
                // Past the end of the first [SmartSteamEmu] section: later ones are not read.
                break;
            }
            if section_name(trimmed).eq_ignore_ascii_case(SSE_SECTION) {
                header_end = Some(start);
            }
            continue;
        }
        if header_end.is_none() || trimmed.starts_with(b";") || trimmed.starts_with(b"#") {
            continue;
        }
        let Some(eq) = text.iter().position(|&b| b == b'=') else { continue };
        if !text[..eq].trim_ascii().eq_ignore_ascii_case(SSE_NAME_KEY) {
            continue;
        }
        // Keep the spaces after `=` and after the value; an empty value is written after them.
        let value_start = eq + 1 + (text[eq + 1..].len() - text[eq + 1..].trim_ascii_start().len());
        let value_end = text.trim_ascii_end().len().max(value_start);
        return Ok(splice(ini, line_start + value_start..line_start + value_end, name.as_str().as_bytes()));
    }
    let header_end = header_end.ok_or(StampError::NoSection)?;
    let eol = line_ending(ini);
    let key_line = [SSE_NAME_KEY, b" = ", name.as_str().as_bytes()].concat();
    let inserted = if ini[..header_end].ends_with(b"\n") {
        [key_line.as_slice(), eol].concat()
    } else {
        // The header is the last line and has no line ending: the file keeps having none.
        [eol, key_line.as_slice()].concat()
    };
    Ok(splice(ini, header_end..header_end, &inserted))
}

fn without_line_ending(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// `[ name ] ; comment` gives `name`.
fn section_name(header: &[u8]) -> &[u8] {
    let inner = &header[1..];
    let close = inner.iter().position(|&b| b == b']').unwrap_or(inner.len());
    inner[..close].trim_ascii()
}

/// The file's own line ending, judged by its first line; CRLF, the Windows convention, for a
/// file of one line.
fn line_ending(ini: &[u8]) -> &'static [u8] {
    match ini.iter().position(|&b| b == b'\n') {
        Some(i) if i == 0 || ini[i - 1] != b'\r' => b"\n",
        _ => b"\r\n",
    }
}

fn splice(bytes: &[u8], range: std::ops::Range<usize>, with: &[u8]) -> Vec<u8> {
    [&bytes[..range.start], with, &bytes[range.end..]].concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str) -> Username {
        Username::new(s).unwrap()
    }

    fn stamp(ini: &str, to: &str) -> String {
        String::from_utf8(stamp_persona_name(ini.as_bytes(), &name(to)).unwrap()).unwrap()
    }

    #[test]
    fn value_files_hold_the_value_alone() {
        assert_eq!(account_name_txt(&name("Jörg the Brave")), "Jörg the Brave".as_bytes());
        assert_eq!(language_txt(&Language::new("german").unwrap()), b"german");
    }

    #[test]
    fn start_script_gets_username_then_language() {
        let (n, l) = (name("Ann"), Language::new("english").unwrap());
        assert_eq!(game_start_args(&n, &l), ["Ann", "english"]);
    }

    #[test]
    fn usernames_are_checked() {
        let longest = "n".repeat(31);
        for ok in ["a", "Ann", "Big Joe", "Jörg", "[LAN]Sn1per~", "x_y-z.@#+:/", "二十一", longest.as_str()] {
            assert_eq!(Username::new(ok).map(|n| n.to_string()), Ok(ok.to_owned()));
        }
        assert_eq!(Username::new(""), Err(StampError::EmptyUsername));
        assert_eq!(Username::new(&"n".repeat(32)), Err(StampError::UsernameTooLong { bytes: 32 }));
        // 11 three-byte characters: 33 bytes, although only 11 characters.
        assert_eq!(Username::new(&"二".repeat(11)), Err(StampError::UsernameTooLong { bytes: 33 }));
        assert_eq!(Username::new(" Ann"), Err(StampError::UsernameSpaces));
        assert_eq!(Username::new("Ann "), Err(StampError::UsernameSpaces));
        for ch in ['"', '\'', '`', '%', '!', '$', '^', '&', '|', '<', '>', '(', ')', ',', ';', '=', '\\', '*', '?'] {
            assert_eq!(Username::new(&format!("a{ch}b")), Err(StampError::UsernameChar { ch }));
        }
        for ch in ['\n', '\r', '\t', '\0', '\u{7f}', '\u{85}', '\u{a0}', '\u{2028}', '\u{3000}'] {
            assert_eq!(Username::new(&format!("a{ch}b")), Err(StampError::UsernameChar { ch }), "{ch:?}");
        }
        let e = Username::new("a&b").unwrap_err().to_string();
        assert_eq!(e, "the username contains '&', which a game's start script cannot be given: remove it in Settings");
    }

    #[test]
    fn languages_are_checked() {
        let longest = "z".repeat(31);
        for ok in ["english", "schinese", "brazilian", "a", longest.as_str()] {
            assert_eq!(Language::new(ok).map(|l| l.to_string()), Ok(ok.to_owned()));
        }
        let too_long = "z".repeat(32);
        for bad in ["", "English", "en-US", "english\n", "pt_br", " english", too_long.as_str()] {
            assert_eq!(Language::new(bad), Err(StampError::BadLanguage { language: bad.to_owned() }));
        }
    }

    #[test]
    fn persona_name_is_replaced_keeping_every_other_byte() {
        // (ini, expected) with the name `Bob`.
        let cases = [
            // LF, spaces around `=` as the emulator writes them
            (
                "[SmartSteamEmu]\nPersonaName = SmartSteamEmu\nLanguage = english\n",
                "[SmartSteamEmu]\nPersonaName = Bob\nLanguage = english\n",
            ),
            // CRLF
            (
                "[Launcher]\r\nTarget = game.exe\r\n[SmartSteamEmu]\r\nPersonaName = x\r\n",
                "[Launcher]\r\nTarget = game.exe\r\n[SmartSteamEmu]\r\nPersonaName = Bob\r\n",
            ),
            // no spaces, no final newline
            ("[SmartSteamEmu]\r\nPersonaName=x", "[SmartSteamEmu]\r\nPersonaName=Bob"),
            // odd spacing and trailing blanks kept; key and section in any case
            ("[ smartsteamemu ]\n  personaname\t=  Old Name  \n", "[ smartsteamemu ]\n  personaname\t=  Bob  \n"),
            // an empty value
            ("[SmartSteamEmu]\nPersonaName =\n", "[SmartSteamEmu]\nPersonaName =Bob\n"),
            ("[SmartSteamEmu]\nPersonaName = \r\n", "[SmartSteamEmu]\nPersonaName = Bob\r\n"),
            // commented lines are not keys; only the first real one changes
            (
                ";PersonaName=a\n[SmartSteamEmu]\n;PersonaName=b\n# PersonaName = c\nPersonaName = d\nPersonaName = e\n",
                ";PersonaName=a\n[SmartSteamEmu]\n;PersonaName=b\n# PersonaName = c\nPersonaName = Bob\nPersonaName = e\n",
            ),
            // a PersonaName in another section is another setting
            (
                "[Other]\nPersonaName = a\n[SmartSteamEmu]\nPersonaName = b\n",
                "[Other]\nPersonaName = a\n[SmartSteamEmu]\nPersonaName = Bob\n",
            ),
            // keys that only start like it
            (
                "[SmartSteamEmu]\nPersonaNameX = a\nPersonaName = b\n",
                "[SmartSteamEmu]\nPersonaNameX = a\nPersonaName = Bob\n",
            ),
        ];
        for (ini, expected) in cases {
            assert_eq!(stamp(ini, "Bob"), expected, "{ini:?}");
        }
    }

    #[test]
    fn byte_order_mark_and_non_utf8_bytes_are_kept() {
        let ini = b"\xEF\xBB\xBF[SmartSteamEmu]\r\nAvatar = caf\xE9.png\r\nPersonaName = x\r\n";
        let out = stamp_persona_name(ini, &name("Jörg")).unwrap();
        let expected =
            [&b"\xEF\xBB\xBF[SmartSteamEmu]\r\nAvatar = caf\xE9.png\r\nPersonaName = "[..], "Jörg".as_bytes(), b"\r\n"]
                .concat();
        assert_eq!(out, expected);
    }

    #[test]
    fn missing_persona_name_is_added_under_the_header() {
        let cases = [
            (
                "[SmartSteamEmu]\r\nLanguage = english\r\n",
                "[SmartSteamEmu]\r\nPersonaName = Bob\r\nLanguage = english\r\n",
            ),
            ("[SmartSteamEmu]\nLanguage = english", "[SmartSteamEmu]\nPersonaName = Bob\nLanguage = english"),
            ("[SmartSteamEmu]", "[SmartSteamEmu]\r\nPersonaName = Bob"),
            ("[a]\n[SmartSteamEmu]\n;PersonaName = x\n", "[a]\n[SmartSteamEmu]\nPersonaName = Bob\n;PersonaName = x\n"),
            // a PersonaName in a later section does not count
            (
                "[SmartSteamEmu]\nA = 1\n[Other]\nPersonaName = a\n",
                "[SmartSteamEmu]\nPersonaName = Bob\nA = 1\n[Other]\nPersonaName = a\n",
            ),
            ("\u{feff}[SmartSteamEmu]\n", "\u{feff}[SmartSteamEmu]\nPersonaName = Bob\n"),
        ];
        for (ini, expected) in cases {
            assert_eq!(stamp(ini, "Bob"), expected, "{ini:?}");
        }
    }

    #[test]
    fn files_it_does_not_understand_are_refused() {
        let bob = name("Bob");
        assert_eq!(stamp_persona_name(b"", &bob), Err(StampError::NoSection));
        assert_eq!(stamp_persona_name(b"PersonaName = a\n[Launcher]\nTarget = x\n", &bob), Err(StampError::NoSection));
        assert_eq!(stamp_persona_name(b";[SmartSteamEmu]\nPersonaName = a\n", &bob), Err(StampError::NoSection));
        assert_eq!(stamp_persona_name(b"\xFF\xFE[\0S\0", &bob), Err(StampError::Utf16));
    }
}
