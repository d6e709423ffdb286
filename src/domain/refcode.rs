//! Referral codes, payout wallets and share links: the rules both the server and the browser apply.
use crate::error::AppError;
use serde::{Deserialize, Serialize};
use tiny_keccak::{Hasher, Keccak};

pub const MIN_CODE_LEN: usize = 4;
pub const MAX_CODE_LEN: usize = 24;
pub const GENERATED_CODE_LEN: usize = 8;
/// Generated codes avoid look-alikes (no 0/O, no 1/I/L), so a code read from paper is typed right.
pub const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
pub const MAX_LABEL_LEN: usize = 64;
/// The query parameter of a share link and the cookie that keeps the first one seen.
pub const REF_PARAM: &str = "ref";
pub const REF_COOKIE: &str = "ring_ref";
pub const ZERO_WALLET: &str = "0x0000000000000000000000000000000000000000";

/// A code as typed or linked (any case, surrounding spaces ignored) → its stored form:
/// 4–24 of `A–Z 0–9 -`, upper-case.
pub fn normalize_code(raw: &str) -> Result<String, AppError> {
    let code = raw.trim();
    let valid = (MIN_CODE_LEN..=MAX_CODE_LEN).contains(&code.len())
        && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if valid {
        Ok(code.to_ascii_uppercase())
    } else {
        Err(AppError::InvalidCode {
            min: MIN_CODE_LEN as u32,
            max: MAX_CODE_LEN as u32,
        })
    }
}

/// A new code of [`GENERATED_CODE_LEN`] characters from [`CODE_ALPHABET`];
/// `pick(n)` returns a uniformly random index below `n` (the caller owns the randomness).
pub fn generate_code(mut pick: impl FnMut(usize) -> usize) -> String {
    (0..GENERATED_CODE_LEN)
        .map(|_| CODE_ALPHABET[pick(CODE_ALPHABET.len()) % CODE_ALPHABET.len()] as char)
        .collect()
}

/// An EVM address → its EIP-55 checksum form. All-lower and all-upper hex are accepted as they carry
/// no checksum; mixed case must match the checksum exactly. The zero address is refused.
pub fn normalize_wallet(raw: &str) -> Result<String, AppError> {
    let raw = raw.trim();
    let hex = raw
        .strip_prefix("0x")
        .filter(|h| h.len() == 40 && h.bytes().all(|b| b.is_ascii_hexdigit()))
        .ok_or(AppError::InvalidWallet)?;
    let checksummed = to_checksum(hex);
    if checksummed == ZERO_WALLET {
        return Err(AppError::ZeroWallet);
    }
    let has_lower = hex.bytes().any(|b| b.is_ascii_lowercase());
    let has_upper = hex.bytes().any(|b| b.is_ascii_uppercase());
    if has_lower && has_upper && checksummed[2..] != *hex {
        return Err(AppError::WalletChecksum);
    }
    Ok(checksummed)
}

/// Two spellings of one address (wallet lists compare case-insensitively).
pub fn same_wallet(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// EIP-55: upper-case each hex letter whose nibble in keccak256(lower-case hex) is 8 or more.
fn to_checksum(hex: &str) -> String {
    let lower = hex.to_ascii_lowercase();
    let mut hash = [0u8; 32];
    let mut keccak = Keccak::v256();
    keccak.update(lower.as_bytes());
    keccak.finalize(&mut hash);
    let mut out = String::with_capacity(42);
    out.push_str("0x");
    for (i, c) in lower.chars().enumerate() {
        let nibble = (hash[i / 2] >> (if i % 2 == 0 { 4 } else { 0 })) & 0x0f;
        out.push(if nibble >= 8 {
            c.to_ascii_uppercase()
        } else {
            c
        });
    }
    out
}

/// A label is optional free text, trimmed; blank means none.
pub fn normalize_label(raw: Option<&str>) -> Result<Option<String>, AppError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(l) if l.chars().count() > MAX_LABEL_LEN || l.chars().any(char::is_control) => {
            Err(AppError::InvalidLabel {
                max: MAX_LABEL_LEN as u32,
            })
        }
        Some(l) => Ok(Some(l.to_string())),
    }
}

/// The link a member shares: `<site url>/<locale>/?ref=CODE`.
pub fn share_link(site_url: &str, locale: &str, code: &str) -> String {
    format!(
        "{}/{locale}/?{REF_PARAM}={code}",
        site_url.trim_end_matches('/')
    )
}

/// The well-formed `ref` code of a query string (`a=1&ref=abcd` → `ABCD`), if there is one.
pub fn code_from_query(query: &str) -> Option<String> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == REF_PARAM)
        // A code never needs percent-encoding: the raw value is the code, and `%` makes it malformed.
        .and_then(|(_, v)| normalize_code(v).ok())
}

