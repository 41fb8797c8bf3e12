"""Checkpoints: signed tree heads of the log, and when one is final (c2sp.org/tlog-checkpoint).

A checkpoint states "the log identified by *origin* has *size* entries and this Merkle root
hash". Its body is exactly three lines, each ending in a newline::

    envlog.park.example/2026
    20852163
    CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=

the **origin** (the log's identity, usually equal to its key name), the **tree size** in
ASCII decimal without leading zeros, and the **root hash** (RFC 6962, 32 bytes) in standard
base64. Optional extension lines may follow; they are allowed by the spec but not
recommended, because monitors cannot audit them.

The body is published as a signed note (:mod:`parksteward.ledger.note`): the log signs it,
and witnesses — the regulator, an auditor, an association — append timestamped
cosignatures (c2sp.org/tlog-cosignature) after checking that the new tree extends the one
they saw before. A client trusts a checkpoint once a :class:`Policy` is met: the log's
signature, every *required* cosigner, and at least *k* of the *optional* ones (design
reference §9: log + regulator + at least one other).

Parsing is strict so that one checkpoint has one text: ``parse`` rejects leading zeros,
signs, spaces and non-ASCII digits in the size, non-canonical base64 and roots that are not
32 bytes, and names the line at fault.

References
----------
C2SP tlog-checkpoint, https://c2sp.org/tlog-checkpoint (v1.0.0).
C2SP tlog-cosignature, https://c2sp.org/tlog-cosignature.
Go checksum database tree format, golang.org/x/mod/sumdb/tlog (``FormatTree``/``ParseTree``).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from parksteward.ledger import note as _note
from parksteward.ledger.note import Note, Signature, Signer, Verifier

HASH_SIZE = 32
MAX_TREE_SIZE = 2**64 - 1  # sizes are uint64 in RFC 6962 and every tlog implementation

_DECIMAL = re.compile(r"0|[1-9][0-9]*")  # re.ASCII is implied by the explicit classes


class CheckpointError(ValueError):
    """Base class of checkpoint errors."""


class MalformedCheckpointError(CheckpointError):
    """The body is not a valid checkpoint; :attr:`line` is the 1-based line at fault (or None)."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message if line is None else f"checkpoint line {line}: {message}")
        self.line = line


class WrongOriginError(MalformedCheckpointError):
    """The checkpoint is well formed but for another log than the one expected."""


class MissingLogSignatureError(CheckpointError):
    """The note verified, but not by the log's own key (only by cosigners)."""


class PolicyNotMetError(CheckpointError):
    """The checkpoint lacks signatures the policy requires; :attr:`result` says which."""

    def __init__(self, result: PolicyResult):
        super().__init__(result.message)
        self.result = result


@dataclass(frozen=True)
class Checkpoint:
    """A tree head: origin, size and root hash, plus optional extension lines.

    Attributes
    ----------
    origin : str
        Log identity, e.g. ``envlog.park.example/2026``.
    size : int
        Number of leaves, 0 … 2**64-1.
    root_hash : bytes
        32-byte RFC 6962 root of the tree at ``size``.
    extensions : tuple of str
        Extension lines (without newlines); each non-empty. Not recommended.
    """

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = field(default=())

    def __post_init__(self):
        object.__setattr__(self, "extensions", tuple(self.extensions))
        _check_line(self.origin, "origin", 1)
        if isinstance(self.size, bool) or not isinstance(self.size, int):
            raise MalformedCheckpointError(f"tree size must be an int, not {type(self.size).__name__}", 2)
        if not 0 <= self.size <= MAX_TREE_SIZE:
            raise MalformedCheckpointError(f"tree size {self.size} is outside 0 … 2^64-1", 2)
        if not isinstance(self.root_hash, bytes | bytearray) or len(self.root_hash) != HASH_SIZE:
            length = len(self.root_hash) if isinstance(self.root_hash, bytes | bytearray) else "?"
            raise MalformedCheckpointError(f"root hash must be {HASH_SIZE} bytes, got {length}", 3)
        object.__setattr__(self, "root_hash", bytes(self.root_hash))
        for i, ext in enumerate(self.extensions, start=4):
            _check_line(ext, "extension line", i)

    def body(self) -> str:
        """The note text: origin, size, base64 root hash and any extensions, each ending in ``\\n``."""
        lines = [self.origin, str(self.size), base64.b64encode(self.root_hash).decode("ascii"), *self.extensions]
        return "".join(line + "\n" for line in lines)

    @classmethod
    def parse(cls, body: str | bytes, origin: str | None = None) -> Checkpoint:
        """Same as :func:`parse`."""
        return parse(body, origin=origin)


