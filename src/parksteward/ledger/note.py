"""Signed notes: text signed by one or more keys (c2sp.org/signed-note).

A signed note is the envelope for everything the ledger publishes: the log signs its
checkpoints (tree heads) as notes, and witnesses add cosignature lines to the same note.
The format is plain text, so a checkpoint can be pasted into a ticket or printed on a receipt
and still be verified offline::

    envlog.park.example/2026
    20852163
    CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=

    — envlog.park.example/2026 Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4UR...
    — regulator.example/witness jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5O...

The *text* (here the checkpoint body) ends in a newline; a blank line separates it from one
or more *signature lines* ``— <key name> <base64(key ID || signature)>`` (the dash is the em
dash U+2014). The signed message is the text including its final newline and excluding the
blank line. A key is identified by its name together with a 4-byte *key ID*::

    key ID = SHA-256(key name || 0x0A || signature type || public key)[:4]

Keys travel as text too. A verifier key ("vkey") is ``<name>+<8 hex key ID>+<base64(type ||
public key)>``; a signer key ("skey") is ``PRIVATE+KEY+<name>+<8 hex key ID>+<base64(type ||
seed)>``, the format of Go's ``golang.org/x/mod/sumdb/note``, so keys made here work with
the Go tools and the other way round.

Two signature types are implemented, both Ed25519 (RFC 8032):

* ``0x01`` — a plain note signature over the text (:class:`Signer`, :class:`Verifier`);
* ``0x04`` — a timestamped witness cosignature (c2sp.org/tlog-cosignature): the signed
  message is ``cosignature/v1\\ntime <timestamp>\\n`` followed by the text, and the signature
  line carries ``u64 big-endian timestamp || signature`` (:class:`CosignatureSigner`,
  :class:`CosignatureVerifier`). The timestamp says *when* the witness saw this tree head.

:func:`open_note` applies the verifier rules of the spec:

* the message is valid UTF-8, ends in a newline and has no control character but newline;
* signature lines whose (name, key ID) is not known are ignored, but kept in
  :attr:`Note.unknown` so cosignatures can be checked later against another trust list;
* a known key whose signature fails rejects the whole note (even if another key verifies);
* a note that no known key verifies is rejected;
* the number of signatures and the message size are capped (at least 16 signatures are
  always accepted, as the spec requires).

Every rejection is a subclass of :class:`NoteError` whose message says what was wrong, for
example ``signature by envlog.example/2026 (key id 1a2b3c4d) does not verify``.

Differences from Go's ``sumdb/note``, all stricter and none affecting notes Go produces:
every signature line of a known key is verified (Go checks only the first per key); base64
must be canonical (unused low bits zero); key names may not contain control characters
(DEL, C1) either; a verifier list holding two *different* keys with the same name and key
ID is an error whenever that pair signs (the same key listed twice is not).

References
----------
C2SP signed-note, https://c2sp.org/signed-note (v1.0.0).
C2SP tlog-cosignature, https://c2sp.org/tlog-cosignature (Ed25519 type 0x04).
Go implementation, golang.org/x/mod/sumdb/note (``note.go``), whose published test vectors
are reproduced in ``tests/ledger/test_note.py``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import struct
import time
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

# Signature type bytes (c2sp.org/signed-note, "Signature types").
ED25519 = 0x01
ED25519_COSIGNATURE = 0x04

EM_DASH = "\u2014"
SIGNATURE_PREFIX = EM_DASH + " "
COSIGNATURE_HEADER = "cosignature/v1\n"

# The spec says verifiers MUST accept at least 16 signatures; Go's note.Open stops at 100.
MIN_SIGNATURES_ACCEPTED = 16
MAX_SIGNATURES = 100
# A checkpoint is ~100 bytes and an Ed25519 signature line ~100 more; 1 MiB leaves room
# for 100 post-quantum signatures (up to ~5 kB each) while bounding what a client parses.
MAX_NOTE_BYTES = 1 << 20

_SEED_SIZE = 32
_PUBLIC_KEY_SIZE = 32
_ED25519_SIGNATURE_SIZE = 64
_TIMESTAMP_SIZE = 8
_MAX_TIMESTAMP = 2**63 - 1  # tlog-cosignature: "It MUST NOT exceed 2^63 - 1"
_HEX_KEY_ID = re.compile(r"[0-9a-fA-F]{8}")  # Go's ParseUint(…, 16, 32) accepts either case
# The spec forbids ASCII control characters (below U+0020) other than newline.
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f]")


# --------------------------------------------------------------------------------------
# Errors


class NoteError(ValueError):
    """Base class of every error raised for a malformed or unverifiable note or key."""


class InvalidKeyError(NoteError):
    """A verifier key, signer key or key name is malformed or inconsistent."""


class InvalidKeyNameError(InvalidKeyError):
    """A key name is empty, has a space, a ``+`` or a control character."""


class UnsupportedKeyTypeError(InvalidKeyError):
    """A key uses a signature type this module does not implement."""


class KeyIdMismatchError(InvalidKeyError):
    """The key ID written in a key does not match the one computed from its name and key."""


class MalformedNoteError(NoteError):
    """The message does not have the syntax of a signed note."""


class NoteTooLargeError(MalformedNoteError):
    """The message is longer than the configured cap."""


class TooManySignaturesError(MalformedNoteError):
    """The message has more signature lines than the configured cap."""


class InvalidCharacterError(MalformedNoteError):
    """The message is not UTF-8, or has a control character other than newline."""


class MissingSignaturesError(MalformedNoteError):
    """There is no blank line followed by signature lines."""


class SignatureLineError(MalformedNoteError):
    """A line of the signature block is not ``— <name> <base64>``."""


class InvalidSignatureError(NoteError):
    """A signature by a known key does not verify; the whole note is rejected."""

    def __init__(self, message: str, name: str, key_id: int):
        super().__init__(message)
        self.name = name
        self.key_id = key_id


class AmbiguousKeyError(NoteError):
    """Two different known keys share the name and key ID of a signature line."""


class UnverifiedNoteError(NoteError):
    """No known key signed the note. :attr:`note` holds the parsed text and the unknown signatures."""

    def __init__(self, message: str, note: Note):
        super().__init__(message)
        self.note = note


# --------------------------------------------------------------------------------------
# Key names and key IDs


def check_key_name(name: str) -> str:
    """Return ``name`` if it is a valid key name, else raise :class:`InvalidKeyNameError`.

    A key name is non-empty and has no Unicode space and no ``+`` (the spec), and here also
    no control character, so that it prints safely. Names are best schema-less URLs such as
    ``envlog.park.example/2026``; they need not be reachable.
    """
    if not isinstance(name, str) or name == "":
        raise InvalidKeyNameError("key name is empty")
    for ch in name:
        if ch.isspace():
            raise InvalidKeyNameError(f"key name {name!r} contains a space ({_codepoint(ch)})")
        if ch == "+":
            raise InvalidKeyNameError(f"key name {name!r} contains '+', which separates the fields of a key")
        if unicodedata.category(ch) in ("Cc", "Cs"):
            # Cs: lone surrogates cannot be encoded as UTF-8.
            raise InvalidKeyNameError(f"key name {name!r} contains the control character {_codepoint(ch)}")
    return name


def key_id(name: str, sig_type: int, public_key: bytes) -> int:
    """Key ID of a key: the first 4 bytes, big-endian, of SHA-256(name || 0x0A || type || key).

    The type byte is part of the hash, so one Ed25519 key used as a note signer (0x01) and as
    a cosigner (0x04) has two different key IDs and a signature of one kind is never checked
    as the other.
    """
    digest = hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([sig_type]) + public_key).digest()
    return int.from_bytes(digest[:4], "big")


def format_key_id(kid: int) -> str:
    """Key ID as the 8 lower-case hex digits used in key texts and messages."""
    return f"{kid:08x}"


def _codepoint(ch: str) -> str:
    return f"U+{ord(ch):04X}"


def _b64decode(text: str) -> bytes:
    """Standard base64 (RFC 4648 §4) with padding, in its canonical form only.

    Besides characters outside the alphabet, this rejects encodings whose unused low bits
    are not zero (RFC 4648 §3.5 allows decoders to): otherwise flipping such a bit in a
    signature line gives a different note that still verifies. Go and this module only
    ever write the canonical form.
    """
    raw = base64.b64decode(text.encode("ascii"), validate=True)
    if base64.b64encode(raw).decode("ascii") != text:
        raise ValueError("non-canonical base64")
    return raw


# --------------------------------------------------------------------------------------
# Verifiers


class Verifier:
    """Checks plain Ed25519 note signatures (type 0x01) by one key.

    Parameters
    ----------
    name : str
        The key name, as it appears in signature lines.
    public_key : bytes or Ed25519PublicKey
        The 32-byte Ed25519 public key.

    Use :func:`parse_vkey` to build one from a verifier key text.
    """

    sig_type = ED25519
    signature_size = _ED25519_SIGNATURE_SIZE  # bytes after the key ID in a signature line
    kind = "Ed25519 note signature"

    def __init__(self, name: str, public_key: bytes | Ed25519PublicKey):
        self.name = check_key_name(name)
        if isinstance(public_key, Ed25519PublicKey):
            public_key = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        if len(public_key) != _PUBLIC_KEY_SIZE:
            raise InvalidKeyError(f"Ed25519 public key of {name} is {len(public_key)} bytes; expected 32")
        self.public_key = bytes(public_key)
        self.key_id = key_id(self.name, self.sig_type, self.public_key)
        self._key = Ed25519PublicKey.from_public_bytes(self.public_key)

    def vkey(self) -> str:
        """The verifier key text ``<name>+<key id>+<base64(type || public key)>``."""
        material = base64.b64encode(bytes([self.sig_type]) + self.public_key).decode("ascii")
        return f"{self.name}+{format_key_id(self.key_id)}+{material}"

    def message(self, text: bytes, signature: bytes) -> bytes:
        """The bytes the signature covers: for a plain note signature, the text itself."""
        return text

    def verify(self, text: bytes, signature: bytes) -> bool:
        """Whether ``signature`` (the bytes after the key ID) is a valid signature of ``text``."""
        if len(signature) != self.signature_size:
            return False
        try:
            self._key.verify(signature[-_ED25519_SIGNATURE_SIZE:], self.message(text, signature))
        except InvalidSignature:
            return False
        return True

    def timestamp(self, signature: bytes) -> int | None:
        """The time a signature claims to be made; plain note signatures carry none."""
        return None

    def describe(self) -> str:
        return f"{self.name} (key id {format_key_id(self.key_id)})"

    def _identity(self) -> tuple:
        return (self.sig_type, self.name, self.public_key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Verifier) and self._identity() == other._identity()

    def __hash__(self) -> int:
        return hash(self._identity())

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.vkey()!r})"


class CosignatureVerifier(Verifier):
    """Checks timestamped Ed25519 witness cosignatures (type 0x04, c2sp.org/tlog-cosignature).

    The signature bytes of a cosignature line are ``u64 big-endian timestamp || Ed25519
    signature`` and the signed message is ``cosignature/v1\\ntime <timestamp>\\n`` followed by
    the note text (the checkpoint body). :meth:`timestamp` returns the timestamp, which
    :func:`open_note` records on the verified :class:`Signature`.
    """

    sig_type = ED25519_COSIGNATURE
    signature_size = _TIMESTAMP_SIZE + _ED25519_SIGNATURE_SIZE
    kind = "Ed25519 cosignature"

    def message(self, text: bytes, signature: bytes) -> bytes:
        return cosignature_message(self.timestamp(signature), text)

    def verify(self, text: bytes, signature: bytes) -> bool:
        if len(signature) != self.signature_size or self.timestamp(signature) > _MAX_TIMESTAMP:
            return False
        return super().verify(text, signature)

    def timestamp(self, signature: bytes) -> int:
        (stamp,) = struct.unpack(">Q", signature[:_TIMESTAMP_SIZE])
        return stamp


def cosignature_message(timestamp: int, text: bytes | str) -> bytes:
    """The message an Ed25519 cosignature signs: header line, time line, then the note text.

    >>> cosignature_message(1679315147, "example.com/behind-the-sofa\\n20852163\\nCsUY...=\\n")
    b'cosignature/v1\\ntime 1679315147\\nexample.com/behind-the-sofa\\n20852163\\nCsUY...=\\n'
    """
    if isinstance(text, str):
        text = text.encode("utf-8")
    # "time", one space, the timestamp in ASCII decimal without leading zeros.
    return f"{COSIGNATURE_HEADER}time {timestamp}\n".encode("ascii") + text


def cosignature_timestamp(signature: Signature | bytes) -> int:
    """The timestamp inside an Ed25519 cosignature, without verifying it.

    For showing when an unknown witness claims to have cosigned; trust only timestamps of
    signatures :func:`open_note` verified (:attr:`Signature.timestamp`).
    """
    payload = signature.signature if isinstance(signature, Signature) else bytes(signature)
    if len(payload) != CosignatureVerifier.signature_size:
        raise NoteError(
            f"signature is {len(payload)} bytes after the key id; an Ed25519 cosignature is "
            f"{CosignatureVerifier.signature_size} (8-byte timestamp and 64-byte signature)"
        )
    (stamp,) = struct.unpack(">Q", payload[:_TIMESTAMP_SIZE])
    return stamp


_VERIFIER_TYPES: dict[int, type[Verifier]] = {ED25519: Verifier, ED25519_COSIGNATURE: CosignatureVerifier}


def parse_vkey(vkey: str) -> Verifier:
    """Build a verifier from a verifier key text ``<name>+<8 hex key id>+<base64(type || key)>``.

    Returns a :class:`Verifier` for type 0x01 and a :class:`CosignatureVerifier` for 0x04.

    Raises
    ------
    InvalidKeyError
        The text is malformed, the key has the wrong length, or the key ID written in the
        text is not the one computed from the name and key (:class:`KeyIdMismatchError`);
        :class:`UnsupportedKeyTypeError` for any other type byte.
    """
    if not isinstance(vkey, str):
        raise InvalidKeyError(f"verifier key must be text, not {type(vkey).__name__}")
    name, kid, material = _split_key_fields(vkey, f"verifier key {_shorten(vkey)}")
    if len(material) < 1:
        raise InvalidKeyError(f"verifier key {_shorten(vkey)} has no key material")
    sig_type, public_key = material[0], material[1:]
    cls = _VERIFIER_TYPES.get(sig_type)
    if cls is None:
        raise UnsupportedKeyTypeError(
            f"verifier key {name}+{format_key_id(kid)} has signature type 0x{sig_type:02x}; "
            "supported: 0x01 (Ed25519 note signature), 0x04 (Ed25519 cosignature)"
        )
    if len(public_key) != _PUBLIC_KEY_SIZE:
        raise InvalidKeyError(
            f"verifier key {name}+{format_key_id(kid)} has a {len(public_key)}-byte public key; Ed25519 keys are 32"
        )
    verifier = cls(name, public_key)
    if verifier.key_id != kid:
        raise KeyIdMismatchError(
            f"verifier key {name}+{format_key_id(kid)} does not match its key: the key id computed "
            f"from the name and key is {format_key_id(verifier.key_id)}"
        )
    return verifier


def _split_key_fields(text: str, what: str) -> tuple[str, int, bytes]:
    """Split ``<name>+<hex id>+<base64>`` into its parts, checking only their syntax.

    ``what`` names the key in messages ("verifier key 'a+…'"); it never quotes a private key.
    """
    parts = text.split("+", 2)
    if len(parts) != 3:
        raise InvalidKeyError(f"{what} is not <name>+<8 hex digits>+<base64 key>")
    name, hex_id, b64 = parts
    try:
        check_key_name(name)
    except InvalidKeyNameError as exc:
        raise InvalidKeyNameError(f"{what}: {exc}") from None
    if not _HEX_KEY_ID.fullmatch(hex_id):
        raise InvalidKeyError(f"{what}: key id {hex_id!r} is not 8 hex digits")
    try:
        material = _b64decode(b64)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise InvalidKeyError(f"{what}: key material is not valid (canonical) base64") from None
    return name, int(hex_id, 16), material


def _shorten(text: str, limit: int = 60) -> str:
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


# --------------------------------------------------------------------------------------
# Signers


class Signer:
    """Signs notes with an Ed25519 key as a plain note signature (type 0x01).

    Parameters
    ----------
    name : str
        The key name written in signature lines.
    private_key : bytes or Ed25519PrivateKey
        The 32-byte Ed25519 seed, or a ``cryptography`` private key.

    Use :func:`parse_skey` to build one from a signer key text, :func:`generate_key` for a
    new key pair.
    """

    sig_type = ED25519
    verifier_class: type[Verifier] = Verifier

    def __init__(self, name: str, private_key: bytes | Ed25519PrivateKey):
        self.name = check_key_name(name)
        if isinstance(private_key, Ed25519PrivateKey):
            seed = private_key.private_bytes(
                serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
            )
        else:
            seed = bytes(private_key)
        if len(seed) != _SEED_SIZE:
            raise InvalidKeyError(f"Ed25519 private key of {name} is {len(seed)} bytes; expected a 32-byte seed")
        self._seed = seed
        self._key = Ed25519PrivateKey.from_private_bytes(seed)
        public = self._key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self.public_key = public
        self.key_id = key_id(self.name, self.sig_type, public)

    def verifier(self) -> Verifier:
        """The verifier that checks this signer's signatures."""
        return self.verifier_class(self.name, self.public_key)

    def vkey(self) -> str:
        return self.verifier().vkey()

    def skey(self) -> str:
        """The signer key text ``PRIVATE+KEY+<name>+<key id>+<base64(type || seed)>``. Keep it secret."""
        material = base64.b64encode(bytes([self.sig_type]) + self._seed).decode("ascii")
        return f"PRIVATE+KEY+{self.name}+{format_key_id(self.key_id)}+{material}"

    def sign(self, text: bytes) -> bytes:
        """Signature bytes (without the key ID) over the note text ``text``."""
        return self._key.sign(text)

    def __repr__(self) -> str:
        # Never the seed: reprs end up in logs.
        return f"{type(self).__name__}(name={self.name!r}, key_id={format_key_id(self.key_id)})"


