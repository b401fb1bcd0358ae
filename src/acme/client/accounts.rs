//! Accounts (RFC 8555 §7.3): create or find one, read it, change its contacts, roll its key over,
//! deactivate it.

use serde_json::json;

use super::{internal, Client};
use crate::acme::account::{Account, AccountCredentials, NewAccount};
use crate::acme::error::Error;
use crate::acme::jws::{self, ExternalAccountKey, KeyRef, Payload, Signer};
use crate::acme::transport::HttpClient;
use crate::pki::key::PrivateKey;

impl<H: HttpClient, S: Signer> Client<H, S> {
    /// Creates an account for `key` (§7.3), or returns the existing one for that key (the CA answers 200
    /// with its URL). `eab` is required when the directory's meta says `externalAccountRequired`.
    pub async fn new_account(
        &self,
        key: &PrivateKey,
        request: &NewAccount,
        eab: Option<&ExternalAccountKey>,
    ) -> Result<(AccountCredentials, Account), Error> {
        let mut payload = serde_json::to_value(request).map_err(|e| internal("newAccount", e))?;
        if let Some(eab) = eab {
            let binding = eab.binding(key, &self.directory.new_account)?;
            payload["externalAccountBinding"] =
                serde_json::to_value(binding).map_err(|e| internal("newAccount", e))?;
        }
        let url = self.directory.new_account.clone();
        let response = self
            .post(
                "newAccount",
                &url,
                key,
                KeyRef::Jwk,
                Payload::Json(&payload),
            )
            .await?;
        let account_url = self.location("newAccount", &url, &response)?;
        let account = self.json("newAccount", &url, &response)?;
        Ok((
            AccountCredentials {
                url: account_url,
                key: key.clone(),
            },
            account,
        ))
    }

    /// Finds the account of an existing key without creating one (§7.3.1, onlyReturnExisting); a key with
    /// no account gives the CA's accountDoesNotExist problem.
    pub async fn find_account(
        &self,
        key: &PrivateKey,
    ) -> Result<(AccountCredentials, Account), Error> {
        self.new_account(
            key,
            &NewAccount {
                only_return_existing: true,
                ..NewAccount::default()
            },
            None,
        )
        .await
    }

    /// Fetches the account object (POST-as-GET to the account URL).
    pub async fn fetch_account(&self, account: &AccountCredentials) -> Result<Account, Error> {
        let response = self.post_as_get("account", account, &account.url).await?;
        self.json("account", &account.url, &response)
    }

    /// Replaces the account's contacts (§7.3.2).
    pub async fn update_contacts(
        &self,
        account: &AccountCredentials,
        contact: &[String],
    ) -> Result<Account, Error> {
        let payload = json!({ "contact": contact });
        let response = self
            .post_kid("account", account, &account.url, &payload)
            .await?;
        self.json("account", &account.url, &response)
    }

    /// Rolls the account over to `new_key` (§7.3.5): an inner JWS signed by the new key, carried in an
    /// outer JWS signed by the old one. Returns the credentials to use from now on.
    pub async fn key_change(
        &self,
        account: &AccountCredentials,
        new_key: &PrivateKey,
    ) -> Result<AccountCredentials, Error> {
        let url = self.directory.key_change.clone();
        let inner_payload = json!({ "account": account.url, "oldKey": account.key.public_jwk() });
        let inner = jws::sign(
            &self.signer,
            new_key,
            KeyRef::Jwk,
            &url,
            None,
            Payload::Json(&inner_payload),
        )
        .await?;
        let outer_payload = serde_json::to_value(inner).map_err(|e| internal("keyChange", e))?;
        self.post_kid("keyChange", account, &url, &outer_payload)
            .await?;
        Ok(AccountCredentials {
            url: account.url.clone(),
            key: new_key.clone(),
        })
    }

    /// Deactivates the account (§7.3.6); the CA refuses every later request signed by it.
    pub async fn deactivate_account(&self, account: &AccountCredentials) -> Result<Account, Error> {
        let response = self
            .post_kid(
                "account",
                account,
                &account.url,
                &json!({ "status": "deactivated" }),
            )
            .await?;
        self.json("account", &account.url, &response)
    }
}