def _check_line(value: str, what: str, line: int) -> None:
    if not isinstance(value, str):
        raise MalformedCheckpointError(f"{what} must be text, not {type(value).__name__}", line)
    if value == "":
        raise MalformedCheckpointError(f"{what} is empty", line)
    # Newlines would shift the other lines; other control characters cannot be in a note.
    bad = next((ch for ch in value if ch < " "), None)
    if bad is not None:
        raise MalformedCheckpointError(f"{what} {value!r} contains the control character U+{ord(bad):04X}", line)


def parse(body: str | bytes, origin: str | None = None) -> Checkpoint:
    """Parse a checkpoint body (the text of the signed note, not the signatures).

    Parameters
    ----------
    body : str or bytes
        The note text: at least three newline-terminated lines.
    origin : str, optional
        If given, the origin line must equal it (:class:`WrongOriginError` otherwise).

    Raises
    ------
    MalformedCheckpointError
        Naming the line and the rule: missing lines, empty origin, size with leading zeros or
        non-decimal characters, root hash that is not canonical base64 of 32 bytes, empty
        extension line.
    """
    if isinstance(body, bytes):
        try:
            body = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MalformedCheckpointError(f"checkpoint is not valid UTF-8 (byte offset {exc.start})") from None
    if not body.endswith("\n"):
        raise MalformedCheckpointError("checkpoint body must end in a newline")
    lines = body[:-1].split("\n")
    if len(lines) < 3:
        raise MalformedCheckpointError(
            f"checkpoint has {len(lines)} line{'s' if len(lines) != 1 else ''}; expected at least 3 "
            "(origin, tree size, root hash)"
        )
    origin_line, size_line, root_line, *extensions = lines

    _check_line(origin_line, "origin", 1)
    if origin is not None and origin_line != origin:
        raise WrongOriginError(f"origin is {origin_line!r}; expected {origin!r}", 1)

    size = _parse_size(size_line)
    root = _parse_root(root_line)
    for i, ext in enumerate(extensions, start=4):
        if ext == "":
            raise MalformedCheckpointError("extension line is empty (extension lines must be non-empty)", i)
    return Checkpoint(origin_line, size, root, tuple(extensions))


def _parse_size(text: str) -> int:
    if not _DECIMAL.fullmatch(text):
        if re.fullmatch(r"0[0-9]+", text):
            raise MalformedCheckpointError(f"tree size {text!r} has leading zeros", 2)
        if text == "":
            raise MalformedCheckpointError("tree size is empty", 2)
        # int() would accept '+5', ' 5', '5_000' and non-ASCII digits; the format does not.
        raise MalformedCheckpointError(f"tree size {text!r} is not a decimal number (ASCII digits only)", 2)
    size = int(text)
    if size > MAX_TREE_SIZE:
        raise MalformedCheckpointError(f"tree size {text} exceeds 2^64-1", 2)
    return size


def _parse_root(text: str) -> bytes:
    try:
        root = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise MalformedCheckpointError(f"root hash {text!r} is not valid base64", 3) from None
    if len(root) != HASH_SIZE:
        raise MalformedCheckpointError(f"root hash decodes to {len(root)} bytes; expected {HASH_SIZE}", 3)
    # Several texts can decode to the same 32 bytes (unused low bits); accept only the one we
    # would write, so that one tree head has one body.
    if base64.b64encode(root).decode("ascii") != text:
        raise MalformedCheckpointError(f"root hash {text!r} is not canonical base64", 3)
    return root


# --------------------------------------------------------------------------------------
# Signing and opening


def sign_checkpoint(checkpoint: Checkpoint, log_signer: Signer) -> str:
    """The signed note for ``checkpoint``, signed by the log's key."""
    return _note.sign(checkpoint.body(), log_signer)