class CosignatureSigner(Signer):
    """Signs checkpoints as a witness: timestamped Ed25519 cosignatures (type 0x04).

    Parameters
    ----------
    name : str
        The cosigner name (a schema-less URL identifying the witness). The Ed25519 message
        does not commit to the name, so a witness needs one key per cosigner name.
    private_key : bytes or Ed25519PrivateKey
        The 32-byte Ed25519 seed, or a ``cryptography`` private key.
    clock : callable, optional
        Returns the current POSIX time in seconds; defaults to :func:`time.time`. Tests pass
        a fixed clock to get reproducible signatures.
    """

    sig_type = ED25519_COSIGNATURE
    verifier_class = CosignatureVerifier

    def __init__(self, name: str, private_key: bytes | Ed25519PrivateKey, clock: Callable[[], float] | None = None):
        super().__init__(name, private_key)
        self._clock = clock or time.time

    def sign(self, text: bytes) -> bytes:
        """``u64 big-endian timestamp || Ed25519 signature`` over the cosignature message."""
        timestamp = int(self._clock())
        if not 0 <= timestamp <= _MAX_TIMESTAMP:
            raise ValueError(f"cosignature timestamp {timestamp} is outside 0 … 2^63-1")
        return struct.pack(">Q", timestamp) + self._key.sign(cosignature_message(timestamp, text))

    @classmethod
    def from_skey(cls, skey: str, clock: Callable[[], float] | None = None) -> CosignatureSigner:
        """A cosigner from a signer key text of type 0x04, or of type 0x01 (the same seed reused).

        Accepting a plain Ed25519 signer key lets an operator create the witness key with the
        Go ``note`` tools; the cosigner's key ID is then computed with type 0x04, as the spec
        requires, so its vkey differs from the note vkey.
        """
        signer = parse_skey(skey)
        return cls(signer.name, signer._seed, clock=clock)


