//! DNS for the page's check that a TXT record is visible: the wire format (RFC 1035) of the queries and
//! answers sent over DNS-over-HTTPS (RFC 8484).

pub mod wire;