/// The live code a visitor arrived with, as the server resolved it for one page request. `just_captured`: this
/// very request set the first-touch cookie, so the page counts the visit (once).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invite {
    pub code: String,
    pub just_captured: bool,
}

/// Decimals of the reward token (an ERC-20 with the usual 18).
pub const REWARD_TOKEN_DECIMALS: usize = 18;

/// A token amount in base units (a decimal string) in whole tokens: `1500000000000000000` → `1.5`.
/// Exact (string arithmetic, never f64); anything that is not a plain decimal is shown as it is.
pub fn format_token_amount(base_units: &str, decimals: usize) -> String {
    if base_units.is_empty() || !base_units.bytes().all(|b| b.is_ascii_digit()) {
        return base_units.to_string();
    }
    let digits = base_units.trim_start_matches('0');
    let padded = format!("{digits:0>width$}", width = decimals + 1);
    let (whole, fraction) = padded.split_at(padded.len() - decimals);
    let fraction = fraction.trim_end_matches('0');
    if fraction.is_empty() {
        whole.to_string()
    } else {
        format!("{whole}.{fraction}")
    }
}

/// Whether a code counts: its owner's switch (`active`) and an admin's block (`blocked`), which only an admin lifts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeState {
    Active,
    /// Switched off by its owner.
    Inactive,
    /// Blocked by an admin, whatever its owner's switch says.
    Blocked,
}

impl CodeState {
    pub fn of(active: bool, blocked: bool) -> CodeState {
        match (blocked, active) {
            (true, _) => CodeState::Blocked,
            (false, true) => CodeState::Active,
            (false, false) => CodeState::Inactive,
        }
    }
}

/// A referral code as its owner sees it (`GET /api/refcodes`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Refcode {
    pub code: String,
    pub wallet: String,
    pub label: Option<String>,
    pub active: bool,
    /// Blocked by an admin: it counts for nothing until an admin lifts the block.
    pub blocked: bool,
    pub visits: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// Rewards of one status: how many and their total in the reward token's base units (a decimal string).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RewardTally {
    pub count: i64,
    pub amount_wei: String,
}

/// What one code brought in: visits → signups → paid orders → rewards.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Funnel {
    pub visits: i64,
    pub signups: i64,
    pub orders: i64,
    pub pending: RewardTally,
    pub approved: RewardTally,
    pub minted: RewardTally,
    /// Clawbacks on this code's rewards (refunded after payout) not waived, with what they claw back.
    #[serde(default)]
    pub clawed_back: RewardTally,
}

/// One code on the member page: the code, what it brought in, its share link and that link's QR code
/// (an `<svg>` element drawn by the server).
/// A code after an edit, with the orders whose rewards now pay to its new wallet (`repointedRewards`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EditedCode {
    #[serde(flatten)]
    pub refcode: Refcode,
    pub repointed_rewards: Vec<String>,
}

/// What deleting a code did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Removal {
    Deleted,
    /// It had attributed something, so it stays (inactive) and its history with it.
    Deactivated,
}