_SIGNER_TYPES: dict[int, type[Signer]] = {ED25519: Signer, ED25519_COSIGNATURE: CosignatureSigner}


def parse_skey(skey: str) -> Signer:
    """Build a signer from ``PRIVATE+KEY+<name>+<8 hex key id>+<base64(type || seed)>``.

    Type 0x01 (Go-compatible) gives a :class:`Signer`, type 0x04 a :class:`CosignatureSigner`.
    The key ID is checked against the public key derived from the seed, so a truncated or
    edited key text is rejected rather than silently signing with an unexpected key.
    """
    if not isinstance(skey, str):
        raise InvalidKeyError("signer key must be text")
    prefix = "PRIVATE+KEY+"
    if not skey.startswith(prefix):
        # Do not echo the text: it may be a private key with a typo.
        raise InvalidKeyError("signer key does not start with PRIVATE+KEY+")
    name, kid, material = _split_key_fields(skey[len(prefix) :], "signer key")
    if len(material) < 1:
        raise InvalidKeyError(f"signer key for {name} has no key material")
    sig_type, seed = material[0], material[1:]
    cls = _SIGNER_TYPES.get(sig_type)
    if cls is None:
        raise UnsupportedKeyTypeError(
            f"signer key for {name} has signature type 0x{sig_type:02x}; "
            "supported: 0x01 (Ed25519 note signature), 0x04 (Ed25519 cosignature)"
        )
    if len(seed) != _SEED_SIZE:
        raise InvalidKeyError(f"signer key for {name} has a {len(seed)}-byte seed; Ed25519 seeds are 32")
    signer = cls(name, seed)
    if signer.key_id != kid:
        raise KeyIdMismatchError(
            f"signer key for {name} says key id {format_key_id(kid)} but its public key gives "
            f"{format_key_id(signer.key_id)}"
        )
    return signer


