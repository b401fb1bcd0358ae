//! A complete issuance driven through the core, as a command-line client would: order, place every
//! challenge through a callback (certbot's manual-auth-hook contract), answer, poll, finalize, download.
//! Shared by the native example and the Pebble integration tests; the waits the core returns are slept
//! here, outside the core.

use std::time::{Duration, SystemTime};

use certsmith::account::AccountCredentials;
use certsmith::authorization::{placement, Authorization, AuthorizationStatus, Placement};
use certsmith::client::{CertificateChain, Client};
use certsmith::key::{KeyType, PrivateKey};
use certsmith::order::{NewOrder, Order, OrderHandle, OrderStatus};
use certsmith::poll::Poll;
use certsmith::transport::HttpClient;
use certsmith::Error;

/// Where the certificate's key comes from.
pub enum CertificateKey {
    Generate(KeyType),
    /// A CSR the user brings (DER); its key stays with the user.
    Csr(Vec<u8>),
}

pub struct Issued {
    pub order: OrderHandle,
    pub chain: CertificateChain,
    /// The key we generated, `None` when the user brought a CSR.
    pub key: Option<PrivateKey>,
}

/// Gives up polling after this many attempts (with back-off that is several minutes).
const MAX_POLLS: u32 = 30;

pub async fn issue<H: HttpClient>(
    client: &Client<H>,
    account: &AccountCredentials,
    request: &NewOrder,
    challenge_type: &str,
    certificate_key: CertificateKey,
    mut place: impl FnMut(&Authorization, &Placement) -> Result<(), String>,
) -> Result<Issued, String> {
    let handle = client.new_order(account, request).await.map_err(explain)?;
    let authorizations = client
        .fetch_authorizations(account, &handle.order)
        .await
        .map_err(explain)?;
    let mut answered = Vec::new();
    for authz in authorizations
        .iter()
        .filter(|a| a.authorization.status == AuthorizationStatus::Pending)
    {
        let challenge = authz
            .authorization
            .challenge(challenge_type)
            .ok_or_else(|| {
                format!(
                    "no {challenge_type} challenge for {}",
                    authz.authorization.display_name()
                )
            })?;
        let what =
            placement(&authz.authorization, challenge, &account.key).map_err(|e| e.to_string())?;
        place(&authz.authorization, &what)?;
        answered.push((authz.url.clone(), challenge.url.clone()));
    }
    // Answer only once everything is in place: a wildcard and its apex share one TXT name.
    for (_, challenge_url) in &answered {
        client
            .respond_to_challenge(account, challenge_url)
            .await
            .map_err(explain)?;
    }
    for (authz_url, _) in &answered {
        let authz = wait_for_authorization(client, account, authz_url).await?;
        if authz.status != AuthorizationStatus::Valid {
            let why = authz
                .failure()
                .map(|p| format!("{p} — {}", p.hint()))
                .unwrap_or_default();
            return Err(format!(
                "authorization for {} is {:?}: {why}",
                authz.display_name(),
                authz.status
            ));
        }
    }
    let order = wait_for_order(client, account, &handle.url, |s| s != OrderStatus::Pending).await?;
    let (csr, key) = match certificate_key {
        CertificateKey::Generate(kind) => {
            let key = PrivateKey::generate(kind).map_err(|e| e.to_string())?;
            (
                certsmith::csr::build_csr(&key, &request.identifiers).map_err(|e| e.to_string())?,
                Some(key),
            )
        }
        CertificateKey::Csr(der) => (der, None),
    };
    let finalized = client
        .finalize(account, &order, &csr)
        .await
        .map_err(explain)?;
    // A CA that issues at once answers finalize with a valid order: no poll needed then.
    let order = match finalized.status {
        OrderStatus::Valid => finalized,
        _ => {
            wait_for_order(client, account, &handle.url, |s| {
                s != OrderStatus::Processing && s != OrderStatus::Ready
            })
            .await?
        }
    };
    let cert_url = order
        .certificate
        .clone()
        .ok_or_else(|| format!("order is {:?} with no certificate", order.status))?;
    let chain = client
        .download_certificate(account, &cert_url)
        .await
        .map_err(explain)?;
    Ok(Issued {
        order: OrderHandle {
            url: handle.url,
            order,
        },
        chain,
        key,
    })
}

async fn wait_for_authorization<H: HttpClient>(
    client: &Client<H>,
    account: &AccountCredentials,
    url: &str,
) -> Result<Authorization, String> {
    for attempt in 0..MAX_POLLS {
        match client
            .poll_authorization(account, url, attempt, SystemTime::now())
            .await
            .map_err(explain)?
        {
            Poll::Ready(authz) => return Ok(authz),
            Poll::Wait { retry_in, .. } => sleep(retry_in),
        }
    }
    Err(format!(
        "authorization {url} still pending after {MAX_POLLS} polls"
    ))
}

async fn wait_for_order<H: HttpClient>(
    client: &Client<H>,
    account: &AccountCredentials,
    url: &str,
    settled: impl Fn(OrderStatus) -> bool,
) -> Result<Order, String> {
    for attempt in 0..MAX_POLLS {
        let order = match client
            .poll_order(account, url, attempt, SystemTime::now())
            .await
            .map_err(explain)?
        {
            Poll::Ready(order) => order,
            Poll::Wait { latest, retry_in } if !settled(latest.status) => {
                sleep(retry_in);
                continue;
            }
            Poll::Wait { latest, .. } => latest,
        };
        if order.status == OrderStatus::Invalid {
            let why = order
                .error
                .as_ref()
                .map(|p| format!(": {p}"))
                .unwrap_or_default();
            return Err(format!("order {url} became invalid{why}"));
        }
        if settled(order.status) {
            return Ok(order);
        }
        sleep(Duration::from_millis(200));
    }
    Err(format!(
        "order {url} did not settle after {MAX_POLLS} polls"
    ))
}

/// The caller's side of a wait the core returned: the core never sleeps, this driver does.
fn sleep(wait: Duration) {
    std::thread::sleep(wait);
}

pub fn explain(error: Error) -> String {
    format!("{error} (hint: {})", error.hint())
}
