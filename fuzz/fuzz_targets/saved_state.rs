//! State read back from browser storage, which a person may have edited or a crash cut short: `w` then
//! the wizard's saved JSON (`Wizard::restore`), `i` then one issuance (`acme::flow::Issuance`). Invariants:
//! a restored wizard saves and restores to the same state (restoring settles it once and for all) and its
//! views can be computed; an issuance serializes and reads back equal, and deciding what comes next is a
//! pure function of it and the time.
#![no_main]

use std::time::{Duration, SystemTime};

use certsmith::acme::flow::Issuance;
use certsmith::wizard::Wizard;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&kind, body)) = data.split_first() else {
        return;
    };
    match kind {
        b'w' => {
            // Any text, as storage hands it over: JSON or not.
            let Ok(saved) = std::str::from_utf8(body) else {
                return;
            };
            let Ok(wizard) = Wizard::restore(saved) else {
                return;
            };
            let once = serde_json::to_value(&wizard).unwrap();
            let again = Wizard::restore(&once.to_string()).unwrap();
            assert_eq!(serde_json::to_value(&again).unwrap(), once);
            let _ = (
                wizard.section(),
                wizard.parsed_names(),
                wizard.csr_status(),
                wizard.csr_needs_reading(),
                wizard.order_blocker(),
            );
            let _ = (
                wizard.dns_records(),
                wizard.resolver_list(),
                wizard.submit_warnings(),
            );
            let _ = (
                wizard.challenges_to_place(),
                wizard.failure(),
                wizard.chain_options(),
            );
            let _ = (wizard.reused_authorizations(), wizard.current_chain());
        }
        b'i' => {
            let Ok(issuance) = serde_json::from_slice::<Issuance>(body) else {
                return;
            };
            let text = serde_json::to_string(&issuance).unwrap();
            assert_eq!(serde_json::from_str::<Issuance>(&text).unwrap(), issuance);
            for secs in [0, 1_700_000_000, 1 << 34] {
                let now = SystemTime::UNIX_EPOCH + Duration::from_secs(secs);
                assert_eq!(issuance.next(now), issuance.next(now));
            }
            let _ = (
                issuance.status(),
                issuance.names(),
                issuance.stage(),
                issuance.failure(),
            );
            let _ = issuance.reused();
        }
        _ => {}
    }
});