def generate_key(name: str, sig_type: int = ED25519) -> tuple[str, str]:
    """A new Ed25519 key pair as ``(skey, vkey)`` texts (like Go's ``note.GenerateKey``).

    ``sig_type`` is 0x01 for a log or other note signer, 0x04 for a witness cosigner.
    """
    cls = _SIGNER_TYPES.get(sig_type)
    if cls is None:
        raise UnsupportedKeyTypeError(f"cannot generate keys of signature type 0x{sig_type:02x}")
    signer = cls(name, Ed25519PrivateKey.generate())
    return signer.skey(), signer.vkey()


# --------------------------------------------------------------------------------------
# Notes


@dataclass(frozen=True)
class Signature:
    """One signature line of a note.

    Attributes
    ----------
    name : str
        Key name.
    key_id : int
        The 32-bit key ID from the first 4 bytes of the line's base64 payload.
    signature : bytes
        The bytes after the key ID (for a cosignature: timestamp || Ed25519 signature).
    timestamp : int or None
        The cosignature time (POSIX seconds) once a :class:`CosignatureVerifier` verified it;
        None for plain signatures and unknown keys.
    """

    name: str
    key_id: int
    signature: bytes
    timestamp: int | None = None

    @property
    def base64(self) -> str:
        return base64.b64encode(self.key_id.to_bytes(4, "big") + self.signature).decode("ascii")

    def line(self) -> str:
        """The signature line, ``— <name> <base64>`` and a newline."""
        return f"{SIGNATURE_PREFIX}{self.name} {self.base64}\n"

    def key(self) -> str:
        """``<name>+<key id>``, how messages name a key."""
        return f"{self.name}+{format_key_id(self.key_id)}"


