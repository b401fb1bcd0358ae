//! One dns-persist-01 record (draft-ietf-acme-dns-persist-01 §4): its name and value with "Copy"
//! buttons and the zone-file line, the person's choices (policy=wildcard, persistUntil), and in plain
//! words that the record stays, what it grants to whoever holds the account key, and how to take that
//! back. The DNS check below the cards checks it with the dns-01 records.

use certsmith::acme::authorization::Placement;
use certsmith::acme::persist::{persist_until_date, persist_until_from_date, PersistChoice};
use certsmith::{i18n, t};
use yew::prelude::*;

use super::copy_button::CopyButton;
use super::doh_check::host;
use super::forms::{checked, input_value};
use super::text_node;

/// What [`persist_record_view`] shows. A plain function, not a component: the card has no state of its
/// own, and a component costs the page's wasm about a kilobyte of Yew's per-component code.
pub struct PersistRecordProps {
    /// Tells the inputs of several cards apart.
    pub index: usize,
    /// The name it proves, as the order has it (`*.example.com` for a wildcard).
    pub name: AttrValue,
    /// A [`Placement::DnsPersist01`].
    pub placement: Placement,
    /// The person's choice as kept with the order.
    pub choice: PersistChoice,
    /// A wildcard of this order for the same name uses this record: policy=wildcard is not optional.
    pub wildcard_required: bool,
    /// Resolvers that see the record already (nothing to place).
    pub seen_by: Vec<String>,
    /// Records found at the name that do not count: the resolver and why.
    pub refused: Vec<(String, String)>,
    /// A persistUntil (the chosen one, or the one seen in DNS) less than 30 days away.
    pub until_near: Option<i64>,
    /// The account key has no passphrase yet.
    pub suggest_lock: bool,
    /// The challenge is submitted, or the page is busy: the choices are closed.
    pub disabled: bool,
    pub on_choose: Callback<PersistChoice>,
}

pub fn persist_record_view(props: &PersistRecordProps) -> Html {
    let Placement::DnsPersist01 {
        record_name,
        record,
        ..
    } = &props.placement
    else {
        return html! {};
    };
    let value = record.value();
    let zone_line = record.zone_file_line(record_name);
    let wildcard_name = props.name.starts_with("*.");
    let base = props.name.trim_start_matches("*.").to_string();
    let choice = props.choice;
    let on_wildcard = props.on_choose.reform(move |e: Event| PersistChoice {
        wildcard: checked(&e),
        ..choice
    });
    let on_until = props.on_choose.reform(move |e: InputEvent| PersistChoice {
        persist_until: persist_until_from_date(&input_value(&e)),
        ..choice
    });
    let covers = if record.wildcard {
        t!("{base}, *.{base} and every name under {base}", base = base)
    } else {
        base.clone()
    };
    let grant = if props.suggest_lock {
        t!(
            "What it grants: while this record exists, whoever holds this account's key can get certificates \
             for {covers} from this CA, without any further DNS change. Protect the account key (lock it with a \
             passphrase in the Account step); to take the permission back, delete the record.",
            covers = covers
        )
    } else {
        t!(
            "What it grants: while this record exists, whoever holds this account's key can get certificates \
             for {covers} from this CA, without any further DNS change. Protect the account key; to take the \
             permission back, delete the record.",
            covers = covers
        )
    };
    let checkbox_id = format!("persist-wildcard-{}", props.index);
    let until_id = format!("persist-until-{}", props.index);
    html! {
        <article class="record persist" data-testid="persist-record">
            <h4>{ t!("Lasting TXT record for {name}", name = props.name) }</h4>
            if props.seen_by.is_empty() {
                <p>{ t!("Add this TXT record once, and leave it there. If you placed it for an earlier certificate \
                         with this account, nothing needs placing: press \u{201c}Check DNS\u{201d} below to see it.") }</p>
            } else {
                <p class="ok" role="status" data-testid="persist-in-place">{ t!(
                    "The DNS check sees this record already ({resolvers}): nothing needs placing for {name}. Submit, \
                     and the CA checks it.", resolvers = props.seen_by.join(", "), name = props.name) }</p>
            }
            <dl class="record-fields">
                <dt>{ text_node(t!("Name")) }</dt>
                <dd class="copyable">
                    <code data-testid="persist-name">{ record_name }</code>
                    <CopyButton text={record_name.clone()} />
                </dd>
                <dt>{ text_node(t!("Type")) }</dt>
                <dd>{ "TXT" }</dd>
                <dt>{ text_node(t!("Value")) }</dt>
                <dd class="copyable">
                    <code data-testid="persist-value">{ &value }</code>
                    <CopyButton text={value.clone()} />
                </dd>
            </dl>
            <p class="help">{ text_node(t!("As a zone-file line, for panels that import them:")) }</p>
            <div class="copyable">
                <pre class="zone" data-testid="persist-zone-line">{ &zone_line }</pre>
                <CopyButton text={zone_line.clone()} />
            </div>
            <div class="persist-options">
                if wildcard_name {
                    <p class="help">{ t!("A wildcard needs policy=wildcard: the record covers {base} and every \
                                          name under it.", base = base) }</p>
                } else {
                    <div class="field checkbox">
                        <input id={checkbox_id.clone()} type="checkbox"
                               checked={choice.wildcard || props.wildcard_required}
                               disabled={props.disabled || props.wildcard_required}
                               onchange={on_wildcard} />
                        <label for={checkbox_id}>{ t!(
                            "Also cover *.{base} and every name under {base} (policy=wildcard)", base = base) }</label>
                    </div>
                    if props.wildcard_required {
                        <p class="help">{ t!("Needed: *.{base} in this order is proven by the same record.", base = base) }</p>
                    }
                }
                <div class="field">
                    <label for={until_id.clone()}>{ text_node(t!("Valid until (optional)")) }</label>
                    <input id={until_id} type="date" disabled={props.disabled}
                           value={choice.persist_until.and_then(persist_until_date).unwrap_or_default()}
                           oninput={on_until} />
                    <p class="help">{ t!("From 00:00 UTC on this date the CA no longer accepts the record \
                                       (persistUntil). Leave it empty for a record without an end.") }</p>
                </div>
            </div>
            if let Some(until) = props.until_near {
                <p class="notice" role="status" data-testid="persist-until-near">{ t!(
                    "A persistUntil of {date} is less than 30 days away: after it the CA no longer accepts the record, \
                     and renewals need it replaced. Choose a later date (or none) and place the record again.",
                    date = i18n::date(until).unwrap_or_else(|| until.to_string())) }</p>
            }
            <p data-testid="persist-stays">{ t!(
                "The record stays in place: it is not a one-time value. Later certificates and renewals for {name} \
                 with this account need no DNS change; the CA looks at the same record again.", name = props.name) }</p>
            <p class="notice" data-testid="persist-grant">{ grant }</p>
            if !props.refused.is_empty() {
                <ul class="persist-refused">
                    { for props.refused.iter().map(|(resolver, why)| html! {
                        <li data-testid="persist-refused">{ t!("{resolver} sees a record there that does not count: {why}.",
                                                              resolver = host(resolver), why = why) }</li>
                    }) }
                </ul>
            }
        </article>
    }
}
