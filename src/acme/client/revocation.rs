//! Revocation (RFC 8555 §7.6) and renewal information (RFC 9773 §4).

use std::time::SystemTime;

use serde_json::json;

use super::Client;
use super::{RevocationReason, Revoker};
use crate::acme::ari::RenewalInfo;
use crate::acme::error::Error;
use crate::acme::jws::{KeyRef, Payload, Signer};
use crate::acme::poll;
use crate::acme::transport::{HttpClient, HttpRequest};
use crate::b64;

impl<H: HttpClient, S: Signer> Client<H, S> {
    /// Revokes a certificate (DER), signed by its account or by its own key.
    pub async fn revoke_certificate(
        &self,
        revoker: Revoker<'_>,
        certificate_der: &[u8],
        reason: Option<RevocationReason>,
    ) -> Result<(), Error> {
        let mut payload = json!({ "certificate": b64::encode(certificate_der) });
        if let Some(reason) = reason {
            payload["reason"] = json!(reason as u8);
        }
        let url = self.directory.revoke_cert.clone();
        let (key, key_ref) = match revoker {
            Revoker::Account(account) => (&account.key, KeyRef::Kid(&account.url)),
            Revoker::CertificateKey(key) => (key, KeyRef::Jwk),
        };
        self.post("revokeCert", &url, key, key_ref, Payload::Json(&payload))
            .await?;
        Ok(())
    }

    /// Fetches the CA's renewal suggestion for a certificate (RFC 9773 §4.1), by its CertID.
    pub async fn renewal_info(&self, cert_id: &str, now: SystemTime) -> Result<RenewalInfo, Error> {
        let base = self
            .directory
            .renewal_info
            .as_deref()
            .ok_or(Error::Unsupported(crate::t!(
                "renewal information (ARI, RFC 9773)"
            )))?;
        let url = format!("{}/{cert_id}", base.trim_end_matches('/'));
        let response = self
            .send("renewalInfo", HttpRequest::get(&url), None)
            .await?;
        if !response.is_success() {
            return Err(self.problem_error("renewalInfo", &url, &response));
        }
        let mut info: RenewalInfo = self.json("renewalInfo", &url, &response)?;
        info.window()?;
        info.retry_after = poll::retry_after(&response, now);
        Ok(info)
    }
}