@dataclass(frozen=True)
class Note:
    """An opened note: its text and the signatures, sorted by whether a known key verified them.

    Attributes
    ----------
    text : str
        The signed text, including its final newline.
    verified : tuple of Signature
        Signatures by known keys that verified, in order, one per key.
    unknown : tuple of Signature
        Signatures by keys not in the known list, kept (without identical repeats) so that a
        later step can check them with other keys — for example witness cosignatures.
    """

    text: str
    verified: tuple[Signature, ...] = ()
    unknown: tuple[Signature, ...] = ()

    def signed_by(self, name: str, kid: int | None = None) -> Signature | None:
        """The verified signature by the named key (and key ID, if given), if there is one."""
        for sig in self.verified:
            if sig.name == name and (kid is None or sig.key_id == kid):
                return sig
        return None


def _check_text(text: str) -> bytes:
    """Validate note text for signing and return it as UTF-8."""
    if not text.endswith("\n"):
        raise MalformedNoteError("note text must end in a newline")
    _check_controls(text, "note text ")
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidCharacterError(f"note text is not encodable as UTF-8: {exc.reason}") from None


def _check_controls(text: str, where: str) -> None:
    found = _CONTROL.search(text)
    if found:
        lineno = text.count("\n", 0, found.start()) + 1
        col = found.start() - (text.rfind("\n", 0, found.start()) + 1) + 1
        raise InvalidCharacterError(
            f"{where}line {lineno}, column {col}: control character {_codepoint(found.group())} "
            "(only newline is allowed)"
        )


