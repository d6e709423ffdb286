//! Who signed a text message: EIP-191 `personal_sign` recovery, for the payout-wallet proofs of the app
//! (`src/server/accounts/wallets/` in the app crate). Pure: no provider, no network.
use alloy::primitives::{hex, Address, Signature};

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("a signature is 65 bytes written as 130 hex digits (0x optional)")]
    Malformed,
    #[error("no signer can be recovered from this signature for this message")]
    Unrecoverable,
}

/// The address whose key produced `signature` (r ‖ s ‖ v, v as 27/28 or 0/1) over `message` as `personal_sign`
/// signs it: keccak256("\x19Ethereum Signed Message:\n" ‖ len ‖ message).
pub fn personal_signer(message: &str, signature: &str) -> Result<Address, SignatureError> {
    let bytes = hex::decode(signature.trim()).map_err(|_| SignatureError::Malformed)?;
    let signature = Signature::try_from(bytes.as_slice()).map_err(|_| SignatureError::Malformed)?;
    signature
        .recover_address_from_msg(message.as_bytes())
        .map_err(|_| SignatureError::Unrecoverable)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct Vectors {
        vectors: Vec<Vector>,
    }

    #[derive(Deserialize)]
    struct Vector {
        message: String,
        address: Address,
        signature: String,
    }

    /// Produced by another implementation (ethers.js); see `fixtures/personal_sign_vectors.js`.
    fn vectors() -> Vec<Vector> {
        let raw = include_str!("../fixtures/personal_sign_vectors.json");
        serde_json::from_str::<Vectors>(raw).unwrap().vectors
    }

    #[test]
    fn recovers_the_signer_of_independently_signed_messages() {
        let vectors = vectors();
        assert_eq!(vectors.len(), 3);
        for v in vectors {
            assert_eq!(
                personal_signer(&v.message, &v.signature),
                Ok(v.address),
                "{:?}",
                v.message
            );
        }
    }

    #[test]
    fn a_changed_message_recovers_someone_else() {
        let v = &vectors()[0];
        let tampered = v.message.replace("Chain ID: 1", "Chain ID: 10");
        assert_ne!(personal_signer(&tampered, &v.signature), Ok(v.address));
    }

    #[test]
    fn malformed_signatures_are_refused() {
        let v = &vectors()[1];
        for bad in [
            "",
            "0x",
            "zz",
            &v.signature[..v.signature.len() - 2],
            "0x1234",
        ] {
            assert_eq!(
                personal_signer(&v.message, bad),
                Err(SignatureError::Malformed),
                "{bad}"
            );
        }
        let unprefixed = v.signature.trim_start_matches("0x");
        assert_eq!(personal_signer(&v.message, unprefixed), Ok(v.address));
    }
}
