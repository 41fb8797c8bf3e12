"""Key files for the command line: a signer's private key, and the trust file of a verifier.

**Signer key file** — one line, the ``PRIVATE+KEY+<name>+<key id>+<base64>`` text of
:mod:`parksteward.ledger.note` (the format of Go's ``golang.org/x/mod/sumdb/note``), written
with file mode 0600. Reading refuses a file that group or others may read, as ``ssh`` does,
unless told otherwise.

**Trust file** — what a receipt holder, inspector or witness trusts: the log's verifier
key and the witnesses whose cosignatures make a checkpoint final. A small line format, so
that errors can name the line and the file can be read on paper::

    # Trust file for the park's environmental ledger.
    # <directive> <value>; blank lines and text after '#' are ignored.
    log          envlog.park.example/2026+1a2b3c4d+AXXX...    # the log's key (type 0x01)
    origin       envlog.park.example/2026                     # optional; default: the log key's name
    required     regulator.example/witness+5e6f7a8b+BXXX...   # every required cosigner must cosign
    optional     auditor.example/w1+9c0d1e2f+BXXX...
    optional     association.example/w+3a4b5c6d+BXXX...
    min-optional 1                                            # at least this many optional ones

A comment is ``#`` at the start of a line or after a space (key names may contain ``#``).
Directives: exactly one ``log``; at most one ``origin``; any number of ``required`` and
``optional`` verifier keys (type 0x04 cosignature keys, or 0x01); ``min-optional <k>``,
needed whenever there are optional keys (0 makes them informational). A name may appear
in one role only; listing two keys under one name is how a witness's key rotation is
expressed — either key then counts for that witness.

:func:`read_trust_file` returns a :class:`parksteward.ledger.checkpoint.Policy`. All errors
are :class:`KeyFileError`, whose message starts with ``<file>:<line>:``.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from parksteward.ledger.checkpoint import Policy
from parksteward.ledger.note import NoteError, Signer, parse_skey, parse_vkey

_DIRECTIVES = ("log", "origin", "required", "optional", "min-optional")
# A comment starts with '#' at the start of a line or after a space: key names may contain '#'.
_COMMENT = re.compile(r"(^|\s)#.*$")


class KeyFileError(ValueError):
    """A key or trust file cannot be used; the message names the file (and line)."""

    def __init__(self, path: str | os.PathLike, message: str, line: int | None = None):
        where = f"{os.fspath(path)}:{line}" if line is not None else os.fspath(path)
        super().__init__(f"{where}: {message}")
        self.path = Path(path)
        self.line = line


# --------------------------------------------------------------------------------------
# Signer key files


def write_signer_key(path: str | os.PathLike, key: str | Signer, *, overwrite: bool = False) -> Path:
    """Write a signer key file (mode 0600) and return its path.

    Parameters
    ----------
    path : path-like
        Where to write. An existing file is an error unless ``overwrite`` — a private key is
        never replaced by accident.
    key : str or Signer
        The ``PRIVATE+KEY+…`` text (checked before writing) or a signer.
    """
    path = Path(path)
    try:
        text = key.skey() if isinstance(key, Signer) else parse_skey(key.strip()).skey()
    except NoteError as exc:
        raise KeyFileError(path, f"not written: {exc}") from None
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if overwrite else os.O_EXCL)
    try:
        # Create with 0600 from the start: a chmod after writing would leave a window.
        fd = os.open(path, flags, 0o600)
    except FileExistsError:
        raise KeyFileError(path, "already exists; not overwriting a key file") from None
    except OSError as exc:
        raise KeyFileError(path, f"cannot create: {exc.strerror}") from None
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        if overwrite:
            os.fchmod(f.fileno(), 0o600)  # an existing file keeps its mode under O_TRUNC
        f.write(text + "\n")
    return path


def read_signer_key(path: str | os.PathLike, *, check_permissions: bool = True) -> Signer:
    """Read a signer key file and return the :class:`~parksteward.ledger.note.Signer`.

    Type 0x04 keys give a :class:`~parksteward.ledger.note.CosignatureSigner`.

    Parameters
    ----------
    check_permissions : bool, default True
        Refuse a file that group or others may read or write (POSIX only).
    """
    path = Path(path)
    try:
        if check_permissions and os.name == "posix":
            mode = stat.S_IMODE(path.stat().st_mode)
            if mode & 0o077:
                raise KeyFileError(
                    path, f"private key file is accessible by group or others (mode {mode:04o}); run: chmod 600 {path}"
                )
        raw = path.read_bytes()
    except FileNotFoundError:
        raise KeyFileError(path, "no such file") from None
    except OSError as exc:
        raise KeyFileError(path, f"cannot read: {exc.strerror}") from None
    lines = [line for line in _decode(path, raw).splitlines() if line.strip()]
    if len(lines) != 1:
        raise KeyFileError(path, f"expected one PRIVATE+KEY+… line, found {len(lines)} non-empty lines")
    try:
        return parse_skey(lines[0].strip())
    except NoteError as exc:
        raise KeyFileError(path, str(exc), line=_line_of(raw, lines[0])) from None


def _decode(path: Path, raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")  # tolerate a BOM left by Windows editors
    except UnicodeDecodeError as exc:
        raise KeyFileError(path, f"not UTF-8 text (byte offset {exc.start})") from None


def _line_of(raw: bytes, line: str) -> int:
    text = raw.decode("utf-8-sig")
    return text[: text.index(line)].count("\n") + 1


# --------------------------------------------------------------------------------------
# Trust files


def parse_trust_file(text: str, source: str | os.PathLike = "<trust file>") -> Policy:
    """Parse trust-file text (format in the module docstring) into a Policy.

    ``source`` is the file name used in error messages.
    """
    log = origin = min_optional = None
    required, optional = [], []
    first_seen: dict[str, int] = {}  # directive → line, for "given twice" messages
    names: dict[str, tuple[str, int]] = {}  # key name → (role, line)

    for lineno, raw_line in enumerate(text.splitlines(), start=1):
        line = _COMMENT.sub("", raw_line).strip()
        if not line:
            continue
        directive, _, value = line.partition(" ")
        directive, value = directive.strip(), value.strip()
        if directive not in _DIRECTIVES:
            raise KeyFileError(
                source, f"unknown directive {directive!r}; expected one of: {', '.join(_DIRECTIVES)}", lineno
            )
        if not value:
            raise KeyFileError(source, f"{directive} needs a value", lineno)
        if directive in ("log", "origin", "min-optional"):
            if directive in first_seen:
                raise KeyFileError(source, f"{directive} given twice (first on line {first_seen[directive]})", lineno)
            first_seen[directive] = lineno

        if directive == "origin":
            if " " in value or "\t" in value:
                raise KeyFileError(source, f"origin {value!r} has a space; write it without quotes or spaces", lineno)
            origin = value
        elif directive == "min-optional":
            if not value.isascii() or not value.isdigit():
                raise KeyFileError(source, f"min-optional {value!r} is not a non-negative whole number", lineno)
            min_optional = (int(value), lineno)
        else:
            try:
                verifier = parse_vkey(value)
            except NoteError as exc:
                raise KeyFileError(source, f"{directive}: {exc}", lineno) from None
            role = "log" if directive == "log" else directive
            previous = names.get(verifier.name)
            if previous and previous[0] != role:
                raise KeyFileError(
                    source, f"{verifier.name} is already listed as {previous[0]} on line {previous[1]}", lineno
                )
            if previous and verifier in (required if role == "required" else optional):
                raise KeyFileError(source, f"key {verifier.vkey()} is listed twice (line {previous[1]})", lineno)
            names.setdefault(verifier.name, (role, lineno))
            if role == "log":
                log = verifier
            elif role == "required":
                required.append(verifier)
            else:
                optional.append(verifier)

    if log is None:
        raise KeyFileError(source, "no 'log <verifier key>' line: the file must name the log's key")
    if optional and min_optional is None:
        raise KeyFileError(
            source,
            f"{len(optional)} optional cosigner key(s) but no 'min-optional <k>' line; "
            "say how many of them a checkpoint needs (0 to make them informational)",
        )
    k, k_line = min_optional if min_optional is not None else (0, None)
    try:
        return Policy(log=log, required=tuple(required), optional=tuple(optional), min_optional=k, origin=origin)
    except ValueError as exc:
        raise KeyFileError(source, str(exc), k_line) from None


def format_trust_file(policy: Policy, comment: str | None = None) -> str:
    """The trust-file text for ``policy`` (read back by :func:`parse_trust_file`)."""
    out = []
    if comment:
        out += [f"# {line}".rstrip() for line in comment.splitlines()]
    out.append(f"log {policy.log.vkey()}")
    if policy.origin is not None:
        out.append(f"origin {policy.origin}")
    out += [f"required {v.vkey()}" for v in policy.required]
    out += [f"optional {v.vkey()}" for v in policy.optional]
    if policy.optional:
        out.append(f"min-optional {policy.min_optional}")
    return "\n".join(out) + "\n"


def read_trust_file(path: str | os.PathLike) -> Policy:
    """Read a trust file and return its :class:`~parksteward.ledger.checkpoint.Policy`."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise KeyFileError(path, "no such file") from None
    except OSError as exc:
        raise KeyFileError(path, f"cannot read: {exc.strerror}") from None
    return parse_trust_file(_decode(path, raw), source=path)


def write_trust_file(path: str | os.PathLike, policy: Policy, comment: str | None = None) -> Path:
    """Write a trust file (public keys only, so the default file mode) and return its path."""
    path = Path(path)
    try:
        path.write_text(format_trust_file(policy, comment), encoding="utf-8")
    except OSError as exc:
        raise KeyFileError(path, f"cannot write: {exc.strerror}") from None
    return path
