//! Reading JSON text, for everything the page and its jobs module read: answers of the CA and of the
//! jobs worker, the jobs themselves, what localStorage keeps, the language catalogues, a JWK.
//!
//! serde_json compiles its parser and every type's `Deserialize` once per kind of input (`&str`, `&[u8]`,
//! a parsed `Value`). The page read a `&str` in some places, bytes in others and a `Value` for its saved
//! state, so its wasm held up to three copies of the parser and of the code that reads an Order, an
//! Authorization or a Problem. Reading every text as bytes leaves one copy.

use serde::de::DeserializeOwned;

/// Parses `text` as JSON into `T`, through the byte reader the ACME client uses for response bodies.
pub fn from_text<T: DeserializeOwned>(text: &str) -> serde_json::Result<T> {
    serde_json::from_slice(text.as_bytes())
}

/// A unit enum written and read by its name, the names listed once ([`wire_names!`]): serde's derive
/// compiles a visitor per enum (about a kilobyte of the page's wasm each); these share one
/// ([`variant_index`]).
pub(crate) trait WireNames: Sized + Copy + 'static {
    /// Every variant read by name, in the order of [`WIRE_NAMES`](Self::WIRE_NAMES).
    const ALL: &'static [Self];
    const WIRE_NAMES: &'static [&'static str];
    /// What any other name reads as (a `#[serde(other)]` variant), if anything.
    const OTHER: Option<Self> = None;
}

/// Implements [`WireNames`], `Serialize` and `Deserialize` for a unit enum: `wire_names!(Kind { A = "a", B = "b" })`,
/// with `, other = C` for the variant any other name reads as.
macro_rules! wire_names {
    ($ty:ident { $($variant:ident = $name:literal),+ $(,)? } $(, other = $other:ident)?) => {
        impl $crate::json::WireNames for $ty {
            const ALL: &'static [Self] = &[$($ty::$variant),+];
            const WIRE_NAMES: &'static [&'static str] = &[$($name),+];
            $(const OTHER: Option<Self> = Some($ty::$other);)?
        }

        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(match self {
                    $($ty::$variant => $name,)+
                })
            }
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                use $crate::json::WireNames as W;
                match $crate::json::variant_index(deserializer, <Self as W>::WIRE_NAMES, <Self as W>::OTHER.is_some())? {
                    Some(i) => Ok(<Self as W>::ALL[i]),
                    None => <Self as W>::OTHER.ok_or_else(|| serde::de::Error::custom("no variant")),
                }
            }
        }
    };
}
pub(crate) use wire_names;

/// The position of the string `deserializer` holds in `names`; `None` for another name when `other` is
/// allowed, an "unknown variant" error otherwise. One copy for every [`WireNames`] enum.
pub(crate) fn variant_index<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
    names: &'static [&'static str],
    other: bool,
) -> Result<Option<usize>, D::Error> {
    struct Names(&'static [&'static str], bool);
    impl serde::de::Visitor<'_> for Names {
        type Value = Option<usize>;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a name")
        }

        fn visit_str<E: serde::de::Error>(self, name: &str) -> Result<Option<usize>, E> {
            match self.0.iter().position(|n| *n == name) {
                None if !self.1 => Err(E::unknown_variant(name, self.0)),
                found => Ok(found),
            }
        }
    }
    deserializer.deserialize_str(Names(names, other))
}

/// For the tests of each [`WireNames`] enum: each variant is written as its name and read back from it,
/// and any other name reads as the `other` variant or is refused.
#[cfg(test)]
pub(crate) fn check_wire_names<T>()
where
    T: WireNames + serde::Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
{
    assert_eq!(T::ALL.len(), T::WIRE_NAMES.len());
    for (variant, name) in T::ALL.iter().zip(T::WIRE_NAMES) {
        assert_eq!(
            serde_json::to_value(variant).unwrap(),
            serde_json::json!(name)
        );
        assert_eq!(from_text::<T>(&format!("\"{name}\"")).unwrap(), *variant);
    }
    let other = from_text::<T>("\"not-a-name-of-any-variant\"");
    match T::OTHER {
        Some(fallback) => assert_eq!(other.unwrap(), fallback),
        None => assert!(other.unwrap_err().to_string().contains("unknown variant")),
    }
}

#[cfg(test)]
mod tests {
    use super::check_wire_names;
    use crate::acme::account::files::SourceClient;
    use crate::acme::account::AccountStatus;
    use crate::acme::authorization::{AuthorizationStatus, ChallengeStatus};
    use crate::acme::client::RevocationReason;
    use crate::acme::flow::WaitReason;
    use crate::acme::identifier::IdentifierKind;
    use crate::acme::order::OrderStatus;
    use crate::pki::key::KeyType;
    use crate::wizard::{CaKind, Step};

    /// The names are a format: saved states and the CA's JSON use them. Pinned here as the serde
    /// derive with its renaming rules wrote them before `wire_names!`.
    #[test]
    fn the_wire_names_are_the_ones_saved_states_and_cas_use() {
        fn names<T: super::WireNames>() -> Vec<&'static str> {
            T::WIRE_NAMES.to_vec()
        }
        assert_eq!(
            names::<Step>(),
            [
                "ca",
                "account",
                "names",
                "challenges",
                "validating",
                "finalizing",
                "done",
                "failed"
            ]
        );
        assert_eq!(
            names::<CaKind>(),
            ["lets-encrypt", "lets-encrypt-staging", "local", "other"]
        );
        assert_eq!(names::<WaitReason>(), ["validating", "issuing", "backoff"]);
        assert_eq!(
            names::<AuthorizationStatus>(),
            [
                "pending",
                "valid",
                "invalid",
                "deactivated",
                "expired",
                "revoked",
                "unknown"
            ]
        );
        assert_eq!(
            names::<OrderStatus>(),
            [
                "pending",
                "ready",
                "processing",
                "valid",
                "invalid",
                "unknown"
            ]
        );
        assert_eq!(
            names::<ChallengeStatus>(),
            ["pending", "processing", "valid", "invalid", "unknown"]
        );
        assert_eq!(
            names::<AccountStatus>(),
            ["valid", "deactivated", "revoked", "unknown"]
        );
        assert_eq!(
            names::<SourceClient>(),
            ["Certbot", "Lego", "AcmeSh", "Certsmith", "KeyOnly"]
        );
        assert_eq!(
            names::<RevocationReason>(),
            [
                "unspecified",
                "keyCompromise",
                "affiliationChanged",
                "superseded",
                "cessationOfOperation"
            ]
        );
        assert_eq!(names::<IdentifierKind>(), ["dns", "ip", "unknown"]);
        assert_eq!(
            names::<KeyType>(),
            ["p256", "p384", "rsa2048", "rsa3072", "rsa4096"]
        );
    }

    #[test]
    fn every_enum_read_by_name_reads_what_it_writes() {
        check_wire_names::<Step>();
        check_wire_names::<CaKind>();
        check_wire_names::<WaitReason>();
        check_wire_names::<AuthorizationStatus>();
        check_wire_names::<OrderStatus>();
        check_wire_names::<ChallengeStatus>();
        check_wire_names::<AccountStatus>();
        check_wire_names::<SourceClient>();
        check_wire_names::<RevocationReason>();
        check_wire_names::<IdentifierKind>();
        check_wire_names::<KeyType>();
    }
}
