"""Notarization: a tamper-evident transparency log (RFC 9162 Merkle tree, C2SP signed checkpoints,
witness cosignatures, receipts and forensics)."""
