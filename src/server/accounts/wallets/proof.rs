//! The EIP-4361 (Sign-In with Ethereum) message a member signs to prove a payout wallet, and the checks a signed one
//! must pass before its signature is even looked at. Pure: the clock and the site come in as arguments.
use crate::error::AppError;
use siwe::{Message, TimeStamp, Version};
use std::str::FromStr;
use time::{Duration, OffsetDateTime};

/// How long an issued message may be signed and sent back.
pub const VALID_FOR: Duration = Duration::minutes(10);

/// Who asks for the signature: the site's host (with its port, if any), its address and the payout chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    pub domain: String,
    pub uri: String,
    pub chain_id: u64,
}

impl Site {
    /// From `SITE_URL` (already validated as an http(s) URL at start-up).
    pub fn new(site_url: &str, chain_id: u64) -> Site {
        let rest = site_url
            .split_once("://")
            .map_or(site_url, |(_, rest)| rest);
        let domain = rest
            .split(['/', '?', '#'])
            .next()
            .unwrap_or(rest)
            .to_owned();
        Site {
            domain,
            uri: site_url.trim_end_matches('/').to_owned(),
            chain_id,
        }
    }
}

/// The human-readable line the member agrees to. EIP-4361 allows printable ASCII only, so anything else in the
/// brand or email is left out rather than mangled.
pub fn statement(brand: &str, email: &str) -> String {
    let ascii = |s: &str| s.chars().all(|c| c.is_ascii_graphic() || c == ' ');
    let brand = if ascii(brand) && !brand.is_empty() {
        brand
    } else {
        "refcodes"
    };
    if ascii(email) {
        format!("I control this wallet and want the referral rewards of my {brand} account {email} paid to it.")
    } else {
        format!(
            "I control this wallet and want the referral rewards of my {brand} account paid to it."
        )
    }
}

/// The message for `address` (EIP-55 form), valid from `now` for [`VALID_FOR`].
pub fn issue(
    site: &Site,
    address: &str,
    statement: &str,
    nonce: &str,
    now: OffsetDateTime,
) -> Result<String, AppError> {
    let now = now.replace_nanosecond(0).unwrap_or(now);
    let text = format!(
        "{domain} wants you to sign in with your Ethereum account:\n{address}\n\n{statement}\n\n\
         URI: {uri}\nVersion: 1\nChain ID: {chain}\nNonce: {nonce}\nIssued At: {issued}\nExpiration Time: {expires}",
        domain = site.domain,
        uri = site.uri,
        chain = site.chain_id,
        issued = TimeStamp::from(now),
        expires = TimeStamp::from(now + VALID_FOR),
    );
    // Built by hand so the text is exactly what is stored and signed; parsing it back proves it is well formed.
    Message::from_str(&text).map_err(|e| {
        tracing::error!(error = %e, "an issued wallet message does not parse");
        AppError::Internal
    })?;
    Ok(text)
}

/// A signed message as a member sends it back: line endings a form or a clipboard changed are restored.
pub fn normalize(text: &str) -> String {
    text.replace("\r\n", "\n").trim().to_owned()
}

/// Parses `text` and checks what the message itself says: version, the site, the chain and the validity window
/// (present, at most [`VALID_FOR`] long, containing `now`). The nonce and the signature are the caller's.
pub fn check(text: &str, site: &Site, now: OffsetDateTime) -> Result<Message, AppError> {
    let message = Message::from_str(text).map_err(|_| AppError::WalletProofMalformed)?;
    if message.version != Version::V1 {
        return Err(AppError::WalletProofMalformed);
    }
    if !message.domain.as_str().eq_ignore_ascii_case(&site.domain)
        || message.uri.as_str() != site.uri
    {
        return Err(AppError::WalletProofWrongDomain);
    }
    if message.chain_id != site.chain_id {
        return Err(AppError::WalletProofWrongChain);
    }
    let issued = *message.issued_at.as_ref();
    let in_window = message
        .expiration_time
        .as_ref()
        .is_some_and(|expires| *expires.as_ref() - issued <= VALID_FOR && message.valid_at(&now));
    if !in_window || issued > now + Duration::minutes(1) {
        return Err(AppError::WalletProofExpired);
    }
    Ok(message)
}

