//! The one error type that crosses the wire. Its `code` is stable (pages translate it,
//! JSON clients branch on it); internals never travel in it.
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "error", content = "detail", rename_all = "snake_case")]
pub enum AppError {
    #[error("enter a valid email address, like name@example.com")]
    InvalidEmail,
    #[error("the password must have at least {min} characters")]
    ShortPassword { min: u32 },
    #[error("the password must have at most {max} characters")]
    LongPassword { max: u32 },
    #[error("an account with this email already exists; sign in instead")]
    EmailTaken,
    #[error("the email or password is wrong")]
    WrongCredentials,
    #[error("too many failed attempts; try again in {retry_minutes} minutes")]
    TooManyAttempts { retry_minutes: u32 },
    #[error("sign in to continue")]
    Unauthorized,
    #[error("this needs an administrator account")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("the request is malformed: {0}")]
    BadRequest(String),
    #[error("something went wrong on our side; try again in a moment")]
    Internal,
    #[error("the server could not be reached: {0}")]
    Transport(String),
}

impl AppError {
    /// Stable machine-readable code, as in `{"error": "<code>"}`.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::InvalidEmail => "invalid_email",
            AppError::ShortPassword { .. } => "short_password",
            AppError::LongPassword { .. } => "long_password",
            AppError::EmailTaken => "email_taken",
            AppError::WrongCredentials => "wrong_credentials",
            AppError::TooManyAttempts { .. } => "too_many_attempts",
            AppError::Unauthorized => "unauthorized",
            AppError::Forbidden => "forbidden",
            AppError::NotFound => "not_found",
            AppError::BadRequest(_) => "bad_request",
            AppError::Internal => "internal",
            AppError::Transport(_) => "transport",
        }
    }

    pub fn status(&self) -> u16 {
        match self {
            AppError::InvalidEmail
            | AppError::ShortPassword { .. }
            | AppError::LongPassword { .. }
            | AppError::BadRequest(_) => 400,
            AppError::Unauthorized | AppError::WrongCredentials => 401,
            AppError::Forbidden => 403,
            AppError::NotFound => 404,
            AppError::EmailTaken => 409,
            AppError::TooManyAttempts { .. } => 429,
            AppError::Internal => 500,
            AppError::Transport(_) => 502,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(msg) | ServerFnErrorErr::Deserialization(msg) => {
                AppError::BadRequest(msg)
            }
            other => AppError::Transport(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_statuses_are_client_errors_for_bad_input() {
        for e in [
            AppError::InvalidEmail,
            AppError::ShortPassword { min: 8 },
            AppError::EmailTaken,
            AppError::WrongCredentials,
        ] {
            assert!((400..500).contains(&e.status()), "{e:?}");
        }
        assert_eq!(
            AppError::TooManyAttempts { retry_minutes: 3 }.code(),
            "too_many_attempts"
        );
    }

    #[test]
    fn round_trips_through_json() {
        let e = AppError::ShortPassword { min: 8 };
        let json = serde_json::to_string(&e).unwrap();
        assert_eq!(serde_json::from_str::<AppError>(&json).unwrap(), e);
    }
}
