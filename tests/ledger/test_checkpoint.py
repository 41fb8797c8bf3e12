"""Checkpoints, cosigned checkpoints, the finality policy and the key/trust files.

Published vectors: Go sumdb/tlog tree notes, the C2SP checkpoint and cosignature examples, and
a real sum.golang.org signed tree head with witness signatures (tests/ledger/vectors/note/).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import stat
from pathlib import Path

import pytest

from parksteward.ledger import checkpoint as cp
from parksteward.ledger import keys
from parksteward.ledger import note as n
from parksteward.ledger.checkpoint import (
    Checkpoint,
    MalformedCheckpointError,
    MissingLogSignatureError,
    Policy,
    PolicyNotMetError,
    WrongOriginError,
)
from parksteward.ledger.keys import KeyFileError
from parksteward.ledger.note import CosignatureSigner, Signer

VECTORS = Path(__file__).parent / "vectors" / "note"


def load(name: str) -> dict:
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


TLOG = load("go_sumdb_tlog.json")
C2SP = load("c2sp_examples.json")
SUMDB = load("sumdb_checkpoint.json")

ORIGIN = "envlog.example/2026"
ROOT = hashlib.sha256(b"root").digest()
T0 = 1_760_000_000


def clock(t: int):
    return lambda: t


LOG = Signer(ORIGIN, bytes(range(32)))
REGULATOR = CosignatureSigner("regulator.example", bytes([1]) * 32, clock=clock(T0))
AUDITOR = CosignatureSigner("auditor.example", bytes([2]) * 32, clock=clock(T0 + 1))
ASSOCIATION = CosignatureSigner("association.example", bytes([3]) * 32, clock=clock(T0 + 2))
NOTARY = CosignatureSigner("notary.example", bytes([4]) * 32, clock=clock(T0 + 3))


def rfc6962_leaf(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


# --------------------------------------------------------------------------------------
# Body and parse: Go sumdb/tlog vectors


def test_go_format_tree_golden():
    tree = Checkpoint("go.sum database tree", TLOG["size"], rfc6962_leaf(TLOG["record"].encode()))
    assert tree.body() == TLOG["golden"]


def test_go_parse_tree():
    tree = cp.parse(TLOG["golden"], origin="go.sum database tree")
    assert (tree.origin, tree.size, tree.root_hash) == (
        "go.sum database tree",
        123456789012,
        rfc6962_leaf(b"hello world"),
    )
    assert Checkpoint.parse(TLOG["golden"]) == tree


@pytest.mark.parametrize(
    "index, error", [(0, WrongOriginError), (1, MalformedCheckpointError), (2, MalformedCheckpointError)]
)
def test_go_bad_trees(index, error):
    # The Go parser knows its origin; "not-go.sum database tree" is only wrong for that log.
    with pytest.raises(error):
        cp.parse(TLOG["bad_trees"][index], origin="go.sum database tree")


def test_go_junk_suffixes():
    # Lines after the root are extension lines; text without a final newline is not a body.
    suffixes = TLOG["good_trees_junk_suffixes"]
    assert cp.parse(TLOG["golden"] + suffixes[1]).extensions == ("JOE",)
    assert len(cp.parse(TLOG["golden"] + suffixes[2]).extensions) == 1000
    with pytest.raises(MalformedCheckpointError, match="must end in a newline"):
        cp.parse(TLOG["golden"] + suffixes[0])


# --------------------------------------------------------------------------------------
# Body and parse: strict rules


def test_body_round_trip_with_extensions():
    checkpoint = Checkpoint(ORIGIN, 7, ROOT, extensions=("ext one", "ext two"))
    body = checkpoint.body()
    assert body == f"{ORIGIN}\n7\n{base64.b64encode(ROOT).decode()}\next one\next two\n"
    assert cp.parse(body) == checkpoint
    assert Checkpoint(ORIGIN, 0, ROOT).body().splitlines()[1] == "0"


ROOT_B64 = base64.b64encode(ROOT).decode()


@pytest.mark.parametrize(
    "body, fragment",
    [
        (f"\n5\n{ROOT_B64}\n", "line 1: origin is empty"),
        (f"{ORIGIN}\n007\n{ROOT_B64}\n", "line 2: tree size '007' has leading zeros"),
        (f"{ORIGIN}\n00\n{ROOT_B64}\n", "leading zeros"),
        (f"{ORIGIN}\n+5\n{ROOT_B64}\n", "not a decimal number"),
        (f"{ORIGIN}\n-34\n{ROOT_B64}\n", "not a decimal number"),
        (f"{ORIGIN}\n 5\n{ROOT_B64}\n", "not a decimal number"),
        (f"{ORIGIN}\n5_000\n{ROOT_B64}\n", "not a decimal number"),
        (f"{ORIGIN}\n\u0663\n{ROOT_B64}\n", "ASCII digits only"),  # ARABIC-INDIC DIGIT THREE
        (f"{ORIGIN}\n0x10\n{ROOT_B64}\n", "not a decimal number"),
        (f"{ORIGIN}\n\n{ROOT_B64}\n", "tree size is empty"),
        (f"{ORIGIN}\n{2**64}\n{ROOT_B64}\n", "exceeds 2^64-1"),
        (f"{ORIGIN}\n5\nYmFuYW5hcw==\n", "line 3: root hash decodes to 7 bytes; expected 32"),
        (f"{ORIGIN}\n5\nThisIsn'tBase64\n", "not valid base64"),
        (f"{ORIGIN}\n5\n{ROOT_B64[:-1]}\n", "not valid base64"),
        (f"{ORIGIN}\n5\n", "has 2 lines; expected at least 3 (origin, tree size, root hash)"),
        (f"{ORIGIN}\n", "has 1 line;"),
        (f"{ORIGIN}\n5\n{ROOT_B64}", "must end in a newline"),
        (f"{ORIGIN}\n5\n{ROOT_B64}\n\nafter blank\n", "line 4: extension line is empty"),
    ],
)
def test_parse_rejects(body, fragment):
    with pytest.raises(MalformedCheckpointError) as err:
        cp.parse(body)
    assert fragment in str(err.value)


def test_non_canonical_root_encoding_is_rejected():
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    twin = ROOT_B64[:-2] + alphabet[alphabet.index(ROOT_B64[-2]) ^ 1] + "="
    assert base64.b64decode(twin) == ROOT  # same bytes, different text
    with pytest.raises(MalformedCheckpointError, match="not canonical base64"):
        cp.parse(f"{ORIGIN}\n5\n{twin}\n")


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        ({"origin": ""}, "origin is empty"),
        ({"origin": "a\nb"}, "control character U+000A"),
        ({"size": -1}, "outside 0"),
        ({"size": 2**64}, "outside 0"),
        ({"size": True}, "must be an int"),
        ({"root_hash": b"short"}, "32 bytes, got 5"),
        ({"extensions": ("",)}, "extension line is empty"),
    ],
)
def test_checkpoint_validates_fields(kwargs, fragment):
    fields = {"origin": ORIGIN, "size": 1, "root_hash": ROOT, **kwargs}
    with pytest.raises(MalformedCheckpointError, match=re.escape(fragment)):
        Checkpoint(**fields)


# --------------------------------------------------------------------------------------
# C2SP examples


def test_c2sp_checkpoint_example():
    text, sigs = n.parse_note(C2SP["checkpoint"])
    checkpoint = cp.parse(text, origin="example.com/behind-the-sofa")
    assert checkpoint.size == 20852163
    assert base64.b64encode(checkpoint.root_hash).decode() == "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="
    assert checkpoint.body() == text
    assert [(s.name, n.format_key_id(s.key_id)) for s in sigs] == [("example.com/behind-the-sofa", "033de0ae")]
    # The line shares its key id with sum.golang.org's key, but not its name: an unknown key.
    with pytest.raises(n.UnverifiedNoteError):
        n.open_note(C2SP["checkpoint"], [n.parse_vkey(SUMDB["vkey"])])


def test_c2sp_cosignature_example_timestamp_and_message():
    text, (log_sig, witness_sig) = n.parse_note(C2SP["cosigned_checkpoint"])
    assert (witness_sig.name, n.format_key_id(witness_sig.key_id)) == ("witness.example.com/w1", "8d66cf3f")
    timestamp = n.cosignature_timestamp(witness_sig)
    assert timestamp == 1679315147
    assert n.cosignature_message(timestamp, text).decode() == C2SP["cosignature_signed_message"]


# --------------------------------------------------------------------------------------
# A real sum.golang.org checkpoint


def test_sumdb_checkpoint_verifies_with_the_production_key():
    log = n.parse_vkey(SUMDB["vkey"])
    checkpoint, sigs = cp.open_checkpoint(SUMDB["note"], log, origin=SUMDB["origin"])
    assert (checkpoint.origin, checkpoint.size) == ("go.sum database tree", SUMDB["size"])
    assert sigs.log.key() == "sum.golang.org+033de0ae"
    assert sigs.cosignatures == ()


def test_sumdb_origin_is_checked():
    log = n.parse_vkey(SUMDB["vkey"])
    # By default the origin must equal the log key's name, which the Go checksum database's does not.
    with pytest.raises(WrongOriginError, match="expected 'sum.golang.org'"):
        cp.open_checkpoint(SUMDB["note"], log)
    with pytest.raises(WrongOriginError):
        cp.open_checkpoint(SUMDB["note"], log, origin="Go rocks but I might have the wrong ID")


def test_sumdb_checkpoint_with_witness_signatures():
    log = n.parse_vkey(SUMDB["vkey"])
    witnesses = [n.parse_vkey(v) for v in SUMDB["witness_vkeys"]]
    signed = SUMDB["note"] + "".join(line + "\n" for line in SUMDB["witness_sigs"] + SUMDB["unknown_sigs"])
    _, sigs = cp.open_checkpoint(signed, log, witnesses, origin=SUMDB["origin"])
    assert [s.name for s in sigs.cosignatures] == ["monkeys", "bananas", "witness"]
    assert [s.name for s in sigs.unknown] == ["random1", "random2"]
    policy = Policy(log, optional=tuple(witnesses), min_optional=3, origin=SUMDB["origin"])
    assert policy.check(sigs).final


# --------------------------------------------------------------------------------------
# Signing, cosigning and opening


def signed_checkpoint(*cosigners, size=5):
    signed = cp.sign_checkpoint(Checkpoint(ORIGIN, size, ROOT), LOG)
    for cosigner in cosigners:
        signed = cp.cosign_checkpoint(signed, LOG.verifier(), cosigner)
    return signed


def all_cosigners():
    return [c.verifier() for c in (REGULATOR, AUDITOR, ASSOCIATION, NOTARY)]


def test_sign_and_open_checkpoint():
    checkpoint, sigs = cp.open_checkpoint(signed_checkpoint(), LOG.verifier())
    assert checkpoint == Checkpoint(ORIGIN, 5, ROOT)
    assert sigs.log.name == ORIGIN and sigs.cosignatures == ()


def test_cosignatures_verify_and_carry_timestamps():
    signed = signed_checkpoint(REGULATOR, AUDITOR)
    _, sigs = cp.open_checkpoint(signed, LOG.verifier(), all_cosigners())
    assert sigs.timestamps() == {"regulator.example": T0, "auditor.example": T0 + 1}
    # Without the cosigner keys the lines are kept as unknown, for checking later.
    _, bare = cp.open_checkpoint(signed, LOG.verifier())
    assert [s.name for s in bare.unknown] == ["regulator.example", "auditor.example"]


def test_cosignature_with_changed_timestamp_fails():
    signed = signed_checkpoint(REGULATOR)
    text, (log_sig, cosig) = n.parse_note(signed)
    moved = n.Signature(cosig.name, cosig.key_id, (T0 + 60).to_bytes(8, "big") + cosig.signature[8:])
    with pytest.raises(n.InvalidSignatureError, match="regulator.example .* does not verify"):
        cp.open_checkpoint(text + "\n" + log_sig.line() + moved.line(), LOG.verifier(), all_cosigners())


def test_cosignature_over_another_body_fails():
    text, (_, cosig) = n.parse_note(signed_checkpoint(REGULATOR, size=5))
    other = cp.sign_checkpoint(Checkpoint(ORIGIN, 6, ROOT), LOG)  # the log signs size 6 …
    with pytest.raises(n.InvalidSignatureError, match="regulator.example"):  # … the witness saw 5
        cp.open_checkpoint(other + cosig.line(), LOG.verifier(), all_cosigners())


def test_checkpoint_without_the_log_signature():
    only_cosigned = n.sign(Checkpoint(ORIGIN, 5, ROOT).body(), REGULATOR)
    with pytest.raises(MissingLogSignatureError, match=f"not signed by the log key {ORIGIN}"):
        cp.open_checkpoint(only_cosigned, LOG.verifier(), all_cosigners())


def test_signed_note_that_is_not_a_checkpoint():
    signed = n.sign("if this is a valid checkpoint then I'll eat my hat\n", LOG)
    with pytest.raises(MalformedCheckpointError, match="expected at least 3"):
        cp.open_checkpoint(signed, LOG.verifier())


def test_witness_refuses_to_cosign_what_the_log_did_not_sign():
    forged = n.sign(Checkpoint(ORIGIN, 5, ROOT).body(), Signer(ORIGIN, bytes([9]) * 32))
    with pytest.raises(n.UnverifiedNoteError):
        cp.cosign_checkpoint(forged, LOG.verifier(), REGULATOR)


# --------------------------------------------------------------------------------------
# Policy


def park_policy(k=1):
    return Policy(
        LOG.verifier(),
        required=(REGULATOR.verifier(),),
        optional=(AUDITOR.verifier(), ASSOCIATION.verifier(), NOTARY.verifier()),
        min_optional=k,
    )


def check(policy, signed):
    return policy.check(policy.open(signed)[1])


def test_policy_final_with_log_regulator_and_one_more():
    result = check(park_policy(), signed_checkpoint(REGULATOR, NOTARY))
    assert result.final and bool(result)
    assert result.message == "checkpoint is final"
    assert result.optional_present == ("notary.example",)


def test_policy_required_cosigner_missing():
    result = check(park_policy(), signed_checkpoint(AUDITOR, NOTARY))
    assert not result
    assert result.missing_required == ("regulator.example",)
    assert result.message == "missing required cosignature from: regulator.example"


def test_policy_k_short_names_the_candidates():
    result = check(park_policy(), signed_checkpoint(REGULATOR))
    assert result.optional_short == 1
    assert result.message == "needs 1 more cosignature from: auditor.example, association.example, notary.example"
    result = check(park_policy(k=2), signed_checkpoint(REGULATOR, NOTARY))
    assert result.message == "needs 1 more cosignature from: auditor.example, association.example"


def test_policy_counts_duplicates_of_one_cosigner_once():
    signed = signed_checkpoint(REGULATOR, NOTARY)
    # Append the notary's line again, and a second, later, valid notary cosignature.
    text, sigs = n.parse_note(signed)
    later = CosignatureSigner("notary.example", bytes([4]) * 32, clock=clock(T0 + 99))
    again = n.parse_note(n.sign(text, later))[1][0]
    doubled = signed + sigs[-1].line() + again.line()
    result = check(park_policy(k=2), doubled)
    assert result.optional_present == ("notary.example",)
    assert result.optional_short == 1


def test_policy_ignores_unknown_and_unverified_signatures():
    stranger = CosignatureSigner("stranger.example", bytes([7]) * 32, clock=clock(T0))
    signed = signed_checkpoint(REGULATOR, stranger)
    assert check(park_policy(), signed).optional_short == 1
    # A Note or a list of Signatures can be checked too.
    note = n.open_note(signed, [LOG.verifier(), *park_policy().cosigners()])
    assert park_policy().check(note).missing_required == ()
    assert park_policy().check(note.verified).optional_short == 1


def test_policy_counts_a_rotated_key_as_the_same_cosigner():
    old, new = AUDITOR, CosignatureSigner("auditor.example", bytes([8]) * 32, clock=clock(T0))
    policy = Policy(LOG.verifier(), optional=(old.verifier(), new.verifier(), NOTARY.verifier()), min_optional=2)
    assert not check(policy, signed_checkpoint(old, new))
    assert check(policy, signed_checkpoint(new, NOTARY))


def test_policy_not_signed_by_log():
    result = park_policy().check([])
    assert result.message.startswith("not signed by the log; missing required cosignature from: regulator.example")


def test_policy_require_raises_with_the_shortfall():
    with pytest.raises(PolicyNotMetError, match="needs 1 more cosignature") as err:
        park_policy().require(signed_checkpoint(REGULATOR))
    assert err.value.result.optional_short == 1
    checkpoint, _ = park_policy().require(signed_checkpoint(REGULATOR, AUDITOR))
    assert checkpoint.size == 5


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        ({"min_optional": 4}, "min_optional is 4, but there are 3 optional cosigners"),
        ({"min_optional": -1}, "min_optional is -1"),
        ({"required": (REGULATOR.verifier(), AUDITOR.verifier())}, "auditor.example is listed as required and again"),
        ({"required": (Signer(ORIGIN, bytes([5]) * 32).verifier(),)}, "listed as log"),
    ],
)
def test_policy_rejects_inconsistent_configuration(kwargs, fragment):
    fields = dict(
        log=LOG.verifier(),
        required=(REGULATOR.verifier(),),
        optional=(AUDITOR.verifier(), ASSOCIATION.verifier(), NOTARY.verifier()),
        min_optional=1,
    )
    with pytest.raises(ValueError, match=re.escape(fragment)):
        Policy(**{**fields, **kwargs})


# --------------------------------------------------------------------------------------
# Key files and trust files


def test_signer_key_file_round_trip_with_mode_0600(tmp_path):
    path = keys.write_signer_key(tmp_path / "log.key", LOG)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text() == LOG.skey() + "\n"
    assert keys.read_signer_key(path).vkey() == LOG.vkey()
    keys.write_signer_key(tmp_path / "w.key", REGULATOR.skey())
    assert isinstance(keys.read_signer_key(tmp_path / "w.key"), CosignatureSigner)


def test_signer_key_file_is_not_overwritten(tmp_path):
    path = keys.write_signer_key(tmp_path / "log.key", LOG)
    with pytest.raises(KeyFileError, match="already exists"):
        keys.write_signer_key(path, REGULATOR)
    os.chmod(path, 0o644)
    keys.write_signer_key(path, REGULATOR, overwrite=True)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert keys.read_signer_key(path).name == "regulator.example"


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_signer_key_file_readable_by_others_is_refused(tmp_path):
    path = keys.write_signer_key(tmp_path / "log.key", LOG)
    os.chmod(path, 0o644)
    with pytest.raises(KeyFileError, match=r"log.key: private key file is accessible by group or others \(mode 0644\)"):
        keys.read_signer_key(path)
    assert keys.read_signer_key(path, check_permissions=False).name == ORIGIN


def test_signer_key_file_errors_name_file_and_line(tmp_path):
    path = tmp_path / "bad.key"
    path.write_text("\n" + LOG.skey().replace("+AQ", "+BQ", 1) + "\n")  # type byte 0x01 -> 0x05
    path.chmod(0o600)
    with pytest.raises(KeyFileError, match=r"bad.key:2: signer key for envlog.example/2026 has signature type 0x05"):
        keys.read_signer_key(path)
    with pytest.raises(KeyFileError, match="not written"):
        keys.write_signer_key(tmp_path / "x.key", "PRIVATE+KEY+nonsense")
    with pytest.raises(KeyFileError, match="no such file"):
        keys.read_signer_key(tmp_path / "missing.key")


def test_trust_file_round_trip(tmp_path):
    policy = park_policy()
    path = keys.write_trust_file(tmp_path / "trust.txt", policy, comment="ParkSteward trust file")
    text = path.read_text()
    assert text.startswith("# ParkSteward trust file\nlog envlog.example/2026+")
    assert "min-optional 1\n" in text
    assert keys.read_trust_file(path) == policy
    assert check(keys.read_trust_file(path), signed_checkpoint(REGULATOR, AUDITOR)).final


def test_trust_file_format_as_documented():
    text = f"""
    # comment line
    log          {LOG.vkey()}   # the log
    origin       {ORIGIN}
    required     {REGULATOR.vkey()}
    optional     {AUDITOR.vkey()}
    optional     {ASSOCIATION.vkey()}
    min-optional 1
    """
    policy = keys.parse_trust_file(text)
    assert policy.log == LOG.verifier()
    assert policy.origin == ORIGIN
    assert [v.name for v in policy.required] == ["regulator.example"]
    assert policy.min_optional == 1


def trust_lines(*lines):
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    "text, fragment",
    [
        (trust_lines(f"required {REGULATOR.vkey()}"), "trust.txt: no 'log <verifier key>' line"),
        (trust_lines(f"log {LOG.vkey()}", f"log {LOG.vkey()}"), "trust.txt:2: log given twice (first on line 1)"),
        (trust_lines(f"log {LOG.vkey()}", "witness foo"), "trust.txt:2: unknown directive 'witness'"),
        (trust_lines(f"log {LOG.vkey()}", "required"), "trust.txt:2: required needs a value"),
        (trust_lines(f"log {LOG.vkey()}", "required nonsense+1234+AA=="), "trust.txt:2: required: verifier key"),
        (
            trust_lines(f"log {LOG.vkey()}", f"optional {AUDITOR.vkey()}"),
            "trust.txt: 1 optional cosigner key(s) but no",
        ),
        (
            trust_lines(f"log {LOG.vkey()}", f"optional {AUDITOR.vkey()}", "min-optional 2"),
            "trust.txt:3: min_optional is 2, but there are 1 optional cosigners",
        ),
        (trust_lines(f"log {LOG.vkey()}", "min-optional one"), "trust.txt:2: min-optional 'one' is not"),
        (
            trust_lines(f"log {LOG.vkey()}", f"required {AUDITOR.vkey()}", f"optional {AUDITOR.vkey()}"),
            "trust.txt:3: auditor.example is already listed as required on line 2",
        ),
        (
            trust_lines(f"log {LOG.vkey()}", f"required {AUDITOR.vkey()}", f"required {AUDITOR.vkey()}"),
            "trust.txt:3: key auditor.example+",
        ),
    ],
)
def test_trust_file_errors_name_file_and_line(tmp_path, text, fragment):
    path = tmp_path / "trust.txt"
    path.write_text(text)
    with pytest.raises(KeyFileError) as err:
        keys.read_trust_file(path)
    assert fragment in str(err.value).replace(str(tmp_path) + os.sep, "")
