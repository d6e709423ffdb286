//! Sign-up and sign-in input rules.
use crate::error::AppError;

pub const MIN_PASSWORD_LEN: u32 = 8;
/// argon2 accepts longer, but hashing megabytes on request is a denial-of-service lever.
pub const MAX_PASSWORD_LEN: u32 = 128;
const MAX_EMAIL_LEN: usize = 254;

/// Trims and lower-cases an email, rejecting anything that is not `local@domain.tld`.
pub fn normalize_email(raw: &str) -> Result<String, AppError> {
    let email = raw.trim().to_lowercase();
    let valid = email.len() <= MAX_EMAIL_LEN
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && match email.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains("..")
            }
            None => false,
        };
    if valid {
        Ok(email)
    } else {
        Err(AppError::InvalidEmail)
    }
}

pub fn check_password(password: &str) -> Result<(), AppError> {
    let len = password.chars().count() as u32;
    if len < MIN_PASSWORD_LEN {
        Err(AppError::ShortPassword {
            min: MIN_PASSWORD_LEN,
        })
    } else if len > MAX_PASSWORD_LEN {
        Err(AppError::LongPassword {
            max: MAX_PASSWORD_LEN,
        })
    } else {
        Ok(())
    }
}

/// Only same-site paths are accepted as a post-sign-in destination (no open redirect),
/// and only printable ASCII (they become a `Location` header; links percent-encode the rest).
pub fn safe_next(next: Option<&str>, fallback: &str) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && path.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            path.to_string()
        }
        _ => fallback.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalized() {
        assert_eq!(
            normalize_email("  Ann@Example.COM ").unwrap(),
            "ann@example.com"
        );
    }

    #[test]
    fn bad_emails_are_rejected() {
        for bad in [
            "",
            "ann",
            "ann@",
            "@example.com",
            "ann@example",
            "a b@example.com",
            "ann@@example.com",
            "ann@.example.com",
            "ann@example..com",
        ] {
            assert_eq!(normalize_email(bad), Err(AppError::InvalidEmail), "{bad:?}");
        }
    }

    #[test]
    fn password_length_is_bounded() {
        assert_eq!(
            check_password("short"),
            Err(AppError::ShortPassword { min: 8 })
        );
        assert!(check_password("long enough").is_ok());
        assert_eq!(
            check_password(&"x".repeat(129)),
            Err(AppError::LongPassword { max: 128 })
        );
    }

    #[test]
    fn next_must_stay_on_site() {
        assert_eq!(safe_next(Some("/uk/refcodes"), "/en/"), "/uk/refcodes");
        assert_eq!(safe_next(Some("//evil.example"), "/en/"), "/en/");
        assert_eq!(safe_next(Some("https://evil.example"), "/en/"), "/en/");
        assert_eq!(safe_next(None, "/en/"), "/en/");
        assert_eq!(safe_next(Some("/en/\r\nSet-Cookie: x"), "/en/"), "/en/");
        assert_eq!(safe_next(Some("/uk/кабінет"), "/uk/"), "/uk/");
    }
}
