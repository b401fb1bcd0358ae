//! JWS signatures (RFC 7515 §5) with the algorithms ACME uses: ES256 and ES384, whose signature is the
//! fixed-size r ‖ s (RFC 7518 §3.4), and RS256, RSASSA-PKCS1-v1_5 with SHA-256 (RFC 7518 §3.3). Signing
//! uses a [`PrivateKey`]; verifying takes the public JWK a JWS carries (RFC 8555 §6.2), which is how the
//! tests check what we sign.

use rsa::{BoxedUint, Pkcs1v15Sign};
use sha2::{Digest, Sha256};
use signature::Signer;

use super::{strip_leading_zeros, Inner, KeyError, PrivateKey};

impl PrivateKey {
    /// Signs a JWS signing input and returns the JWS signature: for ECDSA the fixed-size r ‖ s (RFC 7518
    /// §3.4; 64 bytes for ES256, 96 for ES384), for RSA the RSASSA-PKCS1-v1_5 SHA-256 signature (§3.3).
    pub fn sign(&self, signing_input: &[u8]) -> Result<Vec<u8>, KeyError> {
        let failed = |e: signature::Error| KeyError::Signing(e.to_string());
        match self.material()? {
            Inner::P256(key) => {
                let sig: p256::ecdsa::Signature = key.try_sign(signing_input).map_err(failed)?;
                Ok(sig.to_bytes().to_vec())
            }
            Inner::P384(key) => {
                let sig: p384::ecdsa::Signature = key.try_sign(signing_input).map_err(failed)?;
                Ok(sig.to_bytes().to_vec())
            }
            Inner::Rsa(key) => key
                .sign(
                    Pkcs1v15Sign::new::<Sha256>(),
                    &Sha256::digest(signing_input),
                )
                .map_err(|e| KeyError::Signing(e.to_string())),
        }
    }
}

/// A non-empty big-endian integer as a `BoxedUint`, sized from its own length (public values only).
pub(super) fn big_uint(bytes: &[u8]) -> Result<BoxedUint, KeyError> {
    let trimmed = strip_leading_zeros(bytes);
    if trimmed.is_empty() {
        return Err(KeyError::InvalidJwk(
            crate::t!("an RSA integer is zero").into(),
        ));
    }
    Ok(BoxedUint::from_be_slice_vartime(trimmed))
}

#[cfg(test)]
mod verify {
    //! Verifying a JWS signature with the public JWK it carries: only the tests check what we sign.

    use rsa::Pkcs1v15Sign;
    use serde_json::Value;
    use sha2::{Digest, Sha256};
    use signature::Verifier;

    use super::super::jwk::{jwk_bytes, jwk_str, jwk_uint};
    use super::super::KeyError;
    use super::big_uint;

    /// Verifies a JWS signature (ES256, ES384 or RS256) over `signing_input` with a public JWK.
    ///
    /// The ECDSA signature is the fixed-size r ‖ s of RFC 7518 §3.4, not DER.
    pub(crate) fn verify_jws_signature(
        jwk: &Value,
        alg: &str,
        signing_input: &[u8],
        sig: &[u8],
    ) -> Result<(), KeyError> {
        let bad = |e: signature::Error| KeyError::BadSignature(e.to_string());
        match alg {
            "ES256" => {
                let point = ec_point_from_jwk(jwk, alg, "P-256", 32)?;
                let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(&point)
                    .map_err(|_| invalid_point())?;
                let sig = p256::ecdsa::Signature::from_slice(sig)
                    .map_err(|_| bad_ecdsa_length(alg, 64, sig.len()))?;
                key.verify(signing_input, &sig).map_err(bad)
            }
            "ES384" => {
                let point = ec_point_from_jwk(jwk, alg, "P-384", 48)?;
                let key = p384::ecdsa::VerifyingKey::from_sec1_bytes(&point)
                    .map_err(|_| invalid_point())?;
                let sig = p384::ecdsa::Signature::from_slice(sig)
                    .map_err(|_| bad_ecdsa_length(alg, 96, sig.len()))?;
                key.verify(signing_input, &sig).map_err(bad)
            }
            "RS256" => {
                let key = rsa_public_from_jwk(jwk)?;
                key.verify(
                    Pkcs1v15Sign::new::<Sha256>(),
                    &Sha256::digest(signing_input),
                    sig,
                )
                .map_err(|e| KeyError::BadSignature(e.to_string()))
            }
            other => Err(KeyError::UnsupportedJwsAlgorithm(other.to_string())),
        }
    }

    fn invalid_point() -> KeyError {
        KeyError::InvalidJwk("x and y are not a point on the curve".into())
    }

    fn bad_ecdsa_length(alg: &str, expected: usize, got: usize) -> KeyError {
        KeyError::BadSignature(format!(
            "an {alg} signature is {expected} bytes (r ‖ s), this one is {got}"
        ))
    }

