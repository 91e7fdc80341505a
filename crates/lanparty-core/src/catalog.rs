//! The game catalog: which games Lanparty knows, with their metadata.
//!
//! A catalog is one JSON file (schema in `docs/DESIGN.md`); the bundled one ships inside the
//! binary, an organiser may load their own. A game root may also carry a `game.json` holding
//! one entry of the same shape, which makes that game shareable without a catalog entry.
//!
//! Every check runs while the JSON is read, so an error always names the file, the line and
//! column, and the field (`games[3].players`) that is wrong.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

/// The catalog schema this build reads.
pub const SCHEMA_VERSION: u32 = 1;
/// The longest catalog or `game.json` accepted, in bytes.
pub const MAX_CATALOG_BYTES: u64 = 16 * 1024 * 1024;
/// Longest accepted version string, in bytes.
pub const MAX_VERSION_BYTES: usize = 64;

const BUNDLED_JSON: &str = include_str!("../../../catalog/catalog.json");

/// A game's id: a lowercase slug, also the name of its folder in the games folder.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct GameId(String);

impl GameId {
    /// Checks `s` is a slug: `[a-z0-9][a-z0-9-]{0,63}`.
    pub fn new(s: &str) -> Result<GameId, String> {
        let ok = !s.is_empty()
            && s.len() <= 64
            && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !s.starts_with('-');
        if ok {
            Ok(GameId(s.to_owned()))
        } else {
            Err(format!(
                "`{s}` is not a game id: use 1 to 64 lowercase letters, digits and dashes, not starting with a dash"
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for GameId {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        GameId::new(&s)
    }
}

impl From<GameId> for String {
    fn from(id: GameId) -> String {
        id.0
    }
}

impl fmt::Display for GameId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How many people can play together.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(try_from = "RawPlayers")]
pub struct Players {
    pub min: u16,
    pub max: u16,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlayers {
    min: u16,
    max: u16,
}

impl TryFrom<RawPlayers> for Players {
    type Error = String;
    fn try_from(raw: RawPlayers) -> Result<Self, Self::Error> {
        if raw.min == 0 || raw.min > raw.max || raw.max > 256 {
            return Err(format!("players must satisfy 1 <= min <= max <= 256 (got min {}, max {})", raw.min, raw.max));
        }
        Ok(Players { min: raw.min, max: raw.max })
    }
}

/// One game's metadata, as a catalog entry or a `game.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GameMeta {
    pub id: GameId,
    #[serde(deserialize_with = "title")]
    pub title: String,
    #[serde(deserialize_with = "description")]
    pub description: String,
    #[serde(deserialize_with = "genre")]
    pub genre: String,
    pub players: Players,
    /// The version string this game's root `version.ini` carries.
    #[serde(deserialize_with = "version_field")]
    pub version: String,
    /// Approximate size of the game's files, for display before a manifest exists.
    pub approx_size_bytes: u64,
    pub can_host_server: bool,
    /// Cover image, relative to the catalog file (or to the game root for `game.json`).
    #[serde(default, deserialize_with = "cover", skip_serializing_if = "Option::is_none")]
    pub cover: Option<String>,
}

impl GameMeta {
    /// Placeholder metadata for a game a peer shares that no catalog here describes.
    pub fn unknown(id: GameId, version: &str) -> GameMeta {
        GameMeta {
            title: id.to_string(),
            id,
            description: String::new(),
            genre: "Unknown".to_owned(),
            players: Players { min: 1, max: 1 },
            version: version.to_owned(),
            approx_size_bytes: 0,
            can_host_server: false,
            cover: None,
        }
    }
}

fn bounded<'de, D: Deserializer<'de>>(d: D, what: &str, max: usize) -> Result<String, D::Error> {
    let s = String::deserialize(d)?;
    if s.trim().is_empty() || s.chars().count() > max {
        return Err(de::Error::custom(format!("{what} must be 1 to {max} characters, not blank")));
    }
    Ok(s)
}

fn title<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    bounded(d, "title", 128)
}

fn genre<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    bounded(d, "genre", 64)
}

fn description<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let s = String::deserialize(d)?;
    if s.chars().count() > 2000 {
        return Err(de::Error::custom("description must be at most 2000 characters"));
    }
    Ok(s)
}

