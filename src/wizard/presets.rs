//! The CAs and DNS-over-HTTPS resolvers the page offers before the person types anything.

/// Let's Encrypt's production directory.
pub const LETS_ENCRYPT: &str = "https://acme-v02.api.letsencrypt.org/directory";
/// Let's Encrypt's staging directory: untrusted certificates, generous rate limits.
pub const LETS_ENCRYPT_STAGING: &str = "https://acme-staging-v02.api.letsencrypt.org/directory";
/// Public DNS-over-HTTPS resolvers the DNS check asks by default.
pub const PUBLIC_RESOLVERS: [&str; 3] = [
    "https://cloudflare-dns.com/dns-query",
    "https://dns.google/dns-query",
    "https://dns.quad9.net/dns-query",
];
/// The test DoH server next to the local Pebble.
pub const LOCAL_RESOLVER: &str = "https://127.0.0.1:8443/dns-query";

/// The CA choices the page offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaKind {
    LetsEncrypt,
    LetsEncryptStaging,
    /// The local Pebble of the local build.
    Local,
    Other,
}

crate::json::wire_names!(CaKind {
    LetsEncrypt = "lets-encrypt",
    LetsEncryptStaging = "lets-encrypt-staging",
    Local = "local",
    Other = "other",
});

impl CaKind {
    pub fn label(self) -> &'static str {
        match self {
            CaKind::LetsEncrypt => "Let's Encrypt",
            CaKind::LetsEncryptStaging => crate::t!("Let's Encrypt staging"),
            CaKind::Local => crate::t!("Local test CA (Pebble)"),
            CaKind::Other => crate::t!("Other"),
        }
    }

    /// A stable name for `<option value>`.
    pub fn as_str(self) -> &'static str {
        match self {
            CaKind::LetsEncrypt => "lets-encrypt",
            CaKind::LetsEncryptStaging => "lets-encrypt-staging",
            CaKind::Local => "local",
            CaKind::Other => "other",
        }
    }

    pub fn from_name(name: &str) -> Option<CaKind> {
        [
            CaKind::LetsEncrypt,
            CaKind::LetsEncryptStaging,
            CaKind::Local,
            CaKind::Other,
        ]
        .into_iter()
        .find(|k| k.as_str() == name)
    }

    /// The directory URL of a preset; `local_url` is the local build's Pebble.
    pub fn preset_url(self, local_url: Option<&str>) -> Option<String> {
        match self {
            CaKind::LetsEncrypt => Some(LETS_ENCRYPT.to_string()),
            CaKind::LetsEncryptStaging => Some(LETS_ENCRYPT_STAGING.to_string()),
            CaKind::Local => local_url.map(str::to_string),
            CaKind::Other => None,
        }
    }
}