def cosign_checkpoint(
    signed: str | bytes, log_verifier: Verifier, cosigner: Signer, *, origin: str | None = None
) -> str:
    """Add a witness cosignature to a signed checkpoint, keeping the signatures already there.

    The log's signature is verified first: a witness must never cosign a body the log did
    not sign, nor a body that is not a checkpoint of the expected ``origin`` (default: the log
    key's name). Checking consistency with the witness's previous view is the caller's job.
    """
    opened = _note.open_note(signed, [log_verifier])
    parse(opened.text, origin=log_verifier.name if origin is None else origin)
    return _note.sign(opened, cosigner)


@dataclass(frozen=True)
class CheckpointSignatures:
    """The signatures found on an opened checkpoint.

    Attributes
    ----------
    log : Signature
        The log's verified signature.
    cosignatures : tuple of Signature
        Verified signatures by the listed cosigners, one per key; ``timestamp`` is set for
        type-0x04 cosignatures.
    unknown : tuple of Signature
        Signature lines by keys that were not listed (kept, not trusted).
    """

    log: Signature
    cosignatures: tuple[Signature, ...] = ()
    unknown: tuple[Signature, ...] = ()

    def timestamps(self) -> dict[str, int]:
        """Cosigner name → cosignature time (POSIX seconds), for timestamped cosignatures."""
        return {sig.name: sig.timestamp for sig in self.cosignatures if sig.timestamp is not None}


def open_checkpoint(
    signed: str | bytes,
    log_verifier: Verifier,
    cosigner_verifiers: Iterable[Verifier] = (),
    *,
    origin: str | None = None,
) -> tuple[Checkpoint, CheckpointSignatures]:
    """Verify a signed checkpoint and parse its body.

    Parameters
    ----------
    signed : str or bytes
        The signed note.
    log_verifier : Verifier
        The log's key. Its signature is required.
    cosigner_verifiers : iterable of Verifier
        Witness keys whose cosignatures are verified and reported (a bad one rejects the
        note, per the signed-note rules); whether enough are present is :class:`Policy`'s job.
    origin : str, optional
        Expected origin line; defaults to the log key's name, as c2sp.org/tlog-checkpoint
        recommends. Pass it explicitly for logs whose key name differs (the Go checksum
        database signs ``go.sum database tree`` with the key ``sum.golang.org``).

    Raises
    ------
    NoteError
        The note is malformed or a known key's signature fails (see :func:`note.open_note`).
    MissingLogSignatureError
        Only cosigners signed.
    MalformedCheckpointError
        The body is not a checkpoint, or is for another origin.
    """
    cosigners = [v for v in cosigner_verifiers if v != log_verifier]
    opened: Note = _note.open_note(signed, [log_verifier, *cosigners])
    log_sig = opened.signed_by(log_verifier.name, log_verifier.key_id)
    if log_sig is None:
        raise MissingLogSignatureError(
            f"checkpoint is not signed by the log key {log_verifier.describe()}; "
            f"verified signatures: {', '.join(sig.key() for sig in opened.verified)}"
        )
    checkpoint = parse(opened.text, origin=log_verifier.name if origin is None else origin)
    cosigs = tuple(sig for sig in opened.verified if sig is not log_sig)
    return checkpoint, CheckpointSignatures(log_sig, cosigs, opened.unknown)


# --------------------------------------------------------------------------------------
# Policy


