//! The install transaction's on-disk names, its intent record and the recovery table.
//!
//! This module owns the decision, never the doing: given the intent an operation left in the
//! state directory and which of `local/`, the staging folder and the backup folder exist in
//! the game root, [`recover`] (after a crash) and [`abort`] (after a step failed) say which
//! renames and deletes bring the game back to a whole install, old or new. No IO and no
//! clock, so every row of the table below is a unit test.
//!
//! # On disk
//!
//! ```text
//! <root>/local/                        the install: the player's, never deleted here
//! <root>/.lanparty-staging/            an install or update being extracted
//!     .lanparty-owner                  marker: the operation id, written first
//!     local/                           the new install, renamed to <root>/local/
//! <root>/.lanparty-backup/             the previous install during an update or uninstall
//!     .lanparty-owner                  marker: the operation id, written first
//!     local/                           the old <root>/local/, renamed here
//! <state>/intents/<game>.json          the intent: {"op": "…", "kind": "update", "step": "swap-in-new"}
//! ```
//!
//! The reserved folders are containers: the marker sits beside the payload, not in it, so
//! every swap is one rename of a `local/` folder and no launcher file ever lands in the
//! player's `local/`. A reserved folder is created before anything is put in it and its marker
//! is written (and flushed) first; it is removed payload first, marker last. So a folder that
//! holds anything of ours carries the marker, and one whose marker is missing or names another
//! operation is **foreign**: no plan renames, deletes or writes into it. Without an intent every
//! reserved folder is foreign; the executor refuses to start an operation while one is in the
//! way and tells the player to look inside and remove it.
//!
//! # Steps
//!
//! Each step is one rename or one delete (except [`Step::Preparing`], which creates the
//! reserved folders and extracts); the intent naming it is written and flushed before it runs.
//!
//! | Kind | Steps |
//! | --- | --- |
//! | install | `preparing` (staging, extract), `swap-in-new`, `drop-staging` |
//! | update | `preparing` (staging, empty backup, extract), `swap-out-old`, `swap-in-new`, `drop-backup`, `drop-staging` |
//! | uninstall | `preparing` (empty backup), `swap-out-old`, `drop-backup` |
//! | undo (any) | `restore-old`, `discard-staging`, `discard-backup` |
//!
//! `swap-out-old` renames `local/` to `.lanparty-backup/local/`, `swap-in-new` renames
//! `.lanparty-staging/local/` to `local/`, `restore-old` renames `.lanparty-backup/local/` back;
//! `drop-*` and `discard-*` delete a reserved folder, finishing and undoing respectively: the
//! intent must say which way a crash interrupted us. A recovery plan is a list of steps too, and
//! the executor records each before running it, so a crash during recovery is just another
//! crash: recovering from it ends where the first recovery would have.
//!
//! # Direction
//!
//! The staging folder holds the complete new install only once `preparing` finished, i.e. when
//! the intent is past it. From then on a crash **finishes** the operation (the player asked for
//! it and nothing has to be extracted again); before, it is **undone**. Once a `drop-*` step is
//! recorded the old install may be partly deleted, so from there on the only way is forward.
//! A failed step ([`abort`]) is undone while the previous state can be restored whole, and
//! finished once the new install is in `local/`.
//!
//! | Intent step | [`recover`] | [`abort`] |
//! | --- | --- | --- |
//! | none | nothing (no reserved folder is ours) | (no operation) |
//! | `preparing`, `restore-old`, `discard-*` | undo | undo |
//! | `swap-out-old`, `swap-in-new` | finish if the new install is in `local/` or can be renamed there; else undo | undo if that restores the previous state whole and the new install is not in `local/` yet; else finish if possible; else undo |
//! | `drop-*` | finish | finish |
//!
//! Finishing renames the new install into `local/` (after moving the old one out, for an update
//! interrupted at `swap-out-old`) and drops our reserved folders. Undoing renames the backup's
//! `local/` back when `local/` is free, and discards our reserved folders, except a backup
//! still holding an install that could not be put back: that one is kept ([`Outcome::BackupKept`]).
//! `local/` itself is never deleted, and never renamed over.
//!
//! # The table
//!
//! `local`: `yes` or `-`. Staging and backup: `-` absent, `empty` ours with only the marker,
//! `full` ours holding `local/`, `foreign`. The first rows of each kind are the states a crash
//! leaves; the rest need a meddling player or a failing disk. Each row is a test below.
//!
//! | Kind | Step | local | staging | backup | Plan ([`recover`]) | Outcome |
//! | --- | --- | --- | --- | --- | --- | --- |
//! | install | preparing | - | - | - | | back |
//! | install | preparing | - | empty/full | - | discard-staging | back |
//! | install | swap-in-new | - | full | - | swap-in-new, drop-staging | forward |
//! | install | swap-in-new | yes | empty | - | drop-staging | forward |
//! | install | drop-staging | yes | empty | - | drop-staging | forward |
//! | install | drop-staging | yes | - | - | | forward |
//! | install | discard-staging | - | full | - | discard-staging | back |
//! | install | discard-staging | - | - | - | | back |
//! | install | swap-in-new | yes | full | - | discard-staging (`local/` is not ours) | back |
//! | install | swap-in-new | - | - | - | (nothing left) | back |
//! | install | preparing | - | foreign | - | (foreign kept) | back |
//! | install | swap-in-new | - | full | full | swap-in-new, drop-staging (an install has no backup: foreign) | forward |
//! | update | preparing | yes | full | empty | discard-staging, discard-backup | back |
//! | update | preparing | yes | - | - | | back |
//! | update | swap-out-old | yes | full | empty | swap-out-old, swap-in-new, drop-backup, drop-staging | forward |
//! | update | swap-out-old | - | full | full | swap-in-new, drop-backup, drop-staging | forward |
//! | update | swap-in-new | - | full | full | swap-in-new, drop-backup, drop-staging | forward |
//! | update | swap-in-new | yes | empty | full | drop-backup, drop-staging | forward |
//! | update | drop-backup | yes | empty | full | drop-backup, drop-staging | forward |
//! | update | drop-backup | yes | empty | - | drop-staging | forward |
//! | update | drop-staging | yes | empty | - | drop-staging | forward |
//! | update | drop-staging | yes | - | - | | forward |
//! | update | restore-old | - | full | full | restore-old, discard-staging, discard-backup | back |
//! | update | restore-old | yes | full | empty | discard-staging, discard-backup | back |
//! | update | discard-staging | yes | - | empty | discard-backup | back |
//! | update | discard-backup | yes | - | - | | back |
//! | update | swap-in-new | - | - | full | restore-old, discard-backup (new lost) | back |
//! | update | swap-in-new | - | empty | full | restore-old, discard-staging, discard-backup (new lost) | back |
//! | update | swap-in-new | yes | full | full | discard-staging (`local/` is not ours) | backup kept |
//! | update | swap-out-old | yes | full | foreign/- | discard-staging (nowhere to move the old) | back |
//! | update | drop-backup | - | empty | full | drop-backup, drop-staging (old partly deleted) | forward |
//! | update | swap-in-new | - | - | - | (nothing left) | back |
//! | uninstall | preparing | yes | - | empty | discard-backup | back |
//! | uninstall | swap-out-old | yes | - | empty | swap-out-old, drop-backup | forward |
//! | uninstall | swap-out-old | - | - | full | drop-backup | forward |
//! | uninstall | drop-backup | - | - | full | drop-backup | forward |
//! | uninstall | drop-backup | - | - | - | | forward |
//! | uninstall | restore-old | - | - | full | restore-old, discard-backup | back |
//! | uninstall | discard-backup | yes | - | empty | discard-backup | back |
//! | uninstall | swap-out-old | yes | - | foreign | (foreign kept) | back |
//! | uninstall | swap-out-old | yes | - | full | drop-backup (`local/` is not ours: kept) | forward |
//! | uninstall | swap-out-old | - | - | - | | forward |
//! | (none) | | any | any | any | | nothing |
//!
//! A reserved folder the operation's kind does not use (a backup during an install) is foreign.
//! Whenever there was an intent, the executor removes it after the plan's last step.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::catalog::GameId;
use crate::library::LOCAL_DIR;