def sign(note: str | Note, signers: Signer | Sequence[Signer]) -> str:
    """Sign a text (or re-sign an opened note) and return the signed note.

    Parameters
    ----------
    note : str or Note
        The text to sign, ending in a newline. Given a :class:`Note`, its existing signature
        lines (verified and unknown) are kept, first, except those by a key that signs again
        here — this is how a witness adds its cosignature to a checkpoint.
    signers : Signer or sequence of Signer
        The keys to sign with, in the order their lines are wanted.

    Returns
    -------
    str
        ``text + "\\n" + "— <name> <base64(key id || signature)>\\n" …``
    """
    if isinstance(signers, Signer):
        signers = [signers]
    if not signers:
        raise ValueError("sign() needs at least one signer")
    text = note.text if isinstance(note, Note) else note
    message = _check_text(text)
    new = [Signature(s.name, s.key_id, s.sign(message)) for s in signers]
    replaced = {(sig.name, sig.key_id) for sig in new}
    kept = []
    if isinstance(note, Note):
        kept = [sig for sig in (*note.verified, *note.unknown) if (sig.name, sig.key_id) not in replaced]
    return text + "\n" + "".join(sig.line() for sig in (*kept, *new))


def parse_note(
    msg: bytes | str, *, max_signatures: int = MAX_SIGNATURES, max_bytes: int = MAX_NOTE_BYTES
) -> tuple[str, list[Signature]]:
    """Check a signed note's syntax and split it; no signature is verified.

    Returns
    -------
    (str, list of Signature)
        The text (with its final newline) and the signature lines in order.

    Raises
    ------
    MalformedNoteError
        With a subclass naming the rule that failed.
    """
    if max_signatures < MIN_SIGNATURES_ACCEPTED:
        raise ValueError(f"max_signatures must be at least {MIN_SIGNATURES_ACCEPTED} (c2sp.org/signed-note)")
    raw = msg.encode("utf-8", errors="surrogatepass") if isinstance(msg, str) else bytes(msg)
    if len(raw) > max_bytes:
        raise NoteTooLargeError(f"note is {len(raw)} bytes; the limit is {max_bytes}")
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidCharacterError(f"note is not valid UTF-8 (byte offset {exc.start})") from None
    _check_controls(decoded, "")
    if not decoded.endswith("\n"):
        raise MalformedNoteError("note does not end in a newline")
    # The text ends at the *last* blank line: the text may itself contain blank lines, while
    # signature lines are never empty.
    split = decoded.rfind("\n\n")
    if split < 0:
        raise MissingSignaturesError("no blank line separating the text from signature lines")
    text, block = decoded[: split + 1], decoded[split + 2 :]
    if block == "":
        raise MissingSignaturesError("no signature lines after the blank line")
    lines = block[:-1].split("\n")
    if len(lines) > max_signatures:
        raise TooManySignaturesError(f"note has {len(lines)} signature lines; the limit is {max_signatures}")
    first = text.count("\n") + 2  # line number of the first signature line
    return text, [_parse_signature_line(line, first + i) for i, line in enumerate(lines)]


