//! Standard data exchange between agencies and modules (issue "Standard data exchange").
//!
//! Built so far, as a library with golden test vectors:
//! - [`xroad`]: X-Road Message Protocol for REST identifiers — members, subsystems and service
//!   ids (`INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE`) with the protocol's character rules — and
//!   its request headers;
//! - [`canonical`]: the canonical form of a request or response that signatures cover, and the
//!   X-Road request hash;
//! - [`signature`]: detached Ed25519 JWS signatures over the canonical form;
//! - [`check`]: the provider's first check of a request (headers, client, clock skew, the
//!   signing key's member, the signature), each refusal with its X-Road error type.
//!
//! Still to come: the catalogue, grants, consent, replay protection, the message log and its
//! evidence bundles, the client and provider middleware, transport, and the event outbox.

pub mod canonical;
pub mod check;
pub mod signature;
pub mod xroad;
