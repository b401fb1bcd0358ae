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

#[cfg(test)]
mod tests {
    #[test]
    fn round_trips_without_padding() {
        assert_eq!(super::encode([0xfb, 0xff]), "-_8");
        assert_eq!(super::decode("-_8=").unwrap(), [0xfb, 0xff]);
    }
}
