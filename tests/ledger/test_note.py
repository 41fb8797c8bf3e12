"""Signed notes: published vectors (Go sumdb/note, C2SP, transparency-dev) and the verifier rules.

Vectors live in tests/ledger/vectors/note/ (see its README for sources and licences).
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest

from parksteward.ledger import note as n
from parksteward.ledger.note import (
    AmbiguousKeyError,
    CosignatureSigner,
    CosignatureVerifier,
    InvalidCharacterError,
    InvalidKeyError,
    InvalidKeyNameError,
    InvalidSignatureError,
    KeyIdMismatchError,
    MalformedNoteError,
    MissingSignaturesError,
    Note,
    NoteError,
    NoteTooLargeError,
    Signature,
    SignatureLineError,
    Signer,
    TooManySignaturesError,
    UnsupportedKeyTypeError,
    UnverifiedNoteError,
    Verifier,
)

VECTORS = Path(__file__).parent / "vectors" / "note"


def load(name: str) -> dict:
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


GO = load("go_sumdb_note.json")
TD = load("transparency_dev_cosignature.json")
C2SP = load("c2sp_examples.json")

# Fixed seeds so that failures reproduce; these are test keys, not vectors.
SEED_A = bytes(range(32))
SEED_B = bytes(range(32, 64))
SEED_C = bytes(range(64, 96))
LOG = "envlog.example/2026"


@pytest.fixture
def peter() -> Verifier:
    return n.parse_vkey(GO["peter_vkey"])


@pytest.fixture
def enoch() -> Verifier:
    return n.parse_vkey(GO["enoch_vkey"])


# --------------------------------------------------------------------------------------
# Go golang.org/x/mod/sumdb/note vectors


def test_go_signer_key_gives_the_published_verifier_key_and_key_id():
    signer = n.parse_skey(GO["peter_skey"])
    assert signer.name == "PeterNeumann"
    assert n.format_key_id(signer.key_id) == GO["peter_key_id"]
    assert signer.vkey() == GO["peter_vkey"]
    assert signer.skey() == GO["peter_skey"]  # the private key format round-trips


def test_go_verifier_keys_parse(peter, enoch):
    assert (peter.name, n.format_key_id(peter.key_id)) == ("PeterNeumann", GO["peter_key_id"])
    assert (enoch.name, n.format_key_id(enoch.key_id)) == ("EnochRoot", GO["enoch_key_id"])
    assert peter.vkey() == GO["peter_vkey"]
    assert type(peter) is Verifier


def test_go_key_id_is_sha256_of_name_newline_type_and_key(peter):
    assert n.key_id("PeterNeumann", n.ED25519, peter.public_key) == 0xC74F20A3


def test_go_sign_reproduces_the_published_note():
    signer = n.parse_skey(GO["peter_skey"])
    assert n.sign(GO["text"], signer) == GO["sign_want"]
    assert n.sign(GO["text"], [signer]) == GO["sign_want"]


def test_go_sign_replaces_an_existing_signature_by_the_same_key():
    # TestSign: a stale signature by PeterNeumann+c74f20a3 is dropped, not duplicated.
    signer = n.parse_skey(GO["peter_skey"])
    stale = Note(GO["text"], verified=(Signature("PeterNeumann", 0xC74F20A3, b"BADSIGN"),))
    assert n.sign(stale, signer) == GO["sign_want"]


def test_go_sign_rejects_text_without_final_newline():
    with pytest.raises(MalformedNoteError, match="newline"):
        n.sign("abc", n.parse_skey(GO["peter_skey"]))


@pytest.mark.parametrize("vkey, why", sorted(GO["bad_vkeys"].items()))
def test_go_bad_verifier_keys(vkey, why):
    expected = UnsupportedKeyTypeError if "algorithm" in why else InvalidKeyError
    with pytest.raises(expected):
        n.parse_vkey(vkey)


def _manglings(text: str):
    """TestNewVerifier/TestNewSigner: every proper substring and every one-byte increment."""
    b = text.encode()
    for i in range(len(b) + 1):
        for j in range(i + 1, len(b) + 1):
            if (i, j) != (0, len(b)):
                yield b[i:j]
    for i in range(len(b)):
        yield b[:i] + bytes([(b[i] + 1) % 256]) + b[i + 1 :]


@pytest.mark.parametrize("which", ["peter_vkey", "peter_skey"])
def test_go_mangled_keys_are_all_rejected(which):
    parse = n.parse_skey if which == "peter_skey" else n.parse_vkey
    accepted = []
    for mangled in _manglings(GO[which]):
        try:
            parse(mangled.decode("utf-8", errors="replace"))
        except NoteError:
            continue
        accepted.append(mangled)
    assert accepted == []


def test_go_open_one_known_key(peter):
    note = n.open_note(GO["text"] + "\n" + GO["peter_sig"] + GO["enoch_sig"], [peter])
    assert note.text == GO["text"]
    assert [s.key() for s in note.verified] == ["PeterNeumann+c74f20a3"]
    assert [s.key() for s in note.unknown] == ["EnochRoot+af0cfe78"]
    assert note.unknown[0].line() == GO["enoch_sig"]  # kept byte for byte


def test_go_open_both_known(peter, enoch):
    note = n.open_note(GO["text"] + "\n" + GO["peter_sig"] + GO["enoch_sig"], [peter, enoch])
    assert [s.line() for s in note.verified] == [GO["peter_sig"], GO["enoch_sig"]]
    assert note.unknown == ()


def test_go_open_no_known_key_is_rejected_but_reports_the_note():
    with pytest.raises(UnverifiedNoteError) as err:
        n.open_note(GO["text"] + "\n" + GO["peter_sig"] + GO["enoch_sig"], [])
    assert err.value.note.text == GO["text"]
    assert [s.key() for s in err.value.note.unknown] == ["PeterNeumann+c74f20a3", "EnochRoot+af0cfe78"]
    assert "no signature by a known key" in str(err.value)


def test_go_unknown_key_means_name_and_id_must_both_match(peter):
    # TestVerifierList: PeterNeumann+c74f20a4 and PeterNeuman+c74f20a3 are unknown keys.
    other_id = GO["peter_sig"].replace("x08go", "x08gp")  # key id c74f20a3 -> c74f20a7
    other_name = GO["peter_sig"].replace("PeterNeumann", "PeterNeuman")
    for line in (other_id, other_name):
        with pytest.raises(UnverifiedNoteError):
            n.open_note(GO["text"] + "\n" + line, [peter])


def test_go_too_many_signatures(peter):
    msg = GO["text"] + "\n" + GO["peter_sig"] * GO["open_too_many_signatures"]
    for known in ([peter], []):
        with pytest.raises(TooManySignaturesError, match="101 signature lines; the limit is 100"):
            n.open_note(msg, known)


def test_go_invalid_signature(peter):
    case = GO["open_invalid_signature_insert"]
    sig = GO["peter_sig"].encode()
    at = case["byte_offset"]  # a byte offset in Go, where the em dash is 3 bytes
    msg = GO["text"].encode() + b"\n" + sig[:at] + case["insert"].encode() + sig[at:]
    with pytest.raises(InvalidSignatureError) as err:
        n.open_note(msg, [peter])
    assert (err.value.name, err.value.key_id) == ("PeterNeumann", 0xC74F20A3)


def test_go_repeated_verified_and_unverified_signatures(peter):
    sig = GO["enoch_sig"].encode()
    enoch_abcd = (sig[:60] + b"ABCD" + sig[60:]).decode()
    msg = GO["text"] + "\n" + GO["peter_sig"] * 2 + GO["enoch_sig"] * 2 + enoch_abcd
    note = n.open_note(msg, [peter])
    assert [s.line() for s in note.verified] == [GO["peter_sig"]]
    assert [s.line() for s in note.unknown] == [GO["enoch_sig"], enoch_abcd]


@pytest.mark.parametrize(
    "msg, error",
    [
        pytest.param(GO["text"], MissingSignaturesError, id="no blank line"),
        pytest.param(GO["text"] + "\n", MissingSignaturesError, id="no signature lines"),
        pytest.param(GO["text"] + "\n" + GO["peter_sig"][:-1], MalformedNoteError, id="no final newline"),
        pytest.param("\x01" + GO["text"] + "\n" + GO["peter_sig"], InvalidCharacterError, id="control char"),
        pytest.param(b"\xff" + (GO["text"] + "\n" + GO["peter_sig"]).encode(), InvalidCharacterError, id="not utf-8"),
        pytest.param(
            GO["text"] + "\n" + "\u2014 Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfq"
            "dngotpRZb6KE6RyyBwJnAM=",
            MalformedNoteError,
            id="bad name, no newline",
        ),
        pytest.param(GO["text"] + "\n" + GO["peter_sig"] + "Unexpected line.\n", SignatureLineError, id="junk line"),
    ],
)
def test_go_malformed_messages(peter, msg, error):
    with pytest.raises(error):
        n.open_note(msg, [peter])


def test_go_generate_key_is_self_consistent():
    skey, vkey = n.generate_key("EnochRoot")
    signer, verifier = n.parse_skey(skey), n.parse_vkey(vkey)
    assert signer.name == verifier.name == "EnochRoot"
    assert signer.key_id == verifier.key_id
    sig = bytearray(signer.sign(b"hi"))
    assert verifier.verify(b"hi", bytes(sig))
    sig[0] ^= 1
    assert not verifier.verify(b"hi", bytes(sig))
    assert not verifier.verify(b"hj", signer.sign(b"hi"))


# --------------------------------------------------------------------------------------
# C2SP signed-note example


def test_c2sp_example_text_may_contain_blank_lines():
    text, sigs = n.parse_note(C2SP["signed_note"])
    assert text == "Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n"
    assert [(s.name, s.key_id) for s in sigs] == [("quasimodo.example/salvatore", 0x367BA04B)]
    assert len(sigs[0].signature) == 64  # an Ed25519 note signature
    with pytest.raises(UnverifiedNoteError) as err:  # the spec publishes no public key
        n.open_note(C2SP["signed_note"], [])
    assert err.value.note.text == text


# --------------------------------------------------------------------------------------
# transparency-dev/formats vkeys and cosignature timestamps


@pytest.mark.parametrize("vkey, sig_type", sorted(TD["good_vkeys"].items()))
def test_transparency_dev_vkeys(vkey, sig_type):
    verifier = n.parse_vkey(vkey)
    assert verifier.sig_type == sig_type
    assert type(verifier) is (CosignatureVerifier if sig_type == 4 else Verifier)
    assert verifier.vkey() == vkey


@pytest.mark.parametrize("vkey", TD["bad_vkeys"])
def test_transparency_dev_bad_vkeys(vkey):
    with pytest.raises(InvalidKeyError):
        n.parse_vkey(vkey)


def test_transparency_dev_cosignature_timestamp():
    payload = base64.b64decode(TD["timestamp_sig"])
    assert n.cosignature_timestamp(payload[4:]) == TD["timestamp"]
    with pytest.raises(NoteError, match="an Ed25519 cosignature is 72"):
        n.cosignature_timestamp(base64.b64decode(TD["not_a_cosignature_sig"])[4:])


# --------------------------------------------------------------------------------------
# Keys


@pytest.mark.parametrize(
    "name, fragment",
    [
        ("", "empty"),
        ("a b", "space"),
        ("a\u00a0b", "space"),  # no-break space is a Unicode space
        ("a+b", "'+'"),
        ("a\x7fb", "control"),
        ("a\x85b", "space"),  # NEL is both a space and a control character
    ],
)
def test_key_name_rules(name, fragment):
    with pytest.raises(InvalidKeyNameError, match=re.escape(fragment)):
        n.check_key_name(name)
    with pytest.raises(InvalidKeyNameError):
        Signer(name, SEED_A)


def test_schema_less_url_names_are_fine():
    assert n.check_key_name("envlog.park.example/2026") == "envlog.park.example/2026"
    assert n.check_key_name("生态环境局.example/witness")


def test_verifier_key_with_wrong_key_id_names_both_ids():
    vkey = Signer(LOG, SEED_A).vkey()
    name, kid, material = vkey.split("+", 2)
    wrong = f"{name}+{int(kid, 16) ^ 1:08x}+{material}"
    with pytest.raises(KeyIdMismatchError, match=f"key id computed from the name and key is {kid}"):
        n.parse_vkey(wrong)


def test_signer_key_with_wrong_key_id_is_rejected_without_echoing_the_key():
    skey = Signer(LOG, SEED_A).skey()
    parts = skey.split("+", 4)
    parts[3] = "00000000"
    with pytest.raises(KeyIdMismatchError) as err:
        n.parse_skey("+".join(parts))
    assert parts[4][:8] not in str(err.value)


def test_private_key_never_in_repr():
    signer = Signer(LOG, SEED_A)
    assert signer.skey().split("+")[-1] not in repr(signer)
    assert "key_id=" in repr(signer)


def test_non_canonical_base64_is_rejected():
    vkey = Signer(LOG, SEED_A).vkey()
    # 33 bytes encode to 44 characters with no unused bits; use a signature line instead.
    good = n.sign("hello\n", Signer(LOG, SEED_A))
    line = good.splitlines()[-1]
    b64 = line.rsplit(" ", 1)[1]
    assert b64.endswith("=")  # 68 bytes: the last character carries 2 unused bits
    last = b64[-2]
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    twin = alphabet[alphabet.index(last) ^ 1]  # same 4 significant bits, a different unused bit
    forged = good.replace(b64, b64[:-2] + twin + "=")
    assert base64.b64decode(forged.splitlines()[-1].rsplit(" ", 1)[1]) == base64.b64decode(b64)
    with pytest.raises(SignatureLineError, match="canonical"):
        n.open_note(forged, [n.parse_vkey(vkey)])


# --------------------------------------------------------------------------------------
# Round trips and the verifier rules


def _signers():
    return Signer(LOG, SEED_A), Signer("auditor.example/w1", SEED_B)


def test_round_trip_several_signers():
    a, b = _signers()
    text = "line one\n\nline three after a blank line\n"
    msg = n.sign(text, [a, b])
    note = n.open_note(msg, [a.verifier(), b.verifier()])
    assert note.text == text
    assert [s.name for s in note.verified] == [LOG, "auditor.example/w1"]
    assert note.signed_by(LOG).timestamp is None
    assert n.open_note(msg.encode(), [b.verifier()]).unknown[0].name == LOG  # bytes work too


def test_resigning_an_opened_note_keeps_other_signatures():
    a, b = _signers()
    opened = n.open_note(n.sign("x\n", a), [a.verifier()])
    both = n.open_note(n.sign(opened, b), [a.verifier(), b.verifier()])
    assert [s.name for s in both.verified] == [LOG, "auditor.example/w1"]


def test_unknown_key_only_is_rejected_with_names():
    a, b = _signers()
    with pytest.raises(UnverifiedNoteError) as err:
        n.open_note(n.sign("x\n", a), [b.verifier()])
    message = str(err.value)
    assert f"signed by {LOG}+{n.format_key_id(a.key_id)}" in message
    assert f"known keys: auditor.example/w1+{n.format_key_id(b.key_id)}" in message


def test_known_key_with_bad_signature_rejects_even_if_another_verifies():
    a, b = _signers()
    msg = n.sign("x\n", [a, b])
    text, sigs = n.parse_note(msg)
    broken = Signature(sigs[1].name, sigs[1].key_id, bytes([sigs[1].signature[0] ^ 1]) + sigs[1].signature[1:])
    tampered = text + "\n" + sigs[0].line() + broken.line()
    with pytest.raises(InvalidSignatureError) as err:
        n.open_note(tampered, [a.verifier(), b.verifier()])
    assert str(err.value) == f"signature by auditor.example/w1 (key id {n.format_key_id(b.key_id)}) does not verify"
    # Not knowing the second key, the note opens: its signature is merely unknown.
    assert n.open_note(tampered, [a.verifier()]).unknown == (broken,)


def test_every_repeated_line_of_a_known_key_is_checked():
    a, _ = _signers()
    msg = n.sign("x\n", a)
    text, (sig,) = n.parse_note(msg)
    other = Signature(sig.name, sig.key_id, a.sign(b"something else\n"))
    with pytest.raises(InvalidSignatureError):
        n.open_note(text + "\n" + sig.line() + other.line(), [a.verifier()])


def test_every_single_bit_flip_is_rejected():
    a, _ = _signers()
    msg = n.sign("envlog.example/2026\n42\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", a).encode()
    known = [a.verifier()]
    n.open_note(msg, known)
    survivors = []
    for i in range(len(msg)):
        for bit in range(8):
            flipped = bytearray(msg)
            flipped[i] ^= 1 << bit
            try:
                n.open_note(bytes(flipped), known)
            except NoteError:
                continue
            survivors.append((i, bit))
    assert survivors == []


def test_wrong_signature_length_is_named():
    a, _ = _signers()
    line = Signature(a.name, a.key_id, b"\x00" * 63).line()
    with pytest.raises(InvalidSignatureError, match="is 63 bytes; an Ed25519 note signature is 64"):
        n.open_note("x\n\n" + line, [a.verifier()])


@pytest.mark.parametrize(
    "dash, fragment",
    [("-", "U+002D"), ("\u2013", "U+2013 EN DASH"), ("\u2212", "U+2212 MINUS SIGN"), ("\u2014\u2014", "followed")],
)
def test_signature_line_needs_an_em_dash(dash, fragment):
    a, _ = _signers()
    msg = n.sign("x\n", a).replace("\u2014 ", dash + " ")
    with pytest.raises(SignatureLineError, match=re.escape(fragment)):
        n.open_note(msg, [a.verifier()])


@pytest.mark.parametrize("char", ["\t", "\r", "\x00", "\x1b"])
def test_control_characters_are_rejected_with_their_position(char):
    a, _ = _signers()
    msg = n.sign("first\nsecond\n", a).replace("second", "sec" + char + "ond")
    with pytest.raises(InvalidCharacterError, match=rf"line 2, column 4: control character U\+{ord(char):04X}"):
        n.open_note(msg, [a.verifier()])
    with pytest.raises(InvalidCharacterError):
        n.sign("sec" + char + "ond\n", a)


def test_missing_blank_line():
    a, _ = _signers()
    msg = n.sign("x\n", a).replace("x\n\n", "x\n")
    with pytest.raises(MissingSignaturesError, match="no blank line"):
        n.open_note(msg, [a.verifier()])


def test_signature_count_cap_accepts_16_and_rejects_more():
    signers = [Signer(f"w{i}.example", bytes([i]) * 32) for i in range(17)]
    known = [s.verifier() for s in signers]
    sixteen = n.sign("x\n", signers[:16])
    assert len(n.open_note(sixteen, known, max_signatures=16).verified) == 16
    with pytest.raises(TooManySignaturesError, match="17 signature lines; the limit is 16"):
        n.open_note(n.sign("x\n", signers), known, max_signatures=16)
    with pytest.raises(ValueError, match="at least 16"):
        n.open_note(sixteen, known, max_signatures=15)


def test_size_cap():
    a, _ = _signers()
    msg = n.sign("x" * 2000 + "\n", a)
    with pytest.raises(NoteTooLargeError, match="the limit is 1000"):
        n.open_note(msg, [a.verifier()], max_bytes=1000)


def test_identical_duplicate_verifiers_are_harmless_but_colliding_keys_are_ambiguous():
    a, b = _signers()
    msg = n.sign("x\n", a)
    assert n.open_note(msg, [a.verifier(), a.verifier()]).verified
    impostor = Verifier(a.name, b.public_key)
    impostor.key_id = a.key_id  # a forged collision of name and key id
    with pytest.raises(AmbiguousKeyError, match="2 different known keys"):
        n.open_note(msg, [a.verifier(), impostor])


# --------------------------------------------------------------------------------------
# Cosignatures (type 0x04)


def clock(t: int):
    return lambda: t


def test_cosignature_round_trip_returns_the_timestamp():
    cosigner = CosignatureSigner("regulator.example/witness", SEED_C, clock=clock(1_760_000_000))
    msg = n.sign("envlog.example/2026\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", cosigner)
    verifier = cosigner.verifier()
    assert isinstance(verifier, CosignatureVerifier)
    assert n.parse_vkey(verifier.vkey()) == verifier
    assert base64.b64decode(verifier.vkey().split("+")[2])[0] == 0x04
    (sig,) = n.open_note(msg, [verifier]).verified
    assert sig.timestamp == 1_760_000_000
    assert len(sig.signature) == 72


def test_cosignature_key_id_uses_type_byte_4():
    plain, cosigner = Signer("w.example", SEED_C), CosignatureSigner("w.example", SEED_C)
    assert plain.public_key == cosigner.public_key
    assert cosigner.key_id == n.key_id("w.example", 0x04, cosigner.public_key) != plain.key_id
    # A plain vkey of the same key does not know the cosignature's key id: it is ignored.
    with pytest.raises(UnverifiedNoteError):
        n.open_note(n.sign("x\n", cosigner), [plain.verifier()])


def test_cosignature_with_changed_timestamp_or_text_fails():
    cosigner = CosignatureSigner("w.example", SEED_C, clock=clock(1000))
    text, (sig,) = n.parse_note(n.sign("a\n", cosigner))
    later = Signature(sig.name, sig.key_id, (1001).to_bytes(8, "big") + sig.signature[8:])
    with pytest.raises(InvalidSignatureError, match="does not verify"):
        n.open_note(text + "\n" + later.line(), [cosigner.verifier()])
    with pytest.raises(InvalidSignatureError):
        n.open_note("b\n\n" + sig.line(), [cosigner.verifier()])


def test_cosigner_from_a_plain_or_a_cosignature_skey():
    plain = Signer("w.example", SEED_C)
    from_plain = CosignatureSigner.from_skey(plain.skey(), clock=clock(5))
    assert from_plain.key_id == CosignatureSigner("w.example", SEED_C).key_id
    reparsed = n.parse_skey(from_plain.skey())
    assert isinstance(reparsed, CosignatureSigner)
    assert reparsed.vkey() == from_plain.vkey()
    skey, vkey = n.generate_key("w2.example", n.ED25519_COSIGNATURE)
    assert isinstance(n.parse_vkey(vkey), CosignatureVerifier)


def test_cosignature_message_matches_the_c2sp_example():
    body = C2SP["cosignature_signed_message"].split("\n", 2)[2]
    assert n.cosignature_message(1679315147, body).decode() == C2SP["cosignature_signed_message"]
