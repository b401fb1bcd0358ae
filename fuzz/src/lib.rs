//! Helpers shared by the fuzz targets.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

/// `der` as a PEM block (RFC 7468: 64-character lines), the way tools write it.
pub fn pem(label: &str, der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).expect("base64 is ASCII"));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}