    /// The uncompressed SEC1 point (0x04 ‖ x ‖ y) of an EC JWK, checking its curve fits the algorithm.
    fn ec_point_from_jwk(
        jwk: &Value,
        alg: &str,
        crv: &str,
        size: usize,
    ) -> Result<Vec<u8>, KeyError> {
        let kty = jwk_str(jwk, "kty")?;
        let found = if kty == "EC" {
            jwk_str(jwk, "crv")?.to_string()
        } else {
            kty.to_string()
        };
        if found != crv {
            return Err(KeyError::AlgorithmMismatch(format!(
                "{alg} needs a {crv} key, but the JWK is {found}"
            )));
        }
        let mut point = vec![0x04];
        point.extend_from_slice(&jwk_uint(jwk, "x", size)?);
        point.extend_from_slice(&jwk_uint(jwk, "y", size)?);
        Ok(point)
    }

    fn rsa_public_from_jwk(jwk: &Value) -> Result<rsa::PublicKey, KeyError> {
        let kty = jwk_str(jwk, "kty")?;
        if kty != "RSA" {
            return Err(KeyError::AlgorithmMismatch(format!(
                "RS256 needs an RSA key, but the JWK is {kty}"
            )));
        }
        let n = jwk_bytes(jwk, "n")?;
        let e = jwk_bytes(jwk, "e")?;
        rsa::PublicKey::new(big_uint(&n)?, big_uint(&e)?)
            .map_err(|err| KeyError::InvalidJwk(format!("not a usable RSA public key: {err}")))
    }
}

#[cfg(test)]
pub(crate) use verify::verify_jws_signature;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pki::key::test_support::{sample_keys, Scratch};
    use crate::pki::key::KeyType;

    #[test]
    fn signs_and_verifies_with_every_key_type() {
        let scratch = Scratch::new("sign");
        for key in sample_keys(&scratch) {
            let input = b"eyJhbGciOiJFUzI1NiJ9.eyJoZWxsbyI6IndvcmxkIn0";
            let sig = key.sign(input).unwrap();
            let expected_len = match key.jws_alg() {
                "ES256" => 64,
                "ES384" => 96,
                _ => key.bits() / 8,
            };
            assert_eq!(sig.len(), expected_len, "{}", key.describe());
            let jwk = key.public_jwk();
            verify_jws_signature(&jwk, key.jws_alg(), input, &sig).unwrap();

            let mut tampered = sig.clone();
            tampered[5] ^= 1;
            let err = verify_jws_signature(&jwk, key.jws_alg(), input, &tampered).unwrap_err();
            assert!(matches!(err, KeyError::BadSignature(_)), "{err}");
            assert!(verify_jws_signature(&jwk, key.jws_alg(), b"other input", &sig).is_err());
        }
    }
    #[test]
    fn verification_refuses_mismatched_algorithms() {
        let key = PrivateKey::generate(KeyType::P256).unwrap();
        let sig = key.sign(b"x").unwrap();
        let err = verify_jws_signature(&key.public_jwk(), "ES384", b"x", &sig).unwrap_err();
        assert_eq!(
            err.to_string(),
            "ES384 needs a P-384 key, but the JWK is P-256"
        );
        let err = verify_jws_signature(&key.public_jwk(), "RS256", b"x", &sig).unwrap_err();
        assert_eq!(err.to_string(), "RS256 needs an RSA key, but the JWK is EC");
        let err = verify_jws_signature(&key.public_jwk(), "HS256", b"x", &sig).unwrap_err();
        assert!(matches!(err, KeyError::UnsupportedJwsAlgorithm(_)));
        let err = verify_jws_signature(&key.public_jwk(), "ES256", b"x", &sig[..63]).unwrap_err();
        assert!(err.to_string().contains("64 bytes"), "{err}");
    }
    #[test]
    fn openssl_verifies_our_signatures() {
        let scratch = Scratch::new("openssl-verifies");
        let data = b"protected.payload";
        scratch.write("data.bin", data);
        for (i, key) in sample_keys(&scratch).into_iter().enumerate() {
            let sig = key.sign(data).unwrap();
            // OpenSSL wants ECDSA signatures in DER, JWS uses r ‖ s (RFC 7518 §3.4).
            let (sig, digest) = match key.jws_alg() {
                "ES256" => (
                    p256::ecdsa::Signature::from_slice(&sig)
                        .unwrap()
                        .to_der()
                        .to_bytes()
                        .to_vec(),
                    "-sha256",
                ),
                "ES384" => (
                    p384::ecdsa::Signature::from_slice(&sig)
                        .unwrap()
                        .to_der()
                        .to_bytes()
                        .to_vec(),
                    "-sha384",
                ),
                _ => (sig, "-sha256"),
            };
            let (pem, public, signature) = (
                format!("k{i}.pem"),
                format!("pub{i}.pem"),
                format!("sig{i}.bin"),
            );
            scratch.write(&pem, key.to_pkcs8_pem());
            scratch.write(&signature, &sig);
            scratch.openssl(&["pkey", "-in", &pem, "-pubout", "-out", &public]);
            let out = scratch.openssl(&[
                "dgst",
                digest,
                "-verify",
                &public,
                "-signature",
                &signature,
                "data.bin",
            ]);
            assert_eq!(out.trim(), "Verified OK", "{}", key.describe());
        }
    }
}
