//! `lanparty-mkrar`: packs a directory tree into a stored (uncompressed) RAR 5 archive.
//!
//! ```text
//! lanparty-mkrar [--volume-size SIZE] OUT.rar DIR
//! ```
//!
//! Entries are named relative to DIR. With `--volume-size` (bytes, or with a K, M or G suffix
//! for KiB, MiB, GiB) it writes `OUT.part1.rar`, `OUT.part2.rar`, ... of at most SIZE bytes each
//! (OUT without its `.rar`). It prints the path of every file written, one per line.
//!
//! Exit codes: 0 success, 1 packing failed, 2 usage error.

use std::error::Error as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use lanparty_testkit::rar5;

const USAGE: &str = "usage: lanparty-mkrar [--volume-size SIZE] OUT.rar DIR";

struct Args {
    out: PathBuf,
    src: PathBuf,
    volume_size: Option<u64>,
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args_os().skip(1).collect()) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("lanparty-mkrar: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(paths) => {
            for path in paths {
                println!("{}", path.display());
            }
            ExitCode::SUCCESS
        }
        Err(err) => {
            let mut message = err.to_string();
            let mut source = err.source();
            while let Some(cause) = source {
                message.push_str(&format!(": {cause}"));
                source = cause.source();
            }
            eprintln!("lanparty-mkrar: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<Vec<PathBuf>, rar5::Error> {
    match args.volume_size {
        None => {
            rar5::pack_dir(&args.src, &args.out)?;
            Ok(vec![args.out.clone()])
        }
        Some(volume_size) => {
            let dir = args.out.parent().unwrap_or(Path::new(""));
            let dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
            let file_name = args.out.file_name().unwrap_or_default().to_string_lossy();
            let stem = file_name.strip_suffix(".rar").unwrap_or(&file_name);
            rar5::pack_dir_volumes(&args.src, dir, stem, volume_size)
        }
    }
}

fn parse_args(args: Vec<std::ffi::OsString>) -> Result<Args, String> {
    let mut volume_size = None;
    let mut positional = Vec::new();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        if arg == "--volume-size" {
            let value = args.next().ok_or("--volume-size needs a value")?;
            let value = value.to_str().ok_or("--volume-size is not UTF-8")?;
            volume_size = Some(parse_size(value)?);
        } else if arg == "-h" || arg == "--help" {
            return Err("help requested".to_owned());
        } else if arg.to_string_lossy().starts_with('-') {
            return Err(format!("unknown option {}", arg.to_string_lossy()));
        } else {
            positional.push(PathBuf::from(arg));
        }
    }
    let [out, src]: [PathBuf; 2] =
        positional.try_into().map_err(|_| "expected two arguments, OUT.rar and DIR".to_owned())?;
    Ok(Args { out, src, volume_size })
}

/// Parses `123`, `64K`, `100M`, `2G` (binary units) into bytes.
fn parse_size(text: &str) -> Result<u64, String> {
    let (digits, unit) = match text.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((at, _)) => text.split_at(at),
        None => (text, ""),
    };
    let shift = match unit.to_ascii_uppercase().as_str() {
        "" => 0,
        "K" => 10,
        "M" => 20,
        "G" => 30,
        _ => return Err(format!("volume size {text:?}: unknown unit (use K, M or G)")),
    };
    let number: u64 = digits.parse().map_err(|_| format!("volume size {text:?} is not a number"))?;
    number.checked_mul(1 << shift).filter(|&n| n > 0).ok_or_else(|| format!("volume size {text:?} is out of range"))
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("100"), Ok(100));
        assert_eq!(parse_size("64K"), Ok(64 << 10));
        assert_eq!(parse_size("100m"), Ok(100 << 20));
        assert_eq!(parse_size("2G"), Ok(2 << 30));
        for bad in ["", "0", "K", "1T", "1.5M", "-1", "99999999999999999999"] {
            assert!(parse_size(bad).is_err(), "{bad:?}");
        }
    }
}
