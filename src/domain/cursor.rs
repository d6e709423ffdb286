//! Keyset paging of newest-first lists: a position is the last row's time and id.
use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub id: String,
}

impl Cursor {
    pub fn encode(&self) -> String {
        format!("{}_{}", self.created_at.timestamp_micros(), self.id)
    }

    pub fn decode(raw: &str) -> Option<Cursor> {
        let (micros, id) = raw.split_once('_')?;
        let created_at = chrono::DateTime::from_timestamp_micros(micros.parse().ok()?)?;
        (!id.is_empty()).then(|| Cursor {
            created_at,
            id: id.to_string(),
        })
    }

    /// A cursor as a request carries it: absent or empty is the first page; anything else must be one we made.
    pub fn from_param(raw: Option<&str>) -> Result<Option<Cursor>, AppError> {
        raw.filter(|c| !c.is_empty())
            .map(|c| {
                Cursor::decode(c).ok_or_else(|| {
                    AppError::BadRequest("the cursor is not one this server made".into())
                })
            })
            .transpose()
    }
}

/// Cuts rows fetched with one more than `size` down to a page, and returns where the next page starts (none on
/// the last page).
pub fn cut_page<T>(
    rows: &mut Vec<T>,
    size: usize,
    position: impl Fn(&T) -> Cursor,
) -> Option<String> {
    let more = rows.len() > size;
    rows.truncate(size);
    more.then(|| rows.last().map(|r| position(r).encode()))
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(micros: i64, id: &str) -> Cursor {
        Cursor {
            created_at: chrono::DateTime::from_timestamp_micros(micros).unwrap(),
            id: id.into(),
        }
    }

    #[test]
    fn cursors_round_trip_and_garbage_is_none() {
        let c = at(1_700_000_000_123_456, "a-b_c");
        assert_eq!(Cursor::decode(&c.encode()), Some(c));
        for bad in ["", "x_y", "123", "123_", "_id"] {
            assert_eq!(Cursor::decode(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_request_without_a_cursor_starts_at_the_top_and_a_foreign_one_is_a_bad_request() {
        assert_eq!(Cursor::from_param(None), Ok(None));
        assert_eq!(Cursor::from_param(Some("")), Ok(None));
        assert_eq!(Cursor::from_param(Some("5_r1")), Ok(Some(at(5, "r1"))));
        assert!(matches!(
            Cursor::from_param(Some("nonsense")),
            Err(AppError::BadRequest(_))
        ));
    }

    #[test]
    fn a_page_is_cut_to_size_and_points_past_its_last_row_only_when_more_follow() {
        let position = |n: &i64| at(*n, &n.to_string());
        let mut rows = vec![9, 8, 7];
        assert_eq!(cut_page(&mut rows, 2, position), Some("8_8".into()));
        assert_eq!(rows, [9, 8]);
        let mut last = vec![2, 1];
        assert_eq!(cut_page(&mut last, 2, position), None);
        assert_eq!(last, [2, 1]);
    }
}