/// Everything the member page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefcodesBoard {
    pub cards: Vec<RefcodeCard>,
    pub wallets: Vec<crate::domain::wallet::Wallet>,
    /// Messages issued to prove a wallet, still waiting for a signature.
    pub challenges: Vec<crate::domain::wallet::WalletChallenge>,
    pub max_codes: u32,
    pub cookie_days: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefcodeCard {
    pub refcode: Refcode,
    pub funnel: Funnel,
    pub share_link: String,
    pub qr_svg: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_normalized_to_upper_case() {
        assert_eq!(normalize_code("summer-24").unwrap(), "SUMMER-24");
        assert_eq!(normalize_code("  AbCd ").unwrap(), "ABCD");
        assert_eq!(normalize_code(&"z".repeat(24)).unwrap(), "Z".repeat(24));
    }

    #[test]
    fn malformed_codes_are_refused() {
        for bad in [
            "",
            "abc",
            &"a".repeat(25),
            "ab cd",
            "ab_cd",
            "абвг",
            "<script>",
            "ABCD%20",
            "straße",
        ] {
            assert_eq!(
                normalize_code(bad),
                Err(AppError::InvalidCode { min: 4, max: 24 }),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn generated_codes_are_unambiguous_and_valid() {
        let mut seed = 7usize;
        for _ in 0..200 {
            let code = generate_code(|n| {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (seed >> 33) % n
            });
            assert_eq!(code.len(), GENERATED_CODE_LEN);
            assert_eq!(normalize_code(&code).unwrap(), code);
            assert!(!code.contains(['0', 'O', '1', 'I', 'L']), "{code}");
        }
        assert_eq!(generate_code(|_| 0), "22222222");
        assert_eq!(generate_code(|n| n - 1), "ZZZZZZZZ");
        assert!(!CODE_ALPHABET
            .iter()
            .any(|c| b"0O1IL".contains(c) || c.is_ascii_lowercase()));
    }

    /// The mixed-case examples of the EIP-55 specification.
    const EIP55: [&str; 4] = [
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
        "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
    ];

    #[test]
    fn checksummed_wallets_are_accepted_as_they_are() {
        for w in EIP55 {
            assert_eq!(normalize_wallet(w).unwrap(), w);
        }
    }

    #[test]
    fn single_case_wallets_are_given_their_checksum() {
        for w in EIP55 {
            let hex = &w[2..];
            assert_eq!(
                normalize_wallet(&format!("0x{}", hex.to_ascii_lowercase())).unwrap(),
                w
            );
            assert_eq!(
                normalize_wallet(&format!(" 0x{} ", hex.to_ascii_uppercase())).unwrap(),
                w
            );
        }
        // The all-caps and all-lower examples of the specification.
        assert_eq!(
            normalize_wallet("0x52908400098527886E0F7030069857D2E4169EE7").unwrap(),
            "0x52908400098527886E0F7030069857D2E4169EE7"
        );
        assert_eq!(
            normalize_wallet("0xde709f2102306220921060314715629080e2fb77").unwrap(),
            "0xde709f2102306220921060314715629080e2fb77"
        );
    }

    #[test]
    fn a_broken_checksum_is_refused() {
        // One letter's case flipped in each spec example.
        for w in EIP55 {
            let pos = w[2..].find(|c: char| c.is_ascii_alphabetic()).unwrap() + 2;
            let mut broken = w.to_string();
            let flipped = if w.as_bytes()[pos].is_ascii_uppercase() {
                w[pos..=pos].to_ascii_lowercase()
            } else {
                w[pos..=pos].to_ascii_uppercase()
            };
            broken.replace_range(pos..=pos, &flipped);
            assert_eq!(
                normalize_wallet(&broken),
                Err(AppError::WalletChecksum),
                "{broken}"
            );
        }
    }

    #[test]
    fn malformed_and_zero_wallets_are_refused() {
        for bad in [
            "",
            "0x",
            "5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
            "0X5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe",
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAedd",
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeg",
        ] {
            assert_eq!(
                normalize_wallet(bad),
                Err(AppError::InvalidWallet),
                "{bad:?}"
            );
        }
        assert_eq!(normalize_wallet(ZERO_WALLET), Err(AppError::ZeroWallet));
        assert!(same_wallet(
            "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed",
            EIP55[0]
        ));
    }

    #[test]
    fn labels_are_trimmed_and_bounded() {
        assert_eq!(normalize_label(None).unwrap(), None);
        assert_eq!(normalize_label(Some("   ")).unwrap(), None);
        assert_eq!(
            normalize_label(Some(" Telegram ")).unwrap().as_deref(),
            Some("Telegram")
        );
        assert_eq!(
            normalize_label(Some(&"я".repeat(65))),
            Err(AppError::InvalidLabel { max: 64 })
        );
        assert!(normalize_label(Some("a\nb")).is_err());
    }

    #[test]
    fn token_amounts_are_exact() {
        assert_eq!(format_token_amount("0", 18), "0");
        assert_eq!(format_token_amount("1500000000000000000", 18), "1.5");
        assert_eq!(format_token_amount("1", 18), "0.000000000000000001");
        assert_eq!(
            format_token_amount("123456789000000000000000000", 18),
            "123456789"
        );
        assert_eq!(format_token_amount("n/a", 18), "n/a");
    }

    #[test]
    fn share_links_carry_locale_and_code() {
        assert_eq!(
            share_link("https://ring.example/", "uk", "SUMMER-24"),
            "https://ring.example/uk/?ref=SUMMER-24"
        );
    }

    #[test]
    fn the_ref_parameter_is_found_among_others() {
        assert_eq!(code_from_query("ref=abcd").as_deref(), Some("ABCD"));
        assert_eq!(
            code_from_query("utm_source=x&ref=Summer-24&b=2").as_deref(),
            Some("SUMMER-24")
        );
        assert_eq!(code_from_query("xref=ABCD"), None);
        assert_eq!(code_from_query("ref=AB"), None);
        assert_eq!(code_from_query("ref=%3Cscript%3E"), None);
        assert_eq!(code_from_query("ref"), None);
        assert_eq!(code_from_query(""), None);
    }
}