/// An install or update being extracted, in the game root.
pub const STAGING_DIR: &str = ".lanparty-staging";
/// The previous install during an update or an uninstall, in the game root.
pub const BACKUP_DIR: &str = ".lanparty-backup";
/// The ownership marker inside each reserved folder: the operation id, a line of text.
pub const MARKER_FILE: &str = ".lanparty-owner";
/// The payload inside each reserved folder: the install it holds, named as it will be (or
/// was) in the root, so a swap is one rename.
pub const PAYLOAD_DIR: &str = LOCAL_DIR;
/// The folder of intent records under the state directory.
pub const INTENTS_DIR: &str = "intents";

/// Where a game's intent record lives: `<state>/intents/<game>.json`.
pub fn intent_path(state_root: &Path, game: &GameId) -> PathBuf {
    state_root.join(INTENTS_DIR).join(format!("{}.json", game.as_str()))
}

/// Names one operation, in its intent and in the markers of the folders it creates, so a
/// folder left by an older operation (or copied from another machine) is never taken for ours.
/// The executor draws it at random; it is shown as 16 lowercase hex digits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OpId(u64);

impl OpId {
    pub const fn new(id: u64) -> OpId {
        OpId(id)
    }

    /// The marker file's contents.
    pub fn marker(self) -> String {
        format!("{self}\n")
    }

    /// Reads a marker file's contents; `None` when it names no operation.
    pub fn from_marker(text: &str) -> Option<OpId> {
        OpId::parse(text.trim())
    }

    fn parse(s: &str) -> Option<OpId> {
        // `from_str_radix` alone would take a sign and short forms; only the exact shape we write counts.
        let is_shape = s.len() == 16 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if is_shape { u64::from_str_radix(s, 16).ok().map(OpId) } else { None }
    }
}

impl fmt::Display for OpId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

impl TryFrom<String> for OpId {
    type Error = String;
    fn try_from(s: String) -> Result<OpId, String> {
        OpId::parse(&s).ok_or_else(|| format!("`{s}` is not an operation id: expected 16 lowercase hex digits"))
    }
}

impl From<OpId> for String {
    fn from(op: OpId) -> String {
        op.to_string()
    }
}

/// What the operation does to `local/`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// No `local/` before; the extracted game after.
    Install,
    /// The old `local/` before; the extracted new version after.
    Update,
    /// The old `local/` before; none after.
    Uninstall,
}

impl Kind {
    /// The steps of the operation in order, each recorded in the intent before it runs.
    pub fn steps(self) -> &'static [Step] {
        use Step::*;
        match self {
            Kind::Install => &[Preparing, SwapInNew, DropStaging],
            // The backup first: deleting the old install frees its space, and the staging
            // folder holds only its marker by then.
            Kind::Update => &[Preparing, SwapOutOld, SwapInNew, DropBackup, DropStaging],
            Kind::Uninstall => &[Preparing, SwapOutOld, DropBackup],
        }
    }

    /// The steps that undo it, in the order an undo runs them (a plan skips those not needed).
    pub fn undo_steps(self) -> &'static [Step] {
        use Step::*;
        match self {
            Kind::Install => &[DiscardStaging],
            Kind::Update => &[RestoreOld, DiscardStaging, DiscardBackup],
            Kind::Uninstall => &[RestoreOld, DiscardBackup],
        }
    }

    /// Whether the operation extracts into the staging folder.
    pub fn has_staging(self) -> bool {
        matches!(self, Kind::Install | Kind::Update)
    }

    /// Whether the operation moves the old install into the backup folder.
    pub fn has_backup(self) -> bool {
        matches!(self, Kind::Update | Kind::Uninstall)
    }

    /// Whether `step` belongs to this kind, forward or undoing.
    pub fn allows(self, step: Step) -> bool {
        self.steps().contains(&step) || self.undo_steps().contains(&step)
    }

    fn as_str(self) -> &'static str {
        match self {
            Kind::Install => "install",
            Kind::Update => "update",
            Kind::Uninstall => "uninstall",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The step an operation is about to perform, or may have been performing when it stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Step {
    /// Create the reserved folders the kind uses (marker first), and for an install or update
    /// extract the new version into `.lanparty-staging/local/` and flush it. The only step
    /// that is not a single rename or delete; the next intent is written only once it is
    /// complete, so a later step means the staging folder holds the whole new install.
    Preparing,
    /// Rename `local/` to `.lanparty-backup/local/`.
    SwapOutOld,
    /// Rename `.lanparty-staging/local/` to `local/`.
    SwapInNew,
    /// Delete `.lanparty-staging/`, finishing.
    DropStaging,
    /// Delete `.lanparty-backup/` and the old install in it, finishing.
    DropBackup,
    /// Rename `.lanparty-backup/local/` back to `local/`, undoing.
    RestoreOld,
    /// Delete `.lanparty-staging/` and the new install in it, undoing.
    DiscardStaging,
    /// Delete the emptied `.lanparty-backup/`, undoing.
    DiscardBackup,
}

impl Step {
    /// The rename or delete this step performs; `None` for [`Step::Preparing`], which no
    /// recovery plan contains.
    pub fn action(self) -> Option<Action> {
        Some(match self {
            Step::Preparing => return None,
            Step::SwapOutOld => Action::RenameLocalToBackup,
            Step::SwapInNew => Action::RenameStagingToLocal,
            Step::RestoreOld => Action::RenameBackupToLocal,
            Step::DropStaging | Step::DiscardStaging => Action::RemoveStaging,
            Step::DropBackup | Step::DiscardBackup => Action::RemoveBackup,
        })
    }

    fn as_str(self) -> &'static str {
        match self {
            Step::Preparing => "preparing",
            Step::SwapOutOld => "swap-out-old",
            Step::SwapInNew => "swap-in-new",
            Step::DropStaging => "drop-staging",
            Step::DropBackup => "drop-backup",
            Step::RestoreOld => "restore-old",
            Step::DiscardStaging => "discard-staging",
            Step::DiscardBackup => "discard-backup",
        }
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One filesystem change in the game root.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// `local/` to `.lanparty-backup/local/`.
    RenameLocalToBackup,
    /// `.lanparty-staging/local/` to `local/`.
    RenameStagingToLocal,
    /// `.lanparty-backup/local/` to `local/`.
    RenameBackupToLocal,
    /// Delete `.lanparty-staging/`: its payload first, the marker last.
    RemoveStaging,
    /// Delete `.lanparty-backup/`: its payload first, the marker last.
    RemoveBackup,
}

impl Action {
    /// What the action leaves, for [`apply`]. Its preconditions (a free `local/`, a source
    /// that is ours) are the planner's to keep, not checked here.
    fn simulate(self, seen: Observed) -> Observed {
        match self {
            Action::RenameLocalToBackup => Observed { local: false, backup: Some(FULL), ..seen },
            Action::RenameStagingToLocal => Observed { local: true, staging: Some(EMPTY), ..seen },
            Action::RenameBackupToLocal => Observed { local: true, backup: Some(EMPTY), ..seen },
            Action::RemoveStaging => Observed { staging: None, ..seen },
            Action::RemoveBackup => Observed { backup: None, ..seen },
        }
    }
}

/// The intent record: which operation runs on a game and the step it is about to perform.
/// Written with `state::write_atomic` (and so flushed) before every step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "IntentRecord", into = "IntentRecord")]
pub struct Intent {
    op: OpId,
    kind: Kind,
    step: Step,
}

/// The serialized shape, checked on the way in so an [`Intent`] never holds a step its kind
/// does not have.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct IntentRecord {
    op: OpId,
    kind: Kind,
    step: Step,
}