def _parse_signature_line(line: str, lineno: int) -> Signature:
    if not line.startswith(SIGNATURE_PREFIX):
        if line.startswith(EM_DASH):
            hint = "the em dash must be followed by one space"
        elif line[:1] in ("-", "\u2010", "\u2012", "\u2013", "\u2015", "\u2212"):
            hint = f"it starts with {_codepoint(line[0])} {unicodedata.name(line[0], '')}, not the em dash U+2014"
        else:
            hint = "signature lines start with an em dash (U+2014) and a space"
        raise SignatureLineError(f"line {lineno}: {_shorten(line)} is not a signature line: {hint}")
    name, sep, b64 = line[len(SIGNATURE_PREFIX) :].partition(" ")
    if not sep:
        raise SignatureLineError(f"line {lineno}: signature line has no space between key name and signature")
    try:
        check_key_name(name)
    except InvalidKeyNameError as exc:
        raise SignatureLineError(f"line {lineno}: {exc}") from None
    try:
        payload = _b64decode(b64)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise SignatureLineError(f"line {lineno}: signature by {name} is not valid (canonical) base64") from None
    if len(payload) < 5:
        raise SignatureLineError(
            f"line {lineno}: signature by {name} is {len(payload)} bytes; a key id (4 bytes) and a signature are needed"
        )
    return Signature(name, int.from_bytes(payload[:4], "big"), payload[4:])


