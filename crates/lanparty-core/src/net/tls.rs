//! Mutual TLS 1.3 with certificates pinned by peer id.
//!
//! There is no certificate authority on a LAN: a peer is its key. Both sides present their
//! self-signed certificate; a verifier accepts a certificate when its SHA-256 fingerprint is the
//! peer id expected for the connection (any id when dialing a bare address, which then learns
//! the id), and, as a normal verifier would, still checks the handshake signature with the
//! certificate's key. A copied certificate without its private key therefore fails: the
//! signature over the handshake cannot be made.
//!
//! No 0-RTT: early data could be replayed, and a LAN round trip costs nothing.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{DigitallySignedStruct, DistinguishedName, SignatureScheme};

use crate::identity::{Identity, PeerId};
use crate::proto::ALPN;

/// The name every peer's certificate carries and every client asks for; identity comes from
/// the fingerprint, not from names.
pub const SERVER_NAME: &str = "lanparty";

pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn algorithms() -> WebPkiSupportedAlgorithms {
    rustls::crypto::ring::default_provider().signature_verification_algorithms
}

fn check_pin(end_entity: &CertificateDer<'_>, expected: Option<PeerId>) -> Result<(), rustls::Error> {
    let actual = PeerId::of_certificate(end_entity);
    match expected {
        Some(expected) if expected != actual => {
            tracing::warn!(expected = %expected.short(), actual = %actual.short(), "peer certificate does not match the expected peer id; not trusted");
            Err(rustls::Error::InvalidCertificate(rustls::CertificateError::ApplicationVerificationFailure))
        }
        _ => Ok(()),
    }
}

/// The handshake-signature half of a verifier, the same for both directions: the signature is
/// always checked with the certificate's own key, whatever the pin says.
macro_rules! handshake_signatures {
    () => {
        fn verify_tls12_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            verify_tls12_signature(message, cert, dss, &self.algorithms)
        }

        fn verify_tls13_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            verify_tls13_signature(message, cert, dss, &self.algorithms)
        }

        fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
            self.algorithms.supported_schemes()
        }
    };
}

/// Verifies the server's certificate when dialing.
#[derive(Debug)]
struct PinnedServer {
    expected: Option<PeerId>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for PinnedServer {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        check_pin(end_entity, self.expected)?;
        Ok(ServerCertVerified::assertion())
    }

    handshake_signatures!();
}

/// Verifies a dialing peer's certificate: any peer may connect, but it must prove its key; its
/// id is the fingerprint, read from the connection afterwards.
#[derive(Debug)]
struct AnyClient {
    algorithms: WebPkiSupportedAlgorithms,
}

impl ClientCertVerifier for AnyClient {
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        check_pin(end_entity, None)?;
        Ok(ClientCertVerified::assertion())
    }

    handshake_signatures!();
}

pub fn key_of(identity: &Identity) -> PrivateKeyDer<'static> {
    PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(identity.key_der.clone()))
}

pub fn chain_of(identity: &Identity) -> Vec<CertificateDer<'static>> {
    vec![CertificateDer::from(identity.cert_der.clone())]
}

/// TLS for accepting connections: TLS 1.3 only, client certificates required.
pub fn server_config(identity: &Identity) -> Result<rustls::ServerConfig, rustls::Error> {
    server_config_with(chain_of(identity), key_of(identity))
}

/// [`server_config`] from any certificate and key: tests use it to serve a stolen certificate
/// with the wrong key.
pub fn server_config_with(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<rustls::ServerConfig, rustls::Error> {
    let key = provider().key_provider.load_private_key(key)?;
    let certified = Arc::new(rustls::sign::CertifiedKey::new(chain, key));
    let mut config = rustls::ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS13])?
        .with_client_cert_verifier(Arc::new(AnyClient { algorithms: algorithms() }))
        .with_cert_resolver(Arc::new(FixedServerCert(certified)));
    config.alpn_protocols = vec![ALPN.to_vec()];
    config.max_early_data_size = 0;
    Ok(config)
}

/// Always serves the same certificate (see [`FixedClientCert`] for why not `with_single_cert`).
#[derive(Debug)]
struct FixedServerCert(Arc<rustls::sign::CertifiedKey>);

impl rustls::server::ResolvesServerCert for FixedServerCert {
    fn resolve(&self, _hello: rustls::server::ClientHello<'_>) -> Option<Arc<rustls::sign::CertifiedKey>> {
        Some(self.0.clone())
    }
}

/// TLS for dialing a peer: expects `expected` when given, presents `identity`.
pub fn client_config(identity: &Identity, expected: Option<PeerId>) -> Result<rustls::ClientConfig, rustls::Error> {
    client_config_with(chain_of(identity), key_of(identity), expected)
}

/// [`client_config`] from any certificate and key: tests use it to present a stolen
/// certificate with the wrong key.
pub fn client_config_with(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
    expected: Option<PeerId>,
) -> Result<rustls::ClientConfig, rustls::Error> {
    let verifier = Arc::new(PinnedServer { expected, algorithms: algorithms() });
    let key = provider().key_provider.load_private_key(key)?;
    let certified = Arc::new(rustls::sign::CertifiedKey::new(chain, key));
    let mut config = rustls::ClientConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS13])?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_client_cert_resolver(Arc::new(FixedClientCert(certified)));
    config.alpn_protocols = vec![ALPN.to_vec()];
    config.enable_early_data = false;
    Ok(config)
}

/// Always presents the same certificate. Unlike `with_client_auth_cert`, it does not insist that
/// the key matches the certificate, which the impostor test needs; real callers pass a matching
/// pair from [`Identity`].
#[derive(Debug)]
struct FixedClientCert(Arc<rustls::sign::CertifiedKey>);

impl rustls::client::ResolvesClientCert for FixedClientCert {
    fn resolve(&self, _hints: &[&[u8]], _schemes: &[SignatureScheme]) -> Option<Arc<rustls::sign::CertifiedKey>> {
        Some(self.0.clone())
    }

    fn has_certs(&self) -> bool {
        true
    }
}

/// The peer id proven by a connection's TLS handshake.
pub fn peer_id_of(connection: &quinn::Connection) -> Option<PeerId> {
    let identity = connection.peer_identity()?;
    let certs = identity.downcast_ref::<Vec<CertificateDer<'static>>>()?;
    certs.first().map(|c| PeerId::of_certificate(c))
}