/// The EIP-55 form of the address a parsed message names.
pub fn address_of(message: &Message) -> String {
    siwe::eip55(&message.address)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const ADDRESS: &str = "0x4d3DE99F42dD4ae734eC3190af37e51F92C55D2F";
    const NOW: OffsetDateTime = datetime!(2026-12-01 12:00:00.123 UTC);

    fn site() -> Site {
        Site::new("https://refcodes.example:8443/", 8453)
    }

    fn issued() -> String {
        issue(
            &site(),
            ADDRESS,
            &statement("Acme", "ann@example.com"),
            "k9Xw2pQr7LmN4vB8z",
            NOW,
        )
        .unwrap()
    }

    /// The example of the EIP-4361 specification, parsed and written back byte for byte.
    #[test]
    fn the_specification_example_parses_and_round_trips() {
        let example = "service.invalid wants you to sign in with your Ethereum account:\n\
            0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2\n\n\
            I accept the ServiceOrg Terms of Service: https://service.invalid/tos\n\n\
            URI: https://service.invalid/login\nVersion: 1\nChain ID: 1\nNonce: 32891756\n\
            Issued At: 2021-09-30T16:25:24Z\nResources:\n\
            - ipfs://bafybeiemxf5abjwjbikoz4mc3a3dla6ual3jsgpdr4cjr3oz3evfyavhwq/\n\
            - https://example.com/my-web2-claim.json";
        let message = Message::from_str(example).unwrap();
        assert_eq!(message.domain.as_str(), "service.invalid");
        assert_eq!(
            address_of(&message),
            "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2"
        );
        assert_eq!(message.chain_id, 1);
        assert_eq!(message.nonce, "32891756");
        assert_eq!(message.resources.len(), 2);
        assert_eq!(message.to_string(), example);
    }

    #[test]
    fn an_issued_message_has_every_field_the_proof_needs() {
        let text = issued();
        assert_eq!(
            text,
            "refcodes.example:8443 wants you to sign in with your Ethereum account:\n\
             0x4d3DE99F42dD4ae734eC3190af37e51F92C55D2F\n\n\
             I control this wallet and want the referral rewards of my Acme account ann@example.com paid to it.\n\n\
             URI: https://refcodes.example:8443\nVersion: 1\nChain ID: 8453\nNonce: k9Xw2pQr7LmN4vB8z\n\
             Issued At: 2026-12-01T12:00:00Z\nExpiration Time: 2026-12-01T12:10:00Z"
        );
        let message = check(&text, &site(), NOW).unwrap();
        assert_eq!(message.to_string(), text);
        assert_eq!(address_of(&message), ADDRESS);
    }

    #[test]
    fn statements_stay_printable_ascii() {
        assert!(!statement("Кава", "ann@example.com").contains("Кава"));
        assert!(!statement("Acme", "анна@example.com").contains('@'));
        assert!(statement("Acme", "ann@example.com").ends_with("ann@example.com paid to it."));
    }

    #[test]
    fn a_message_for_another_site_or_chain_is_refused() {
        let text = issued();
        let elsewhere = Site::new("https://evil.example", 8453);
        assert_eq!(
            check(&text, &elsewhere, NOW).unwrap_err(),
            AppError::WalletProofWrongDomain
        );
        let other_uri = text.replace(
            "URI: https://refcodes.example:8443",
            "URI: https://evil.example",
        );
        assert_eq!(
            check(&other_uri, &site(), NOW).unwrap_err(),
            AppError::WalletProofWrongDomain
        );
        let other_chain = Site {
            chain_id: 1,
            ..site()
        };
        assert_eq!(
            check(&text, &other_chain, NOW).unwrap_err(),
            AppError::WalletProofWrongChain
        );
    }

    #[test]
    fn a_message_is_valid_for_ten_minutes_only() {
        let text = issued();
        // Issued at 12:00:00 (whole seconds), so valid up to 12:10:00 inclusive.
        assert!(check(&text, &site(), datetime!(2026-12-01 12:10:00 UTC)).is_ok());
        let late = datetime!(2026-12-01 12:10:01 UTC);
        assert_eq!(
            check(&text, &site(), late).unwrap_err(),
            AppError::WalletProofExpired
        );
        let no_expiry = text.split("\nExpiration Time").next().unwrap();
        assert_eq!(
            check(no_expiry, &site(), NOW).unwrap_err(),
            AppError::WalletProofExpired
        );
        let long = text.replace(
            "Expiration Time: 2026-12-01T12:10:00Z",
            "Expiration Time: 2026-12-02T12:00:00Z",
        );
        assert_eq!(
            check(&long, &site(), NOW).unwrap_err(),
            AppError::WalletProofExpired
        );
    }

    #[test]
    fn malformed_messages_are_refused() {
        let text = issued();
        for bad in [
            "",
            "hello",
            &text.replace(ADDRESS, &ADDRESS.to_lowercase()),
            &text.replace("Version: 1", "Version: 2"),
            &text.replace("Nonce: k9Xw2pQr7LmN4vB8z", "Nonce: short"),
            &format!("{text}\nsomething else"),
        ] {
            assert_eq!(
                check(bad, &site(), NOW).unwrap_err(),
                AppError::WalletProofMalformed,
                "{bad}"
            );
        }
    }

    #[test]
    fn pasted_line_endings_are_restored() {
        let text = issued();
        let pasted = format!("  {}\r\n", text.replace('\n', "\r\n"));
        assert_eq!(normalize(&pasted), text);
    }
}
