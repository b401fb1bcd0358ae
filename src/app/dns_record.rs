//! One TXT record to add: its name, every value it must hold (a wildcard and its apex share a name), and
//! the zone-file lines, each with a "Copy" button.

use certsmith::t;
use certsmith::wizard::DnsRecord;
use yew::prelude::*;

use super::copy_button::CopyButton;
use super::text_node;

/// The record, with its "Copy" buttons (a plain function: it has no state of its own).
pub fn dns_record_view(record: &DnsRecord) -> Html {
    let several = record.values.len() > 1;
    let heading = match record.proves.as_slice() {
        // A wildcard and its apex: the most names one record proves.
        [name, other_name] => t!(
            "TXT record for {name} and {other_name}",
            name = name,
            other_name = other_name
        ),
        names => t!("TXT record for {names}", names = names.join(", ")),
    };
    html! {
        <article class="record" data-testid="dns-record">
            <h4>{ heading }</h4>
            <dl class="record-fields">
                <dt>{ text_node(t!("Name")) }</dt>
                <dd class="copyable">
                    <code data-testid="txt-name">{ &record.name }</code>
                    <CopyButton text={record.name.clone()} />
                </dd>
                <dt>{ text_node(t!("Type")) }</dt>
                <dd>{ "TXT" }</dd>
                <dt>{ if several { text_node(t!("Values")) } else { text_node(t!("Value")) } }</dt>
                <dd>
                    { for record.values.iter().map(|value| html! {
                        <div class="copyable">
                            <code data-testid="txt-value">{ value }</code>
                            <CopyButton text={value.clone()} />
                        </div>
                    }) }
                </dd>
            </dl>
            if several {
                <p class="notice">{ t!(
                    "Both values must be present at the same time: add {count} TXT records with this same name, one \
                     per value. Do not replace one with the other.", count = record.values.len()) }</p>
            }
            <p class="help">{ text_node(t!("As a zone-file line, for panels that import them:")) }</p>
            <div class="copyable">
                <pre class="zone" data-testid="zone-line">{ record.zone_lines().join("\n") }</pre>
                <CopyButton text={record.zone_lines().join("\n")} />
            </div>
        </article>
    }
}