/// An intent that cannot be: the record was edited or belongs to another format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IntentError {
    #[error("step `{step}` is not part of an {kind}")]
    StepNotInKind { kind: Kind, step: Step },
}

impl Intent {
    /// The intent an operation writes before it starts: its first step.
    pub fn begin(kind: Kind, op: OpId) -> Intent {
        Intent { op, kind, step: Step::Preparing }
    }

    /// The same operation at `step`: what to record before running a plan's step.
    pub fn at(&self, step: Step) -> Result<Intent, IntentError> {
        if self.kind.allows(step) {
            Ok(Intent { step, ..*self })
        } else {
            Err(IntentError::StepNotInKind { kind: self.kind, step })
        }
    }

    /// The next forward step, or `None` after the last one (then the intent is removed) and
    /// for undo steps (an undo follows its [`Plan`]).
    pub fn next(&self) -> Option<Intent> {
        let steps = self.kind.steps();
        let at = steps.iter().position(|&s| s == self.step)?;
        steps.get(at + 1).map(|&step| Intent { step, ..*self })
    }

    pub fn op(&self) -> OpId {
        self.op
    }

    pub fn kind(&self) -> Kind {
        self.kind
    }

    pub fn step(&self) -> Step {
        self.step
    }
}

impl TryFrom<IntentRecord> for Intent {
    type Error = IntentError;
    fn try_from(r: IntentRecord) -> Result<Intent, IntentError> {
        Intent::begin(r.kind, r.op).at(r.step)
    }
}

impl From<Intent> for IntentRecord {
    fn from(i: Intent) -> IntentRecord {
        IntentRecord { op: i.op, kind: i.kind, step: i.step }
    }
}

/// A reserved folder that exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Marked {
    /// Its marker names the intent's operation; `has_local` says whether its payload folder
    /// `local/` exists (complete or not: the intent's step says which).
    Ours { has_local: bool },
    /// No marker, an unreadable one, another operation's, or no intent at all: never touched.
    Foreign,
}

const EMPTY: Marked = Marked::Ours { has_local: false };
const FULL: Marked = Marked::Ours { has_local: true };

impl Marked {
    /// Classifies a reserved folder from its marker file's text (`None` when missing or
    /// unreadable) and whether its `local/` exists.
    pub fn classify(marker: Option<&str>, has_local: bool, intent: Option<&Intent>) -> Marked {
        match (marker.and_then(OpId::from_marker), intent) {
            (Some(op), Some(intent)) if op == intent.op => Marked::Ours { has_local },
            _ => Marked::Foreign,
        }
    }

    /// Classifies a reserved folder that has nothing in it at all, not even a marker. Folders are
    /// created (and marked right after) only while `preparing`, so under that intent it is the
    /// one a crash left before its marker was written: ours, and empty. Otherwise it is not
    /// known, but then it holds nothing that could be lost either; it stays foreign.
    pub fn classify_bare(intent: Option<&Intent>) -> Marked {
        match intent {
            Some(intent) if intent.step == Step::Preparing => EMPTY,
            _ => Marked::Foreign,
        }
    }

    fn is_ours(self) -> bool {
        matches!(self, Marked::Ours { .. })
    }
}

/// What exists in the game root.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Observed {
    /// Anything named `local` (folder, file or link): a rename onto it must not happen.
    pub local: bool,
    pub staging: Option<Marked>,
    pub backup: Option<Marked>,
}

impl Observed {
    /// Reserved folders this kind never creates are not its own, whatever their marker says.
    fn owned_by(self, kind: Kind) -> Observed {
        let foreign_unless = |used: bool, dir: Option<Marked>| if used { dir } else { dir.map(|_| Marked::Foreign) };
        Observed {
            local: self.local,
            staging: foreign_unless(kind.has_staging(), self.staging),
            backup: foreign_unless(kind.has_backup(), self.backup),
        }
    }

    fn is_staging_ours(&self) -> bool {
        self.staging.is_some_and(Marked::is_ours)
    }

    fn is_backup_ours(&self) -> bool {
        self.backup.is_some_and(Marked::is_ours)
    }
}

