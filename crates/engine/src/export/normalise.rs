//! Normalising contact details the way the ad platforms match them, and
//! hashing them (SHA-256, lower-case hex) on the merchant's machine, so an
//! audience file never carries a readable email or phone.

use sha2::{Digest, Sha256};

/// SHA-256 of `text`, lower-case hex.
pub fn sha256_hex(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    let mut hex = String::with_capacity(64);
    for byte in digest {
        hex.push_str(&format!("{byte:02x}"));
    }
    hex
}

/// Trimmed and lower-cased (Meta, Google).
pub fn email(raw: &str) -> Option<String> {
    let e = raw.trim().to_lowercase();
    (e.contains('@') && !e.contains(char::is_whitespace)).then_some(e)
}

/// TikTok: also drops a `+tag` before the `@` (`ann+shop@x.com`).
pub fn email_without_tag(raw: &str) -> Option<String> {
    let e = email(raw)?;
    let (local, domain) = e.split_once('@')?;
    let local = local.split('+').next().unwrap_or(local);
    Some(format!("{local}@{domain}"))
}

/// A phone as digits with the country code and no `+` (Meta, TikTok);
/// `None` when the country code cannot be known (a national number outside
/// North America) rather than a number that would match someone else.
pub fn phone_digits(raw: &str, country: Option<&str>) -> Option<String> {
    let trimmed = raw.trim().trim_start_matches('\'');
    let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return None;
    }
    let international = if trimmed.starts_with('+') {
        digits
    } else if let Some(rest) = digits.strip_prefix("00") {
        rest.to_string()
    } else {
        let north_america =
            country.is_none_or(|c| matches!(c.to_ascii_uppercase().as_str(), "US" | "CA"));
        match digits.len() {
            10 if north_america => format!("1{digits}"),
            11 if north_america && digits.starts_with('1') => digits,
            _ => return None,
        }
    };
    let international = international.trim_start_matches('0').to_string();
    (8..=15)
        .contains(&international.len())
        .then_some(international)
}

/// E.164 with `+` (Google, Klaviyo).
pub fn phone_e164(raw: &str, country: Option<&str>) -> Option<String> {
    phone_digits(raw, country).map(|d| format!("+{d}"))
}

/// Lower-case letters only (Meta `fn`, `ln`, `ct`): no spaces, digits or
/// punctuation; accented letters kept (UTF-8, as Meta asks).
pub fn letters(raw: &str) -> Option<String> {
    let s: String = raw
        .chars()
        .flat_map(char::to_lowercase)
        .filter(|c| c.is_alphabetic())
        .collect();
    (!s.is_empty()).then_some(s)
}

/// Google names: trimmed, lower case, no whitespace.
pub fn name_no_spaces(raw: &str) -> Option<String> {
    let s: String = raw
        .trim()
        .chars()
        .flat_map(char::to_lowercase)
        .filter(|c| !c.is_whitespace())
        .collect();
    (!s.is_empty()).then_some(s)
}

/// Lower case, no spaces; US codes cut to their first five digits.
pub fn zip(raw: &str, country: Option<&str>) -> Option<String> {
    let s: String = raw
        .trim()
        .trim_start_matches('\'')
        .chars()
        .flat_map(char::to_lowercase)
        .filter(|c| !c.is_whitespace())
        .collect();
    if s.is_empty() {
        return None;
    }
    if country.is_some_and(|c| c.eq_ignore_ascii_case("US"))
        && s.len() > 5
        && s[..5].chars().all(|c| c.is_ascii_digit())
    {
        return Some(s[..5].to_string());
    }
    Some(s)
}

/// An ISO 3166-1 alpha-2 code, lower case; `None` for anything else.
pub fn country(raw: &str) -> Option<String> {
    let s = raw.trim();
    (s.len() == 2 && s.chars().all(|c| c.is_ascii_alphabetic())).then(|| s.to_ascii_lowercase())
}

/// A US state code, lower case (Meta `st`).
pub fn state(raw: &str) -> Option<String> {
    country(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_known_vectors() {
        // FIPS 180-2 "abc", and values hashed with Python's hashlib.
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            sha256_hex(&email(" Ann@Example.com ").expect("email")),
            "71d4f55f72fa128dfb468a1a3901507c804b74316488744d769d7f4b16696476"
        );
        assert_eq!(
            sha256_hex(&phone_digits("'+15035550101", None).expect("phone")),
            "31f5f449920dc4df035eae25596f63cb79fec1a5f7c0a2b428159864575d693c"
        );
        assert_eq!(
            sha256_hex(&phone_e164("(503) 555-0101", Some("US")).expect("phone")),
            "f2ec1a9e432ee94f21a4f5f203a675d6f067d080572a1e8628a9597ebe7d0015"
        );
        assert_eq!(
            sha256_hex(&letters("Ann").expect("fn")),
            "49915e0d7d4b402e3017d010bc1c0e83cac6c797d6c16e66340fe3268693a6a1"
        );
        assert_eq!(
            sha256_hex(&zip("'97205-1234", Some("US")).expect("zip")),
            "4c4e4440774fdbe7fe21211af6cde061a2959db76aa03ff23ec1a91477935207"
        );
    }

    #[test]
    fn normalises_as_each_platform_asks() {
        assert_eq!(
            email_without_tag("Ann+Shop@Example.com").as_deref(),
            Some("ann@example.com")
        );
        assert_eq!(email("not an email"), None);
        assert_eq!(
            phone_digits("0044 20 7946 0958", None).as_deref(),
            Some("442079460958")
        );
        assert_eq!(
            phone_digits("020 7946 0958", Some("GB")),
            None,
            "no country code: left out"
        );
        assert_eq!(
            phone_digits("503-555-0101", Some("CA")).as_deref(),
            Some("15035550101")
        );
        assert_eq!(
            phone_e164("+49 30 1234567", None).as_deref(),
            Some("+49301234567")
        );
        assert_eq!(letters("O'Brien-Smith").as_deref(), Some("obriensmith"));
        assert_eq!(letters("José").as_deref(), Some("josé"));
        assert_eq!(letters("New York").as_deref(), Some("newyork"));
        assert_eq!(name_no_spaces(" Mary Ann ").as_deref(), Some("maryann"));
        assert_eq!(zip("SW1A 1AA", Some("GB")).as_deref(), Some("sw1a1aa"));
        assert_eq!(country("US").as_deref(), Some("us"));
        assert_eq!(country("United States"), None);
    }
}