fn version_field<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let s = String::deserialize(d)?;
    check_version(&s).map_err(de::Error::custom)?;
    Ok(s)
}

fn cover<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let s = String::deserialize(d)?;
    crate::relpath::validate(&s).map_err(|e| de::Error::custom(format!("cover: {e}")))?;
    let lower = s.to_ascii_lowercase();
    if ![".svg", ".png", ".jpg", ".jpeg", ".webp"].iter().any(|ext| lower.ends_with(ext)) {
        return Err(de::Error::custom("cover must be an .svg, .png, .jpg, .jpeg or .webp file"));
    }
    Ok(Some(s))
}

/// Checks a version string: 1 to 64 printable ASCII characters, no blanks at the ends.
pub fn check_version(s: &str) -> Result<(), String> {
    let printable = s.bytes().all(|b| (0x20..0x7f).contains(&b));
    if s.is_empty() || s.len() > MAX_VERSION_BYTES || !printable || s.trim() != s {
        return Err(format!(
            "version `{}` must be 1 to {MAX_VERSION_BYTES} printable ASCII characters without surrounding spaces",
            s.escape_debug()
        ));
    }
    Ok(())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    #[serde(deserialize_with = "schema_version")]
    #[allow(dead_code)] // read only to be checked
    schema_version: u32,
    #[serde(deserialize_with = "unique_games")]
    games: Vec<GameMeta>,
}

fn schema_version<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    let v = u32::deserialize(d)?;
    if v != SCHEMA_VERSION {
        return Err(de::Error::custom(format!(
            "schema_version {v} is not supported; this Lanparty reads schema_version {SCHEMA_VERSION}"
        )));
    }
    Ok(v)
}

/// Reads the games array, refusing a repeated id at the point it repeats.
fn unique_games<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<GameMeta>, D::Error> {
    struct Unique;
    impl<'de> Visitor<'de> for Unique {
        type Value = Vec<GameMeta>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an array of games")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut seen = HashSet::new();
            let mut games = Vec::new();
            while let Some(game) = seq.next_element::<GameMeta>()? {
                if !seen.insert(game.id.clone()) {
                    return Err(de::Error::custom(format!("game id `{}` appears twice", game.id)));
                }
                games.push(game);
            }
            Ok(games)
        }
    }
    d.deserialize_seq(Unique)
}

/// A catalog or `game.json` that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("cannot read {}: {source}", path.display())]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{} is larger than {MAX_CATALOG_BYTES} bytes", path.display())]
    TooLarge { path: PathBuf },
    #[error("{}:{line}:{column}: {}{message}", path.display(), field_prefix(field))]
    Invalid { path: PathBuf, line: usize, column: usize, field: String, message: String },
}

fn field_prefix(field: &str) -> String {
    if field.is_empty() || field == "." { String::new() } else { format!("field `{field}`: ") }
}

fn parse_json<T: de::DeserializeOwned>(text: &str, path: &Path) -> Result<T, CatalogError> {
    let invalid = |field: String, inner: serde_json::Error| {
        let (line, column) = (inner.line(), inner.column());
        let mut message = inner.to_string();
        // serde_json appends the position; it is already in front.
        if let Some(cut) = message.rfind(" at line ") {
            message.truncate(cut);
        }
        CatalogError::Invalid { path: path.to_owned(), line, column, field, message }
    };
    let mut de = serde_json::Deserializer::from_str(text);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let field = e.path().to_string();
        invalid(field, e.into_inner())
    })?;
    // Trailing garbage after the document is an error too, at its own position.
    de.end().map_err(|e| invalid(String::new(), e))?;
    Ok(value)
}

