//! A URL whose path or query carries a percent-encoded control character (`%00`–`%1F`, `%7F`) is refused with
//! 400 before any handler runs: no id, code, reference or filter holds one, and PostgreSQL refuses a NUL in text,
//! which would otherwise surface as a 500.
use crate::error::AppError;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub async fn refuse(req: Request, next: Next) -> Response {
    let carries = req
        .uri()
        .path_and_query()
        .is_some_and(|pq| encodes_control(pq.as_str()));
    if carries {
        return AppError::BadRequest("the URL carries a control character".into()).into_response();
    }
    next.run(req).await
}

/// Whether `raw` holds `%XX` for a control character.
pub fn encodes_control(raw: &str) -> bool {
    raw.as_bytes().windows(3).any(|w| {
        let hex = |b: u8| (b as char).to_digit(16);
        match (w[0], hex(w[1]), hex(w[2])) {
            (b'%', Some(hi), Some(lo)) => matches!(hi * 16 + lo, 0x00..=0x1f | 0x7f),
            _ => false,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_control_characters_are_found_anywhere_in_the_url() {
        for bad in [
            "/api/admin/rewards/%00/approve",
            "/x?search=a%0Ab",
            "/x?q=%7f",
            "/%1F",
        ] {
            assert!(encodes_control(bad), "{bad}");
        }
        for good in [
            "/api/admin/rewards/abc/approve",
            "/x?search=a%20b",
            "/uk/store?ref=SUMMER%2D24",
            "/%",
            "/%2",
        ] {
            assert!(!encodes_control(good), "{good}");
        }
    }
}