@dataclass(frozen=True)
class PolicyResult:
    """Whether a checkpoint is final under a :class:`Policy`, and if not what is short.

    ``bool(result)`` is :attr:`final`.
    """

    final: bool
    log_signed: bool
    missing_required: tuple[str, ...]
    optional_present: tuple[str, ...]
    optional_needed: int
    optional_missing: tuple[str, ...]

    @property
    def optional_short(self) -> int:
        """How many more optional cosignatures are needed (0 when enough)."""
        return max(0, self.optional_needed - len(self.optional_present))

    @property
    def message(self) -> str:
        if self.final:
            return "checkpoint is final"
        problems = []
        if not self.log_signed:
            problems.append("not signed by the log")
        if self.missing_required:
            problems.append(
                f"missing required cosignature{'s' if len(self.missing_required) > 1 else ''} from: "
                + ", ".join(self.missing_required)
            )
        if self.optional_short:
            n = self.optional_short
            problems.append(
                f"needs {n} more cosignature{'s' if n > 1 else ''} from: " + ", ".join(self.optional_missing)
            )
        return "; ".join(problems)

    def __bool__(self) -> bool:
        return self.final

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Policy:
    """When a checkpoint is final: the log's signature, all required cosigners, k optional ones.

    Parameters
    ----------
    log : Verifier
        The log's key.
    required : sequence of Verifier
        Cosigners that must all have cosigned (e.g. the regulator).
    optional : sequence of Verifier
        Further cosigners, of which at least ``min_optional`` must have cosigned.
    min_optional : int
        k of the k-of-n over ``optional``.
    origin : str, optional
        The log's origin line; defaults to the log key's name.

    A cosigner counts once however many lines it signed. Cosigners are counted by name:
    several keys listed under one name (a witness rotating its key) are one cosigner, and
    a signature by any of them counts for it.
    """

    log: Verifier
    required: tuple[Verifier, ...] = ()
    optional: tuple[Verifier, ...] = ()
    min_optional: int = 0
    origin: str | None = None

    def __post_init__(self):
        object.__setattr__(self, "required", tuple(self.required))
        object.__setattr__(self, "optional", tuple(self.optional))
        # A name has one role: a witness is either required or optional, and never the log.
        roles: dict[str, str] = {self.log.name: "log"}
        for role, keys in (("required", self.required), ("optional", self.optional)):
            for v in keys:
                if roles.setdefault(v.name, role) != role:
                    raise ValueError(f"{v.name} is listed as {roles[v.name]} and again as {role}")
        n_optional = len({v.name for v in self.optional})
        if not 0 <= self.min_optional <= n_optional:
            raise ValueError(f"min_optional is {self.min_optional}, but there are {n_optional} optional cosigners")

    @property
    def expected_origin(self) -> str:
        return self.log.name if self.origin is None else self.origin

    def cosigners(self) -> tuple[Verifier, ...]:
        return (*self.required, *self.optional)

    def open(self, signed: str | bytes) -> tuple[Checkpoint, CheckpointSignatures]:
        """Verify a signed checkpoint with this policy's keys (not yet checking it is final)."""
        return open_checkpoint(signed, self.log, self.cosigners(), origin=self.expected_origin)

    def check(self, signatures: CheckpointSignatures | Note | Iterable[Signature]) -> PolicyResult:
        """Count verified signatures against the policy.

        Parameters
        ----------
        signatures : CheckpointSignatures, Note or iterable of Signature
            *Verified* signatures — from :func:`open_checkpoint` / :meth:`open`, or
            :attr:`Note.verified`. Unknown signature lines are never counted.
        """
        if isinstance(signatures, CheckpointSignatures):
            verified = [signatures.log, *signatures.cosignatures]
        elif isinstance(signatures, Note):
            verified = list(signatures.verified)
        else:
            verified = list(signatures)
        present = {(sig.name, sig.key_id) for sig in verified}

        def signed(keys: Iterable[Verifier]) -> tuple[str, ...]:
            return tuple(dict.fromkeys(v.name for v in keys if (v.name, v.key_id) in present))

        def unsigned(keys: Iterable[Verifier], done: tuple[str, ...]) -> tuple[str, ...]:
            return tuple(dict.fromkeys(v.name for v in keys if v.name not in done))

        log_signed = (self.log.name, self.log.key_id) in present
        # Count cosigners by name: two keys of one witness (a rotation) are still one witness.
        required_present = signed(self.required)
        missing_required = unsigned(self.required, required_present)
        optional_present = signed(self.optional)
        short = max(0, self.min_optional - len(optional_present))
        return PolicyResult(
            final=log_signed and not missing_required and short == 0,
            log_signed=log_signed,
            missing_required=missing_required,
            optional_present=optional_present,
            optional_needed=self.min_optional,
            optional_missing=unsigned(self.optional, optional_present),
        )

    def require(self, signed: str | bytes) -> tuple[Checkpoint, CheckpointSignatures]:
        """Open a signed checkpoint and raise :class:`PolicyNotMetError` unless it is final."""
        checkpoint, sigs = self.open(signed)
        result = self.check(sigs)
        if not result:
            raise PolicyNotMetError(result)
        return checkpoint, sigs


__all__ = (
    "Checkpoint",
    "CheckpointError",
    "CheckpointSignatures",
    "MalformedCheckpointError",
    "MissingLogSignatureError",
    "Policy",
    "PolicyNotMetError",
    "PolicyResult",
    "WrongOriginError",
    "cosign_checkpoint",
    "open_checkpoint",
    "parse",
    "sign_checkpoint",
)
