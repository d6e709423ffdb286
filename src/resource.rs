//! Resources as every page creates them: loaded during the server render and handed to the hydrating browser as
//! JSON, decoded from bytes exactly as server function answers are. With leptos' default codec (JSON decoded from
//! `&str`) the browser carried a second JSON decoder for every type that travels both ways.
use leptos::prelude::*;
use leptos::server::codee::{Decoder, Encoder};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::future::Future;

pub struct ByteJson;

impl<T: Serialize> Encoder<T> for ByteJson {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(val: &T) -> Result<String, serde_json::Error> {
        serde_json::to_string(val)
    }
}

impl<T: DeserializeOwned> Decoder<T> for ByteJson {
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(val: &str) -> Result<T, serde_json::Error> {
        serde_json::from_slice(val.as_bytes())
    }
}

pub type Loaded<T> = Resource<T, ByteJson>;

/// A resource the page renders around (`Suspense`/`Transition`); the HTML streams while it loads.
#[track_caller]
pub fn load<T, S, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetcher: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> Loaded<T>
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    S: PartialEq + Clone + Send + Sync + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    Resource::new_with_options(source, fetcher, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_encoded_decodes_to_the_same_value() {
        let value: Result<Option<(String, u32)>, String> = Ok(Some(("Київ".into(), 3)));
        let encoded = <ByteJson as Encoder<_>>::encode(&value).unwrap();
        let decoded: Result<Option<(String, u32)>, String> = ByteJson::decode(&encoded).unwrap();
        assert_eq!(decoded, value);
        assert!(<ByteJson as Decoder<u32>>::decode("not json").is_err());
    }
}