/// How a plan leaves the game.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// There was no intent: nothing was running, nothing is done.
    NothingToDo,
    /// The operation is finished: the new install is in `local/` (none, for an uninstall).
    RolledForward,
    /// The operation is undone: `local/` is as before it, or as much of it as was left.
    RolledBack,
    /// Undone, except that the previous install stays in `.lanparty-backup/local/` because
    /// something that is not ours took `local/`: the player has to choose between them.
    BackupKept,
}

/// What to do, in order. For each step the executor records the intent at that step
/// ([`Intent::at`]), flushes it, then performs [`Step::action`]; after the last step (also
/// when there are none) it removes the intent, unless the outcome is
/// [`Outcome::NothingToDo`]. When an action fails, the executor stops and leaves the intent
/// for the next start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    pub outcome: Outcome,
    pub steps: Vec<Step>,
}

impl Plan {
    fn nothing() -> Plan {
        Plan { outcome: Outcome::NothingToDo, steps: Vec::new() }
    }
}

/// What a start does about the intent a crash left (`None`: no intent record), given what the
/// game root holds. See the module docs for the table.
pub fn recover(intent: Option<&Intent>, seen: &Observed) -> Plan {
    let Some(intent) = intent else {
        return Plan::nothing();
    };
    let seen = seen.owned_by(intent.kind);
    match intent.step {
        Step::Preparing | Step::RestoreOld | Step::DiscardStaging | Step::DiscardBackup => undo(&seen),
        Step::SwapOutOld | Step::SwapInNew | Step::DropStaging | Step::DropBackup => {
            finish(intent, &seen).unwrap_or_else(|| undo(&seen))
        }
    }
}

/// What to do after the step in `intent` failed while the operation was running: undo it if
/// the previous state comes back whole, otherwise finish it (the new install is already in
/// `local/`, or the drops have begun).
pub fn abort(intent: &Intent, seen: &Observed) -> Plan {
    let seen = seen.owned_by(intent.kind);
    match intent.step {
        Step::Preparing | Step::RestoreOld | Step::DiscardStaging | Step::DiscardBackup => undo(&seen),
        Step::DropStaging | Step::DropBackup => finish(intent, &seen).unwrap_or_else(|| undo(&seen)),
        Step::SwapOutOld | Step::SwapInNew => {
            let back = undo(&seen);
            if back.outcome == Outcome::RolledBack && !is_local_new(intent, &seen) {
                back
            } else {
                finish(intent, &seen).unwrap_or(back)
            }
        }
    }
}

/// What `seen` becomes once every step of `plan` has run.
pub fn apply(seen: &Observed, plan: &Plan) -> Observed {
    plan.steps.iter().filter_map(|step| step.action()).fold(*seen, |seen, action| action.simulate(seen))
}

/// Whether the operation is dropping its reserved folders: the swap is done, the old install
/// may be partly deleted, and the only way left is forward.
fn is_dropping(intent: &Intent) -> bool {
    matches!(intent.step, Step::DropStaging | Step::DropBackup)
}

/// Whether `local/` holds the new install while the swap-in is recorded: its source is no
/// longer full, and the rename is atomic, so it happened.
fn is_local_new(intent: &Intent, seen: &Observed) -> bool {
    intent.step == Step::SwapInNew && seen.local && seen.staging != Some(FULL)
}

/// The forward plan, or `None` when the operation cannot be finished: the new install is
/// lost, or `local/` is taken by something that is not ours.
fn finish(intent: &Intent, seen: &Observed) -> Option<Plan> {
    let mut st = *seen;
    let mut steps = Vec::new();
    let mut run = |step: Step, st: &mut Observed| {
        if let Some(action) = step.action() {
            *st = action.simulate(*st);
        }
        steps.push(step);
    };
    let step = intent.step;
    match intent.kind {
        Kind::Install | Kind::Update => {
            if !is_dropping(intent) && !is_local_new(intent, &st) {
                // Here the intent is at a swap, past `preparing`: a full staging folder holds
                // the whole new install.
                if st.staging != Some(FULL) {
                    return None;
                }
                if st.local {
                    // Only an update stopped at `swap-out-old` may find `local/` taken: by the
                    // old install, which goes to the (empty, ours) backup folder first.
                    let is_old_in_local =
                        intent.kind == Kind::Update && step == Step::SwapOutOld && st.backup == Some(EMPTY);
                    if !is_old_in_local {
                        return None;
                    }
                    run(Step::SwapOutOld, &mut st);
                }
                run(Step::SwapInNew, &mut st);
            }
            if intent.kind.has_backup() && st.is_backup_ours() {
                run(Step::DropBackup, &mut st);
            }
            if st.is_staging_ours() {
                run(Step::DropStaging, &mut st);
            }
        }
        Kind::Uninstall => {
            // At `swap-out-old` with a full backup the rename happened and whatever is in
            // `local/` now is not ours: it stays.
            if step == Step::SwapOutOld && st.local && st.backup != Some(FULL) {
                if st.backup != Some(EMPTY) {
                    return None;
                }
                run(Step::SwapOutOld, &mut st);
            }
            if st.is_backup_ours() {
                run(Step::DropBackup, &mut st);
            }
        }
    }
    Some(Plan { outcome: Outcome::RolledForward, steps })
}