fn read_bounded(path: &Path) -> Result<String, CatalogError> {
    let read_err = |source| CatalogError::Read { path: path.to_owned(), source };
    let len = std::fs::metadata(path).map_err(read_err)?.len();
    if len > MAX_CATALOG_BYTES {
        return Err(CatalogError::TooLarge { path: path.to_owned() });
    }
    std::fs::read_to_string(path).map_err(read_err)
}

/// Reads a `game.json` from a game root.
pub fn load_game_json(path: &Path) -> Result<GameMeta, CatalogError> {
    parse_json(&read_bounded(path)?, path)
}

/// Where a catalog came from; covers are resolved against its folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CatalogSource {
    Bundled,
    File(PathBuf),
}

/// A set of games by id.
#[derive(Clone, Debug)]
pub struct Catalog {
    source: CatalogSource,
    games: BTreeMap<GameId, GameMeta>,
}

impl Catalog {
    /// The catalog built into this binary from `catalog/catalog.json`.
    pub fn bundled() -> Catalog {
        let games: CatalogFile = parse_json(BUNDLED_JSON, Path::new("catalog/catalog.json"))
            // The bundled file is checked by `bundled_catalog_is_valid` in this crate's tests
            // and by the catalog test suite; it cannot change after compilation.
            .expect("bundled catalog is valid");
        Catalog::from_games(CatalogSource::Bundled, games.games)
    }

    /// Reads an organiser's catalog file.
    pub fn load(path: &Path) -> Result<Catalog, CatalogError> {
        Catalog::parse(&read_bounded(path)?, path)
    }

    /// Parses catalog text; `path` names it in errors and anchors relative cover paths.
    pub fn parse(text: &str, path: &Path) -> Result<Catalog, CatalogError> {
        let file: CatalogFile = parse_json(text, path)?;
        Ok(Catalog::from_games(CatalogSource::File(path.to_owned()), file.games))
    }

    fn from_games(source: CatalogSource, games: Vec<GameMeta>) -> Catalog {
        Catalog { source, games: games.into_iter().map(|g| (g.id.clone(), g)).collect() }
    }

    pub fn source(&self) -> &CatalogSource {
        &self.source
    }

    pub fn get(&self, id: &str) -> Option<&GameMeta> {
        GameId::new(id).ok().and_then(|id| self.games.get(&id))
    }

    pub fn games(&self) -> impl Iterator<Item = &GameMeta> {
        self.games.values()
    }

    pub fn len(&self) -> usize {
        self.games.len()
    }

    pub fn is_empty(&self) -> bool {
        self.games.is_empty()
    }
}

/// The largest cover image turned into a data URL.
pub const MAX_COVER_BYTES: u64 = 2 * 1024 * 1024;

/// Where `id`'s cover image is. A catalog entry's cover is relative to its catalog file (the
/// bundled catalog's to `bundled_dir`, the folder that holds `covers/` beside the app); a game
/// the catalog lacks may name one in its `game.json`, relative to its root in `games_dir`.
/// `None` when no cover is named or the file is missing.
pub fn cover_path(
    catalog: &Catalog,
    bundled_dir: Option<&Path>,
    games_dir: Option<&Path>,
    id: &GameId,
) -> Option<PathBuf> {
    let path = match catalog.get(id.as_str()) {
        Some(meta) => {
            let base = match catalog.source() {
                CatalogSource::Bundled => bundled_dir?.to_path_buf(),
                CatalogSource::File(file) => file.parent()?.to_path_buf(),
            };
            crate::relpath::join(&base, meta.cover.as_deref()?)
        }
        None => {
            let root = games_dir?.join(id.as_str());
            let meta = load_game_json(&root.join(crate::library::GAME_JSON)).ok()?;
            crate::relpath::join(&root, meta.cover.as_deref()?)
        }
    };
    path.is_file().then_some(path)
}

/// Why a cover cannot be shown.
#[derive(Debug, thiserror::Error)]
pub enum CoverError {
    #[error("cannot read the cover {}: {source}", path.display())]
    Read { path: PathBuf, source: std::io::Error },
    #[error("the cover {} is larger than {MAX_COVER_BYTES} bytes: use a smaller image", path.display())]
    TooLarge { path: PathBuf },
    #[error("the cover {} is not an .svg, .png, .jpg, .jpeg or .webp file", path.display())]
    Kind { path: PathBuf },
}

