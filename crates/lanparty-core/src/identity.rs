//! This peer's identity: a key pair, a self-signed certificate and the peer id derived from it.
//!
//! As with Syncthing's device ids, the peer id is the SHA-256 fingerprint of the certificate,
//! so it cannot be claimed without the private key that signs the TLS handshake. It is written
//! in base32 (52 characters); people see the first [`SHORT_ID_LEN`] of them.

use std::fmt;
use std::fs;
use std::io;
use std::path::PathBuf;

use data_encoding::BASE32_NOPAD;

use crate::state::{self, StateDir};

/// Characters of the peer id shown to people.
pub const SHORT_ID_LEN: usize = 7;

/// A peer id: the SHA-256 fingerprint of the peer's certificate.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PeerId([u8; 32]);

impl PeerId {
    /// The id of a DER-encoded certificate.
    pub fn of_certificate(der: &[u8]) -> PeerId {
        let digest = ring::digest::digest(&ring::digest::SHA256, der);
        let mut id = [0; 32];
        id.copy_from_slice(digest.as_ref());
        PeerId(id)
    }

    /// Parses the 52-character base32 form.
    pub fn parse(s: &str) -> Option<PeerId> {
        let bytes = BASE32_NOPAD.decode(s.as_bytes()).ok()?;
        Some(PeerId(bytes.try_into().ok()?))
    }

    pub fn short(&self) -> String {
        self.to_string()[..SHORT_ID_LEN].to_owned()
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Display for PeerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&BASE32_NOPAD.encode(&self.0))
    }
}

impl fmt::Debug for PeerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PeerId({})", self.short())
    }
}

impl serde::Serialize for PeerId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Why the identity could not be loaded or created.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    #[error("cannot read or write the peer identity in {}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    #[error("cannot generate a peer certificate: {0}")]
    Generate(#[from] rcgen::Error),
}

/// The certificate and key this peer presents in every TLS handshake.
#[derive(Clone)]
pub struct Identity {
    pub cert_der: Vec<u8>,
    pub key_der: Vec<u8>,
    pub peer_id: PeerId,
}

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The key never goes into logs.
        f.debug_struct("Identity").field("peer_id", &self.peer_id).finish_non_exhaustive()
    }
}

impl Identity {
    /// Loads the identity from the state directory, creating one on first start.
    pub fn load_or_create(state: &StateDir) -> Result<Identity, IdentityError> {
        let dir = state.identity_dir();
        let (cert_path, key_path) = (dir.join("cert.der"), dir.join("key.der"));
        let io_err = |path: &PathBuf| {
            let path = path.clone();
            move |source| IdentityError::Io { path, source }
        };
        if cert_path.exists() && key_path.exists() {
            let cert_der = fs::read(&cert_path).map_err(io_err(&cert_path))?;
            let key_der = fs::read(&key_path).map_err(io_err(&key_path))?;
            let peer_id = PeerId::of_certificate(&cert_der);
            return Ok(Identity { cert_der, key_der, peer_id });
        }
        let identity = Identity::generate()?;
        // Key first: a certificate without its key would be an identity nobody can prove.
        state::write_atomic_private(&key_path, &identity.key_der).map_err(io_err(&key_path))?;
        state::write_atomic(&cert_path, &identity.cert_der).map_err(io_err(&cert_path))?;
        Ok(identity)
    }

    /// A fresh key pair (ECDSA P-256) and self-signed certificate.
    pub fn generate() -> Result<Identity, IdentityError> {
        let key = rcgen::KeyPair::generate()?;
        let params = rcgen::CertificateParams::new(vec!["lanparty".to_owned()])?;
        let cert = params.self_signed(&key)?;
        let cert_der = cert.der().to_vec();
        let peer_id = PeerId::of_certificate(&cert_der);
        Ok(Identity { cert_der, key_der: key.serialize_der(), peer_id })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_persists_across_starts() {
        let tmp = tempfile::tempdir().unwrap();
        let state = StateDir::open(tmp.path()).unwrap();
        let first = Identity::load_or_create(&state).unwrap();
        let second = Identity::load_or_create(&state).unwrap();
        assert_eq!(first.peer_id, second.peer_id);
        assert_ne!(first.peer_id, Identity::generate().unwrap().peer_id);
    }

    #[test]
    fn peer_id_round_trips_and_shortens() {
        let id = Identity::generate().unwrap().peer_id;
        let text = id.to_string();
        assert_eq!(text.len(), 52);
        assert_eq!(PeerId::parse(&text), Some(id));
        assert_eq!(id.short(), text[..SHORT_ID_LEN]);
        assert_eq!(PeerId::parse("not an id"), None);
    }
}
