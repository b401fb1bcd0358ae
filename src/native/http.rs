//! The native side of the transport boundary: an [`HttpClient`] over ureq with rustls, trusting the CA
//! file given (a test CA's TLS root) or the bundled web PKI roots. Used by the native example and the
//! Pebble integration tests; the page has its own over fetch (`web::fetch`).

use std::sync::Arc;
use std::time::Duration;

use crate::acme::transport::{
    HttpClient, HttpRequest, HttpResponse, Method, TransportError, TransportErrorKind, JOSE_JSON,
    MAX_BODY,
};
use ureq::tls::{PemItem, RootCerts, TlsConfig};

pub struct NativeHttp {
    agent: ureq::Agent,
}

impl NativeHttp {
    /// Trusts the certificates in `ca_pem` when given, else the bundled web PKI roots.
    pub fn new(ca_pem: Option<&[u8]>) -> Result<Self, String> {
        let mut tls = TlsConfig::builder();
        if let Some(pem) = ca_pem {
            let roots: Vec<_> = ureq::tls::parse_pem(pem)
                .filter_map(|item| match item {
                    Ok(PemItem::Certificate(cert)) => Some(cert),
                    _ => None,
                })
                .collect();
            if roots.is_empty() {
                return Err("the CA file holds no PEM certificate".into());
            }
            tls = tls.root_certs(RootCerts::Specific(Arc::new(roots)));
        }
        let agent = ureq::Agent::config_builder()
            .tls_config(tls.build())
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .user_agent("certsmith-native")
            .build()
            .into();
        Ok(NativeHttp { agent })
    }

    fn call(&self, request: &HttpRequest) -> Result<ureq::http::Response<ureq::Body>, ureq::Error> {
        let accept = request.accept.unwrap_or("application/json");
        match request.method {
            Method::Get => self.agent.get(&request.url).header("Accept", accept).call(),
            Method::Head => self.agent.head(&request.url).call(),
            Method::Post => self
                .agent
                .post(&request.url)
                .header("Content-Type", JOSE_JSON)
                .header("Accept", accept)
                .send(request.body.as_deref().unwrap_or_default()),
        }
    }
}

impl HttpClient for NativeHttp {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let failed = |e: &dyn std::fmt::Display| {
            let kind = if e.to_string().contains("imeout") {
                TransportErrorKind::Timeout
            } else {
                TransportErrorKind::Unreachable
            };
            TransportError::new(kind, &request.url, e.to_string())
        };
        let response = self.call(&request).map_err(|e| failed(&e))?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_string(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect();
        // A hostile server cannot make this read more than the client's limit.
        let body = response
            .into_body()
            .with_config()
            .limit(MAX_BODY as u64)
            .read_to_vec()
            .map_err(|e| match e {
                ureq::Error::BodyExceedsLimit(_) => too_large(&request.url),
                other => failed(&other),
            })?;
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }
}

fn too_large(url: &str) -> TransportError {
    TransportError::new(
        TransportErrorKind::TooLarge,
        url,
        format!("the reply is larger than the {MAX_BODY} bytes this client reads"),
    )
}