/// The undo plan: put the old install back if `local/` is free, discard our folders, keep a
/// backup that still holds an install. Never used once dropping began, when the backup may
/// hold a partly deleted install.
fn undo(seen: &Observed) -> Plan {
    let mut steps = Vec::new();
    let mut backup = seen.backup;
    let mut is_kept = false;
    if backup == Some(FULL) {
        if !seen.local {
            steps.push(Step::RestoreOld);
            backup = Some(EMPTY);
        } else {
            is_kept = true;
        }
    }
    if seen.is_staging_ours() {
        steps.push(Step::DiscardStaging);
    }
    if backup == Some(EMPTY) {
        steps.push(Step::DiscardBackup);
    }
    let outcome = if is_kept { Outcome::BackupKept } else { Outcome::RolledBack };
    Plan { outcome, steps }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const OP: OpId = OpId::new(0x0123_4567_89ab_cdef);
    const ABSENT: Option<Marked> = None;
    const OURS_EMPTY: Option<Marked> = Some(EMPTY);
    const OURS_FULL: Option<Marked> = Some(FULL);
    const FOREIGN: Option<Marked> = Some(Marked::Foreign);
    const DIRS: [Option<Marked>; 4] = [ABSENT, OURS_EMPTY, OURS_FULL, FOREIGN];

    fn intent(kind: Kind, step: Step) -> Intent {
        Intent::begin(kind, OP).at(step).unwrap()
    }

    fn every_intent() -> Vec<Intent> {
        let kinds = [Kind::Install, Kind::Update, Kind::Uninstall];
        kinds.iter().flat_map(|&k| k.steps().iter().chain(k.undo_steps()).map(move |&s| intent(k, s))).collect()
    }

    fn every_observed() -> Vec<Observed> {
        let mut all = Vec::new();
        for local in [false, true] {
            for staging in DIRS {
                for backup in DIRS {
                    all.push(Observed { local, staging, backup });
                }
            }
        }
        all
    }

    /// The structural promises of a plan, checked step by step on the simulated folders:
    /// foreign folders and folders the kind does not use are never touched, nothing is renamed
    /// onto `local/`, a staging folder is renamed in only when complete, a partly deleted backup
    /// is never put back, and recovering again (from any point of the plan) ends the same.
    fn check_plan(intent: &Intent, seen: &Observed, plan: &Plan, is_abort: bool) {
        let mut st = *seen;
        for &step in &plan.steps {
            assert!(intent.at(step).is_ok(), "{step} in a plan for an {}", intent.kind);
            let action = step.action().expect("plans never contain `preparing`");
            match action {
                Action::RenameLocalToBackup => {
                    assert!(intent.kind.has_backup() && intent.step == Step::SwapOutOld, "{intent:?} {seen:?}");
                    assert!(st.local && st.backup == OURS_EMPTY, "{intent:?} {seen:?}");
                }
                Action::RenameStagingToLocal => {
                    assert!(!st.local && st.staging == OURS_FULL && intent.kind.has_staging(), "{intent:?} {seen:?}");
                    let is_complete = matches!(intent.step, Step::SwapOutOld | Step::SwapInNew);
                    assert!(is_complete, "partial staging renamed in: {intent:?} {seen:?}");
                }
                Action::RenameBackupToLocal => {
                    assert!(!st.local && st.backup == OURS_FULL && intent.kind.has_backup(), "{intent:?} {seen:?}");
                    assert!(!is_dropping(intent), "a partly deleted backup put back: {intent:?} {seen:?}");
                }
                Action::RemoveStaging => {
                    assert!(st.staging.is_some_and(Marked::is_ours) && intent.kind.has_staging(), "{intent:?} {seen:?}")
                }
                Action::RemoveBackup => {
                    assert!(st.backup.is_some_and(Marked::is_ours) && intent.kind.has_backup(), "{intent:?} {seen:?}")
                }
            }
            st = action.simulate(st);
        }
        assert_eq!(st, apply(seen, plan));

        // Only a kept backup of ours survives a plan; foreign folders are as they were.
        let kind_dirs = seen.owned_by(intent.kind);
        assert!(!st.staging.is_some_and(Marked::is_ours) || !kind_dirs.staging.is_some_and(Marked::is_ours));
        let is_backup_left = kind_dirs.backup.is_some_and(Marked::is_ours) && st.backup.is_some_and(Marked::is_ours);
        assert_eq!(is_backup_left, plan.outcome == Outcome::BackupKept, "{intent:?} {seen:?} {plan:?}");
        if seen.staging == FOREIGN {
            assert_eq!(st.staging, FOREIGN);
        }
        if seen.backup == FOREIGN {
            assert_eq!(st.backup, FOREIGN);
        }
        // (Once dropping, the old install may be partly deleted: forward even if the new is gone.)
        if plan.outcome == Outcome::RolledForward && intent.kind != Kind::Uninstall && !is_dropping(intent) {
            assert!(st.local, "finished without an install: {intent:?} {seen:?}");
        }

        // Crash anywhere in the plan: with the step recorded, before or after its action, the
        // next start ends where this plan ends, with the same outcome.
        let mut before = *seen;
        for &step in &plan.steps {
            let recorded = intent.at(step).unwrap();
            let after = step.action().map_or(before, |a| a.simulate(before));
            for state in [before, after] {
                let again = recover(Some(&recorded), &state);
                assert_eq!(apply(&state, &again), st, "crash at {step} of {plan:?}, {intent:?} {seen:?}");
                assert_eq!(again.outcome, plan.outcome, "crash at {step} of {plan:?}, {intent:?} {seen:?}");
            }
            before = after;
        }

        // Crash after the last action, before the intent is removed: nothing more to do. (An
        // abort with no step records nothing, so a start may tell that story the other way.)
        let last = plan.steps.last().map_or(*intent, |&s| intent.at(s).unwrap());
        let again = recover(Some(&last), &st);
        assert_eq!(again.steps, [], "{intent:?} {seen:?} {plan:?}");
        if !(is_abort && plan.steps.is_empty()) {
            assert_eq!(again.outcome, plan.outcome, "{intent:?} {seen:?} {plan:?}");
        }
    }

    fn check(intent: Option<&Intent>, seen: &Observed) {
        let plan = recover(intent, seen);
        match intent {
            None => assert_eq!(plan, Plan::nothing()),
            Some(intent) => {
                assert_ne!(plan.outcome, Outcome::NothingToDo);
                check_plan(intent, seen, &plan, false);
                check_plan(intent, seen, &abort(intent, seen), true);
            }
        }
    }

    /// One test per row of the table in the module docs: `kind step, local, staging, backup`
    /// => the steps of `recover`'s plan and its outcome.
    macro_rules! rows {
        ($($name:ident: $kind:ident $step:ident, $local:expr, $staging:expr, $backup:expr
            => [$($planned:ident),*] $outcome:ident;)*) => {$(
            #[test]
            fn $name() {
                let intent = intent(Kind::$kind, Step::$step);
                let seen = Observed { local: $local, staging: $staging, backup: $backup };
                let expected = Plan { outcome: Outcome::$outcome, steps: vec![$(Step::$planned),*] };
                assert_eq!(recover(Some(&intent), &seen), expected);
                check(Some(&intent), &seen);
            }
        )*};
    }

    rows! {
        install_preparing_nothing_made: Install Preparing, false, ABSENT, ABSENT => [] RolledBack;
        install_preparing_empty_staging: Install Preparing, false, OURS_EMPTY, ABSENT => [DiscardStaging] RolledBack;
        install_preparing_partial_staging: Install Preparing, false, OURS_FULL, ABSENT => [DiscardStaging] RolledBack;
        install_swap_in_pending: Install SwapInNew, false, OURS_FULL, ABSENT => [SwapInNew, DropStaging] RolledForward;
        install_swap_in_done: Install SwapInNew, true, OURS_EMPTY, ABSENT => [DropStaging] RolledForward;
        install_drop_staging_pending: Install DropStaging, true, OURS_EMPTY, ABSENT => [DropStaging] RolledForward;
        install_drop_staging_done: Install DropStaging, true, ABSENT, ABSENT => [] RolledForward;
        install_discard_pending: Install DiscardStaging, false, OURS_FULL, ABSENT => [DiscardStaging] RolledBack;
        install_discard_done: Install DiscardStaging, false, ABSENT, ABSENT => [] RolledBack;
        install_local_taken_by_another: Install SwapInNew, true, OURS_FULL, ABSENT => [DiscardStaging] RolledBack;
        install_everything_missing: Install SwapInNew, false, ABSENT, ABSENT => [] RolledBack;
        install_foreign_staging_kept: Install Preparing, false, FOREIGN, ABSENT => [] RolledBack;
        install_never_touches_a_backup: Install SwapInNew, false, OURS_FULL, OURS_FULL => [SwapInNew, DropStaging] RolledForward;

        update_preparing_partial: Update Preparing, true, OURS_FULL, OURS_EMPTY => [DiscardStaging, DiscardBackup] RolledBack;
        update_preparing_nothing_made: Update Preparing, true, ABSENT, ABSENT => [] RolledBack;
        update_swap_out_pending: Update SwapOutOld, true, OURS_FULL, OURS_EMPTY
            => [SwapOutOld, SwapInNew, DropBackup, DropStaging] RolledForward;
        update_swap_out_done: Update SwapOutOld, false, OURS_FULL, OURS_FULL => [SwapInNew, DropBackup, DropStaging] RolledForward;
        update_swap_in_pending: Update SwapInNew, false, OURS_FULL, OURS_FULL => [SwapInNew, DropBackup, DropStaging] RolledForward;
        update_swap_in_done: Update SwapInNew, true, OURS_EMPTY, OURS_FULL => [DropBackup, DropStaging] RolledForward;
        update_drop_backup_pending: Update DropBackup, true, OURS_EMPTY, OURS_FULL => [DropBackup, DropStaging] RolledForward;
        update_drop_backup_done: Update DropBackup, true, OURS_EMPTY, ABSENT => [DropStaging] RolledForward;
        update_drop_staging_pending: Update DropStaging, true, OURS_EMPTY, ABSENT => [DropStaging] RolledForward;
        update_drop_staging_done: Update DropStaging, true, ABSENT, ABSENT => [] RolledForward;
        update_restore_pending: Update RestoreOld, false, OURS_FULL, OURS_FULL
            => [RestoreOld, DiscardStaging, DiscardBackup] RolledBack;
        update_restore_done: Update RestoreOld, true, OURS_FULL, OURS_EMPTY => [DiscardStaging, DiscardBackup] RolledBack;
        update_discard_staging_done: Update DiscardStaging, true, ABSENT, OURS_EMPTY => [DiscardBackup] RolledBack;
        update_discard_backup_done: Update DiscardBackup, true, ABSENT, ABSENT => [] RolledBack;
        update_new_lost_restores_old: Update SwapInNew, false, ABSENT, OURS_FULL => [RestoreOld, DiscardBackup] RolledBack;
        update_local_taken_keeps_backup: Update SwapInNew, true, OURS_FULL, OURS_FULL => [DiscardStaging] BackupKept;
        update_foreign_backup_in_the_way: Update SwapOutOld, true, OURS_FULL, FOREIGN => [DiscardStaging] RolledBack;
        update_backup_folder_gone: Update SwapOutOld, true, OURS_FULL, ABSENT => [DiscardStaging] RolledBack;
        update_new_lost_after_swap: Update SwapInNew, false, OURS_EMPTY, OURS_FULL
            => [RestoreOld, DiscardStaging, DiscardBackup] RolledBack;
        update_dropping_backup_without_local: Update DropBackup, false, OURS_EMPTY, OURS_FULL
            => [DropBackup, DropStaging] RolledForward;
        update_everything_missing: Update SwapInNew, false, ABSENT, ABSENT => [] RolledBack;

        uninstall_preparing: Uninstall Preparing, true, ABSENT, OURS_EMPTY => [DiscardBackup] RolledBack;
        uninstall_swap_out_pending: Uninstall SwapOutOld, true, ABSENT, OURS_EMPTY => [SwapOutOld, DropBackup] RolledForward;
        uninstall_swap_out_done: Uninstall SwapOutOld, false, ABSENT, OURS_FULL => [DropBackup] RolledForward;
        uninstall_drop_pending: Uninstall DropBackup, false, ABSENT, OURS_FULL => [DropBackup] RolledForward;
        uninstall_drop_done: Uninstall DropBackup, false, ABSENT, ABSENT => [] RolledForward;
        uninstall_restore_pending: Uninstall RestoreOld, false, ABSENT, OURS_FULL => [RestoreOld, DiscardBackup] RolledBack;
        uninstall_discard_pending: Uninstall DiscardBackup, true, ABSENT, OURS_EMPTY => [DiscardBackup] RolledBack;
        uninstall_foreign_backup_kept: Uninstall SwapOutOld, true, ABSENT, FOREIGN => [] RolledBack;
        uninstall_local_taken_after_swap: Uninstall SwapOutOld, true, ABSENT, OURS_FULL => [DropBackup] RolledForward;
        uninstall_everything_missing: Uninstall SwapOutOld, false, ABSENT, ABSENT => [] RolledForward;
    }

    #[test]
    fn without_an_intent_nothing_is_touched() {
        for seen in every_observed() {
            assert_eq!(recover(None, &seen), Plan::nothing(), "{seen:?}");
        }
    }

    /// A failed step while running: undone while the old state comes back whole.
    #[test]
    fn abort_undoes_until_the_new_install_is_in_place() {
        let cases = [
            (
                intent(Kind::Update, Step::Preparing),
                true,
                OURS_FULL,
                OURS_EMPTY,
                vec![Step::DiscardStaging, Step::DiscardBackup],
                Outcome::RolledBack,
            ),
            (
                intent(Kind::Update, Step::SwapOutOld),
                true,
                OURS_FULL,
                OURS_EMPTY,
                vec![Step::DiscardStaging, Step::DiscardBackup],
                Outcome::RolledBack,
            ),
            (
                intent(Kind::Update, Step::SwapInNew),
                false,
                OURS_FULL,
                OURS_FULL,
                vec![Step::RestoreOld, Step::DiscardStaging, Step::DiscardBackup],
                Outcome::RolledBack,
            ),
            (
                intent(Kind::Update, Step::DropBackup),
                true,
                OURS_EMPTY,
                OURS_FULL,
                vec![Step::DropBackup, Step::DropStaging],
                Outcome::RolledForward,
            ),
            (
                intent(Kind::Update, Step::DropStaging),
                true,
                OURS_EMPTY,
                ABSENT,
                vec![Step::DropStaging],
                Outcome::RolledForward,
            ),
            (
                intent(Kind::Install, Step::SwapInNew),
                false,
                OURS_FULL,
                ABSENT,
                vec![Step::DiscardStaging],
                Outcome::RolledBack,
            ),
            // The rename happened, then flushing the root failed: the new install is in place.
            (
                intent(Kind::Install, Step::SwapInNew),
                true,
                OURS_EMPTY,
                ABSENT,
                vec![Step::DropStaging],
                Outcome::RolledForward,
            ),
            (
                intent(Kind::Update, Step::SwapOutOld),
                false,
                OURS_FULL,
                OURS_FULL,
                vec![Step::RestoreOld, Step::DiscardStaging, Step::DiscardBackup],
                Outcome::RolledBack,
            ),
            (
                intent(Kind::Install, Step::DropStaging),
                true,
                OURS_EMPTY,
                ABSENT,
                vec![Step::DropStaging],
                Outcome::RolledForward,
            ),
            (
                intent(Kind::Uninstall, Step::SwapOutOld),
                true,
                ABSENT,
                OURS_EMPTY,
                vec![Step::DiscardBackup],
                Outcome::RolledBack,
            ),
        ];
        for (intent, local, staging, backup, steps, outcome) in cases {
            let seen = Observed { local, staging, backup };
            assert_eq!(abort(&intent, &seen), Plan { outcome, steps }, "{intent:?} {seen:?}");
        }
    }

    #[test]
    fn every_intent_and_folders_keep_the_invariants() {
        for seen in every_observed() {
            check(None, &seen);
            for intent in every_intent() {
                check(Some(&intent), &seen);
            }
        }
    }

    #[test]
    fn steps_follow_each_other() {
        let mut i = Intent::begin(Kind::Update, OP);
        let mut seen = vec![i.step()];
        while let Some(next) = i.next() {
            i = next;
            seen.push(i.step());
        }
        assert_eq!(seen, Kind::Update.steps());
        assert_eq!(intent(Kind::Update, Step::RestoreOld).next(), None);

        // Finishing from the first swap runs the rest of the sequence, in its order.
        let starts = [
            (Kind::Install, Observed { local: false, staging: OURS_FULL, backup: ABSENT }),
            (Kind::Update, Observed { local: true, staging: OURS_FULL, backup: OURS_EMPTY }),
            (Kind::Uninstall, Observed { local: true, staging: ABSENT, backup: OURS_EMPTY }),
        ];
        for (kind, seen) in starts {
            let plan = recover(Some(&intent(kind, kind.steps()[1])), &seen);
            assert_eq!(plan.steps, kind.steps()[1..], "{kind}");
        }
    }

    #[test]
    fn intents_round_trip_and_refuse_foreign_steps() {
        let i = intent(Kind::Update, Step::SwapInNew);
        let json = serde_json::to_string(&i).unwrap();
        assert_eq!(json, r#"{"op":"0123456789abcdef","kind":"update","step":"swap-in-new"}"#);
        assert_eq!(serde_json::from_str::<Intent>(&json).unwrap(), i);
        let bad = r#"{"op":"0123456789abcdef","kind":"install","step":"swap-out-old"}"#;
        assert!(serde_json::from_str::<Intent>(bad).unwrap_err().to_string().contains("not part of an install"));
        let bad = r#"{"op":"0123456789ABCDEF","kind":"install","step":"preparing"}"#;
        assert!(serde_json::from_str::<Intent>(bad).is_err());
        assert_eq!(
            Intent::begin(Kind::Install, OP).at(Step::DropBackup),
            Err(IntentError::StepNotInKind { kind: Kind::Install, step: Step::DropBackup })
        );
    }

    #[test]
    fn markers_name_the_operation() {
        let i = intent(Kind::Install, Step::Preparing);
        assert_eq!(OP.marker(), "0123456789abcdef\n");
        assert_eq!(Marked::classify(Some(&OP.marker()), true, Some(&i)), FULL);
        assert_eq!(Marked::classify(Some("0123456789abcdef\r\n"), false, Some(&i)), EMPTY);
        assert_eq!(Marked::classify(Some(&OpId::new(7).marker()), true, Some(&i)), Marked::Foreign);
        assert_eq!(Marked::classify(Some(&OP.marker()), true, None), Marked::Foreign);
        for odd in ["", "garbage", "+123456789abcdef", "0123456789abcdef0", "123456789abcdef"] {
            assert_eq!(Marked::classify(Some(odd), true, Some(&i)), Marked::Foreign, "{odd:?}");
        }
        assert_eq!(Marked::classify(None, false, Some(&i)), Marked::Foreign);
        // A folder with nothing in it, not even its marker: a crash between creating and marking.
        assert_eq!(Marked::classify_bare(Some(&i)), EMPTY);
        assert_eq!(Marked::classify_bare(Some(&intent(Kind::Install, Step::SwapInNew))), Marked::Foreign);
        assert_eq!(Marked::classify_bare(None), Marked::Foreign);
    }

    #[test]
    fn intents_live_in_the_state_folder() {
        let game = GameId::new("openarena").unwrap();
        assert_eq!(intent_path(Path::new("/s"), &game), Path::new("/s/intents/openarena.json"));
    }

    /// What a game root really holds, as the operation and a meddling player left it; the
    /// recovery only sees its [`Observed`] shadow.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    enum Content {
        Old,
        New,
        PartialNew,
        /// Put there by someone else.
        Stranger,
    }

    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    enum Dir {
        Ours(Option<Content>),
        Foreign(Content),
    }

    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    struct World {
        local: Option<Content>,
        staging: Option<Dir>,
        backup: Option<Dir>,
    }

    impl World {
        fn observe(&self) -> Observed {
            let dir = |d: Option<Dir>| {
                d.map(|d| match d {
                    Dir::Ours(c) => Marked::Ours { has_local: c.is_some() },
                    Dir::Foreign(_) => Marked::Foreign,
                })
            };
            Observed { local: self.local.is_some(), staging: dir(self.staging), backup: dir(self.backup) }
        }

        /// Performs `action` as the disk would, refusing what the disk (or our rules) would.
        fn run(&mut self, action: Action) {
            match action {
                Action::RenameLocalToBackup => {
                    assert_eq!(self.backup, Some(Dir::Ours(None)), "{self:?}");
                    self.backup = Some(Dir::Ours(Some(self.local.take().expect("rename of a missing local/"))));
                }
                Action::RenameStagingToLocal => {
                    assert_eq!(self.local, None, "rename onto local/: {self:?}");
                    let Some(Dir::Ours(Some(c))) = self.staging else { panic!("no staged install: {self:?}") };
                    self.local = Some(c);
                    self.staging = Some(Dir::Ours(None));
                }
                Action::RenameBackupToLocal => {
                    assert_eq!(self.local, None, "rename onto local/: {self:?}");
                    let Some(Dir::Ours(Some(c))) = self.backup else { panic!("no backed-up install: {self:?}") };
                    self.local = Some(c);
                    self.backup = Some(Dir::Ours(None));
                }
                Action::RemoveStaging => {
                    assert!(matches!(self.staging, Some(Dir::Ours(_))), "{self:?}");
                    self.staging = None;
                }
                Action::RemoveBackup => {
                    assert!(matches!(self.backup, Some(Dir::Ours(_))), "{self:?}");
                    self.backup = None;
                }
            }
        }

        /// Records each step and runs it; returns the last intent recorded.
        fn run_plan(&mut self, intent: &Intent, steps: &[Step]) -> Intent {
            let mut recorded = *intent;
            for &step in steps {
                recorded = intent.at(step).unwrap();
                self.run(step.action().unwrap());
            }
            recorded
        }

        fn has_old(&self) -> bool {
            self.local == Some(Content::Old) || self.backup == Some(Dir::Ours(Some(Content::Old)))
        }
    }

    /// Runs `kind` from its start until it stops at `steps()[at]`: that step recorded, and
    /// performed or not (a `preparing` stopped after `made` of its parts).
    fn interrupted(kind: Kind, at: usize, performed: bool, made: u8) -> (World, Intent) {
        let old = if kind == Kind::Install { None } else { Some(Content::Old) };
        let mut w = World { local: old, staging: None, backup: None };
        let steps = kind.steps();
        let at = at % steps.len();
        for (i, &step) in steps[..=at].iter().enumerate() {
            if step == Step::Preparing {
                let is_whole = i < at;
                if kind.has_staging() && (is_whole || made >= 1) {
                    w.staging = Some(Dir::Ours(None));
                }
                if kind.has_backup() && (is_whole || made >= 2) {
                    w.backup = Some(Dir::Ours(None));
                }
                if kind.has_staging() && (is_whole || made >= 3) {
                    w.staging = Some(Dir::Ours(Some(if is_whole { Content::New } else { Content::PartialNew })));
                }
            } else if i < at || performed {
                w.run(step.action().unwrap());
            }
        }
        (w, Intent::begin(kind, OP).at(steps[at]).unwrap())
    }

    /// A player meddling after the crash.
    fn tamper(w: &mut World, what: u8) {
        match what {
            0 => w.local = None,
            1 => w.local = w.local.or(Some(Content::Stranger)),
            2 => w.staging = Some(Dir::Foreign(Content::Stranger)),
            3 => w.backup = Some(Dir::Foreign(Content::Old)),
            4 => w.staging = None,
            _ => w.backup = None,
        }
    }

    fn kind_strategy() -> impl Strategy<Value = Kind> {
        prop_oneof![Just(Kind::Install), Just(Kind::Update), Just(Kind::Uninstall)]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        /// Interrupt an operation anywhere (a crash, or a failed step), let a player meddle,
        /// recover, and crash again anywhere in the recovery: the install is never a mix.
        #[test]
        fn interrupted_operations_end_whole(
            kind in kind_strategy(),
            at in 0usize..8,
            performed in any::<bool>(),
            made in 0u8..4,
            is_failure in any::<bool>(),
            meddling in proptest::collection::vec(0u8..6, 0..3),
            crash_at in 0usize..8,
            crash_performed in any::<bool>(),
        ) {
            let (mut w, intent) = interrupted(kind, at, performed, made);
            for &m in &meddling {
                tamper(&mut w, m);
            }
            let start = w;
            let seen = w.observe();
            // The executor aborts a failed step (whose action may have happened before, say,
            // a flush failed); a start recovers from a crash.
            let plan = if is_failure { abort(&intent, &seen) } else { recover(Some(&intent), &seen) };
            let mut end = start;
            end.run_plan(&intent, &plan.steps);

            prop_assert_ne!(end.local, Some(Content::PartialNew), "{:?} {:?} {:?}", intent, start, plan);
            if let Some(Dir::Foreign(_)) = start.staging {
                prop_assert_eq!(end.staging, start.staging);
            }
            if let Some(Dir::Foreign(_)) = start.backup {
                prop_assert_eq!(end.backup, start.backup);
            }
            // `local/` moves only when an update or uninstall was swapping it out.
            if start.local == Some(Content::Stranger) && intent.step() != Step::SwapOutOld {
                prop_assert_eq!(end.local, Some(Content::Stranger), "{:?} {:?} {:?}", intent, start, plan);
            }
            // The old install survives anything but finishing the operation that replaces it.
            if start.has_old() && plan.outcome != Outcome::RolledForward {
                prop_assert!(end.has_old(), "{:?} {:?} {:?}", intent, start, plan);
            }
            if meddling.is_empty() {
                let old = if kind == Kind::Install { None } else { Some(Content::Old) };
                let new = if kind == Kind::Uninstall { None } else { Some(Content::New) };
                let expected = match plan.outcome {
                    Outcome::RolledForward => new,
                    Outcome::RolledBack => old,
                    other => return Err(TestCaseError::fail(format!("{other:?} for {intent:?} {start:?}"))),
                };
                prop_assert_eq!(end, World { local: expected, staging: None, backup: None });
                let is_past_preparing = intent.step() != Step::Preparing;
                let is_swapped_in = matches!(intent.step(), Step::DropStaging | Step::DropBackup)
                    || (intent.step() == Step::SwapInNew && performed);
                let is_forward = if is_failure { is_swapped_in } else { is_past_preparing };
                prop_assert_eq!(plan.outcome == Outcome::RolledForward, is_forward, "{:?} {:?}", intent, plan);
            }

            // A crash during the recovery: the next start ends in the same place.
            if !plan.steps.is_empty() {
                let k = crash_at % plan.steps.len();
                let mut w = start;
                w.run_plan(&intent, &plan.steps[..k]);
                let recorded = intent.at(plan.steps[k]).unwrap();
                if crash_performed {
                    w.run(plan.steps[k].action().unwrap());
                }
                let again = recover(Some(&recorded), &w.observe());
                w.run_plan(&recorded, &again.steps);
                prop_assert_eq!(w, end, "{:?} {:?} {:?} then {:?}", intent, start, plan, again);
                prop_assert_eq!(again.outcome, plan.outcome);
            }
        }
    }
}
