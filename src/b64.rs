//! base64url without padding, the encoding of every JWS and JWK member (RFC 7515 §2, RFC 8555 §6.1).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// Encodes bytes as base64url without padding.
pub fn encode(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes base64url; tolerates trailing `=` padding, which some tools still emit.
pub fn decode(text: &str) -> Result<Vec<u8>, base64::DecodeError> {
    URL_SAFE_NO_PAD.decode(text.trim().trim_end_matches('='))
}

/// Bytes kept as base64url in serialized state (`#[serde(with = "crate::b64::serde_bytes")]`).
pub mod serde_bytes {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        super::decode(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn round_trips_without_padding() {
        assert_eq!(super::encode([0xfb, 0xff]), "-_8");
        assert_eq!(super::decode("-_8=").unwrap(), [0xfb, 0xff]);
    }
}