/// The image at `path` as a `data:` URL, which a web view shows without file access.
pub fn cover_data_url(path: &Path) -> Result<String, CoverError> {
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    let mime = match ext.as_deref() {
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("webp") => "image/webp",
        _ => return Err(CoverError::Kind { path: path.to_owned() }),
    };
    let read_err = |source| CoverError::Read { path: path.to_owned(), source };
    if std::fs::metadata(path).map_err(read_err)?.len() > MAX_COVER_BYTES {
        return Err(CoverError::TooLarge { path: path.to_owned() });
    }
    let bytes = std::fs::read(path).map_err(read_err)?;
    Ok(format!("data:{mime};base64,{}", data_encoding::BASE64.encode(&bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invalid(text: &str) -> (usize, usize, String, String) {
        match Catalog::parse(text, Path::new("c.json")) {
            Err(CatalogError::Invalid { line, column, field, message, .. }) => (line, column, field, message),
            other => panic!("expected invalid, got {other:?}"),
        }
    }

    const ENTRY: &str = r#"{"id":"quake","title":"Quake","description":"","genre":"Shooter",
        "players":{"min":1,"max":16},"version":"1.0","approx_size_bytes":1,"can_host_server":true}"#;

    #[test]
    fn bundled_catalog_is_valid_and_every_cover_exists() {
        let catalog = Catalog::bundled();
        assert!(catalog.len() >= 12);
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../catalog");
        for game in catalog.games() {
            let cover = game.cover.as_deref().unwrap_or_else(|| panic!("{} has no cover", game.id));
            let path = crate::relpath::join(&dir, cover);
            assert!(path.is_file(), "{}: cover {} is missing", game.id, path.display());
        }
    }

    #[test]
    fn covers_resolve_against_their_catalog_or_game_root() {
        let repo_catalog = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../catalog");
        let bundled = Catalog::bundled();
        let id = bundled.games().next().unwrap().id.clone();
        let path = cover_path(&bundled, Some(&repo_catalog), None, &id).unwrap();
        assert!(path.ends_with(bundled.get(id.as_str()).unwrap().cover.as_deref().unwrap()));
        assert_eq!(cover_path(&bundled, None, None, &id), None, "no folder for the bundled covers");
        let url = cover_data_url(&path).unwrap();
        assert!(url.starts_with("data:image/svg+xml;base64,"), "{url:.40}");
        let decoded = data_encoding::BASE64.decode(url.split_once(',').unwrap().1.as_bytes()).unwrap();
        assert_eq!(decoded, std::fs::read(&path).unwrap());

        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("c.json");
        let entry = ENTRY.replace("\"can_host", "\"cover\":\"art/q.png\",\"can_host");
        std::fs::write(&file, format!(r#"{{"schema_version":1,"games":[{entry}]}}"#)).unwrap();
        let own = Catalog::load(&file).unwrap();
        let quake = GameId::new("quake").unwrap();
        assert_eq!(cover_path(&own, None, None, &quake), None, "named but missing");
        std::fs::create_dir(tmp.path().join("art")).unwrap();
        std::fs::write(tmp.path().join("art/q.png"), [0x89, b'P', b'N', b'G']).unwrap();
        let found = cover_path(&own, None, None, &quake).unwrap();
        assert_eq!(cover_data_url(&found).unwrap(), "data:image/png;base64,iVBORw==");

        // A game the catalog lacks, with a game.json naming a cover in its root.
        let games = tmp.path().join("games");
        std::fs::create_dir_all(games.join("mygame")).unwrap();
        let meta = ENTRY.replace("quake", "mygame").replace("\"can_host", "\"cover\":\"c.svg\",\"can_host");
        std::fs::write(games.join("mygame/game.json"), meta).unwrap();
        std::fs::write(games.join("mygame/c.svg"), "<svg/>").unwrap();
        let mine = GameId::new("mygame").unwrap();
        assert_eq!(cover_path(&own, None, Some(&games), &mine), Some(games.join("mygame/c.svg")));
        assert_eq!(cover_path(&own, None, None, &mine), None);
    }

    #[test]
    fn cover_data_url_refuses_other_kinds_and_large_files() {
        let tmp = tempfile::tempdir().unwrap();
        let gif = tmp.path().join("c.gif");
        std::fs::write(&gif, b"GIF").unwrap();
        assert!(matches!(cover_data_url(&gif), Err(CoverError::Kind { .. })));
        assert!(matches!(cover_data_url(&tmp.path().join("none.svg")), Err(CoverError::Read { .. })));
        let big = tmp.path().join("big.png");
        std::fs::File::create(&big).unwrap().set_len(MAX_COVER_BYTES + 1).unwrap();
        assert!(cover_data_url(&big).unwrap_err().to_string().contains("use a smaller image"));
    }

    #[test]
    fn parses_minimal_catalog() {
        let c = Catalog::parse(&format!(r#"{{"schema_version":1,"games":[{ENTRY}]}}"#), Path::new("c.json")).unwrap();
        let q = c.get("quake").unwrap();
        assert_eq!(q.players, Players { min: 1, max: 16 });
        assert_eq!(q.cover, None);
    }

    #[test]
    fn errors_name_line_column_and_field() {
        let text = "{\"schema_version\":1,\"games\":[\n{\"id\":\"x\",\"title\":\"X\",\"description\":\"\",\"genre\":\"G\",\n\"players\":{\"min\":3,\"max\":2},\"version\":\"1\",\"approx_size_bytes\":1,\"can_host_server\":false}]}";
        let (line, column, field, message) = invalid(text);
        assert_eq!((line, field.as_str()), (3, "games[0].players"));
        assert!(column > 1);
        assert!(message.contains("min <= max"), "{message}");
    }

    #[test]
    fn refuses_unknown_fields_bad_ids_duplicates_and_schema() {
        let (_, _, field, message) = invalid(r#"{"schema_version":1,"games":[{"id":"Bad Id"}]}"#);
        assert_eq!(field, "games[0].id");
        assert!(message.contains("not a game id"));

        let (_, _, field, message) = invalid(&format!(
            r#"{{"schema_version":1,"games":[{}]}}"#,
            ENTRY.replace("\"can_host", "\"colour\":1,\"can_host")
        ));
        assert_eq!(field, "games[0].colour");
        assert!(message.contains("unknown field"), "{message}");

        let (_, _, _, message) = invalid(&format!(r#"{{"schema_version":1,"games":[{ENTRY},{ENTRY}]}}"#));
        assert!(message.contains("appears twice"), "{message}");

        let (_, _, field, message) = invalid(r#"{"schema_version":2,"games":[]}"#);
        assert_eq!(field, "schema_version");
        assert!(message.contains("not supported"));

        let (_, _, field, _) =
            invalid(&format!(r#"{{"schema_version":1,"games":[{}]}}"#, ENTRY.replace("1.0", " 1.0")));
        assert_eq!(field, "games[0].version");

        let (line, _, _, _) = invalid("{\"schema_version\":1,\"games\":[]}\n\nx");
        assert_eq!(line, 3);
    }

    #[test]
    fn error_message_reads_as_file_line_column_field() {
        let err = Catalog::parse(r#"{"schema_version":1,"games":[{"id":"Bad"}]}"#, Path::new("/x/c.json")).unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("/x/c.json:1:"), "{text}");
        assert!(text.contains("field `games[0].id`"), "{text}");
    }

    #[test]
    fn version_rules() {
        assert!(check_version("1.0").is_ok());
        assert!(check_version("2024-01-01 build 7").is_ok());
        for bad in ["", " 1", "1 ", "ü", "a\tb", &"9".repeat(65)] {
            assert!(check_version(bad).is_err(), "{bad:?}");
        }
    }
}