def open_note(
    msg: bytes | str,
    known: Iterable[Verifier],
    *,
    max_signatures: int = MAX_SIGNATURES,
    max_bytes: int = MAX_NOTE_BYTES,
) -> Note:
    """Parse a signed note and verify its signatures by the known keys.

    Parameters
    ----------
    msg : bytes or str
        The signed note.
    known : iterable of Verifier
        The trusted keys. Signatures by any other (name, key ID) are ignored, and returned
        in :attr:`Note.unknown`.
    max_signatures : int, default 100
        Cap on signature lines (at least 16).
    max_bytes : int, default 1 MiB
        Cap on the message size.

    Returns
    -------
    Note

    Raises
    ------
    MalformedNoteError
        The syntax is wrong (see its subclasses).
    InvalidSignatureError
        A known key's signature does not verify — the note is rejected even if other keys
        verified, because a known key signing something else means the note was altered.
    UnverifiedNoteError
        No known key signed the note (its :attr:`~UnverifiedNoteError.note` holds what was read).
    AmbiguousKeyError
        Two different known keys share a signature line's name and key ID.
    """
    text, signatures = parse_note(msg, max_signatures=max_signatures, max_bytes=max_bytes)
    by_key: dict[tuple[str, int], list[Verifier]] = {}
    for verifier in known:
        candidates = by_key.setdefault((verifier.name, verifier.key_id), [])
        if verifier not in candidates:  # the same key listed twice is harmless
            candidates.append(verifier)

    message = text.encode("utf-8")
    verified: dict[tuple[str, int], Signature] = {}
    unknown: list[Signature] = []
    checked: set[Signature] = set()
    for sig in signatures:
        candidates = by_key.get((sig.name, sig.key_id))
        if not candidates:
            if sig not in unknown:
                unknown.append(sig)
            continue
        if len(candidates) > 1:
            raise AmbiguousKeyError(
                f"signature line names {sig.key()}, which matches {len(candidates)} different known keys: "
                + ", ".join(v.vkey() for v in candidates)
            )
        if sig in checked:  # an identical repeated line
            continue
        checked.add(sig)
        verifier = candidates[0]
        if len(sig.signature) != verifier.signature_size:
            raise InvalidSignatureError(
                f"signature by {verifier.describe()} is {len(sig.signature)} bytes; "
                f"an {verifier.kind} is {verifier.signature_size}",
                sig.name,
                sig.key_id,
            )
        if not verifier.verify(message, sig.signature):
            raise InvalidSignatureError(f"signature by {verifier.describe()} does not verify", sig.name, sig.key_id)
        # Keep the first verified signature per key, as Go does; later valid ones add nothing.
        verified.setdefault(
            (sig.name, sig.key_id), Signature(sig.name, sig.key_id, sig.signature, verifier.timestamp(sig.signature))
        )

    note = Note(text, tuple(verified.values()), tuple(unknown))
    if not verified:
        raise UnverifiedNoteError(_unverified_message(unknown, by_key), note)
    return note


def _unverified_message(unknown: list[Signature], by_key: dict) -> str:
    signed = ", ".join(sig.key() for sig in unknown) or "nobody"
    trusted = ", ".join(f"{name}+{format_key_id(kid)}" for name, kid in by_key) or "none"
    return f"note has no signature by a known key: signed by {signed}; known keys: {trusted}"
