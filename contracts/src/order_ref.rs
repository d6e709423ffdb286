//! `orderRef = keccak256(bytes(orderReference))`: the key under which the contract records a paid order.

use alloy::primitives::{keccak256, B256};

/// The on-chain key of an order: keccak-256 of the UTF-8 bytes of the order reference, exactly as Solidity's
/// `keccak256(bytes(orderReference))`. Pure; no normalisation (case and whitespace matter).
pub fn order_ref(order_reference: &str) -> B256 {
    keccak256(order_reference.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::primitives::b256;

    // Vectors computed independently with PyCryptodome 3.23 (Keccak-256, not NIST SHA3-256):
    //   python3 -m venv /tmp/kvenv && /tmp/kvenv/bin/pip install pycryptodome
    //   /tmp/kvenv/bin/python -c 'from Crypto.Hash import keccak; import sys
    //   for s in ["", "ORD-1001", "order-2024-000123", "Замовлення №7"]:
    //       h = keccak.new(digest_bits=256); h.update(s.encode()); print(repr(s), "0x" + h.hexdigest())'
    #[test]
    fn matches_independent_keccak() {
        assert_eq!(
            order_ref(""),
            b256!("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
        );
        assert_eq!(
            order_ref("ORD-1001"),
            b256!("7ed6ea1ce5fd53cdacdb4f1242007d3c35a698817d3d1c12efad47a2a12f5f69")
        );
        assert_eq!(
            order_ref("order-2024-000123"),
            b256!("4c6d9cc93025477dc256fa07e43e3dcc7bca0eecd3af4dd60ebd1ca38c76d586")
        );
        assert_eq!(
            order_ref("Замовлення №7"),
            b256!("4cd5feb2c7f837897e5473b11ac7d32907222a5f8ff9c4ee62f462e2fc9a730a")
        );
    }

    #[test]
    fn is_case_sensitive() {
        assert_ne!(order_ref("ord-1001"), order_ref("ORD-1001"));
    }
}
