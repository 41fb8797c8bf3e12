"""Tests of parksteward.ledger.merkle against public vectors and a naive RFC 9162 reference.

* transparency-dev/merkle vectors (tests/ledger/vectors/README.md): hasher vectors, the
  8-leaf tree's node and root hashes, and the 98 + 98 inclusion / consistency probes.
* A naive recursive transcription of RFC 9162 §2.1 (MTH, PATH, SUBPROOF), written here with
  hashlib only, as an independent oracle for roots and proofs.
* The perfect-subtree API (``*_nodes`` / ``*_from`` / ``new_nodes``) against the list API.
* Tampering (every bit of every proof element and root) and malformed inputs.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest

from parksteward.ledger import merkle
from parksteward.ledger.merkle import (
    EMPTY_ROOT,
    MemoryTree,
    MissingNodeError,
    consistency_nodes,
    consistency_proof,
    consistency_proof_from,
    inclusion_nodes,
    inclusion_proof,
    inclusion_proof_from,
    leaf_hash,
    new_nodes,
    node_hash,
    right_edge_nodes,
    root_from,
    root_hash,
    root_nodes,
    verify_consistency,
    verify_inclusion,
)

VECTORS = Path(__file__).parent / "vectors" / "transparency-dev"
CONSTANTS = json.loads((VECTORS / "constants.json").read_text())


# --------------------------------------------------------------------------- naive RFC 9162 §2.1
def _h(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _k(n: int) -> int:
    """Largest power of two strictly less than n (n > 1)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def naive_mth(d: list[bytes]) -> bytes:
    if not d:
        return _h(b"")
    if len(d) == 1:
        return _h(b"\x00" + d[0])
    k = _k(len(d))
    return _h(b"\x01" + naive_mth(d[:k]) + naive_mth(d[k:]))


def naive_path(m: int, d: list[bytes]) -> list[bytes]:
    if len(d) == 1:
        return []
    k = _k(len(d))
    if m < k:
        return naive_path(m, d[:k]) + [naive_mth(d[k:])]
    return naive_path(m - k, d[k:]) + [naive_mth(d[:k])]


def naive_subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    if m == len(d):
        return [] if b else [naive_mth(d)]
    k = _k(len(d))
    if m <= k:
        return naive_subproof(m, d[:k], b) + [naive_mth(d[k:])]
    return naive_subproof(m - k, d[k:], False) + [naive_mth(d[:k])]


def naive_proof(m: int, d: list[bytes]) -> list[bytes]:
    return naive_subproof(m, d, True)


# Leaves of varied lengths, including the empty leaf.
LEAVES = [bytes([i % 251]) * (i % 7) + i.to_bytes(2, "big") * (i % 3) for i in range(80)]
SMALL = 41  # exhaustive proof checks for all tree sizes 1..40


@pytest.fixture(scope="module")
def tree() -> MemoryTree:
    return MemoryTree.from_leaves(LEAVES)


# --------------------------------------------------------------------------- public vectors
@pytest.mark.parametrize("vector", CONSTANTS["rfc6962_hasher"], ids=lambda v: v["desc"])
def test_rfc6962_hasher_vectors(vector):
    kind = vector["kind"]
    if kind == "empty_root":
        got = EMPTY_ROOT
    elif kind == "leaf":
        got = leaf_hash(vector["data_ascii"].encode())
    else:
        got = node_hash(vector["left_ascii"].encode(), vector["right_ascii"].encode())
    assert got.hex() == vector["want"]


def test_empty_tree_root():
    assert root_hash([]) == EMPTY_ROOT == hashlib.sha256(b"").digest()
    assert root_from(0, {}) == EMPTY_ROOT
    assert MemoryTree().root() == EMPTY_ROOT


def test_testonly_constants_roots_and_nodes():
    c = CONSTANTS["testonly_constants"]
    leaves = [bytes.fromhex(x) for x in c["leaf_inputs"]]
    assert [root_hash(leaves[:n]).hex() for n in range(9)] == c["root_hashes"]
    assert c["root_hashes"][0] == c["empty_root_hash"]
    tree = MemoryTree.from_leaves(leaves)
    assert [[h.hex() for h in tree.level(level)] for level in range(4)] == c["node_hashes"]
    for size, nodes in enumerate(c["compact_trees"]["nodes"]):
        assert root_nodes(size) == [tuple(n) for n in nodes]


def _b64(value: str) -> bytes:
    return base64.b64decode(value, validate=True)


def _probes(kind: str) -> list[Path]:
    return sorted((VECTORS / kind).rglob("*.json"))


def test_probe_sets_are_complete():
    # 98 + 98 upstream probes (see vectors/README.md); a lost file must not go unnoticed.
    assert len(_probes("inclusion")) == 98
    assert len(_probes("consistency")) == 98


@pytest.mark.parametrize("path", _probes("inclusion"), ids=lambda p: str(p.relative_to(VECTORS)))
def test_inclusion_probe(path):
    p = json.loads(path.read_text())
    proof = [_b64(x) for x in p["proof"] or []]
    got = verify_inclusion(_b64(p["leafHash"]), p["leafIdx"], p["treeSize"], proof, _b64(p["root"]))
    assert got is (not p["wantErr"]), p["desc"]


@pytest.mark.parametrize("path", _probes("consistency"), ids=lambda p: str(p.relative_to(VECTORS)))
def test_consistency_probe(path):
    p = json.loads(path.read_text())
    proof = [_b64(x) for x in p["proof"] or []]
    got = verify_consistency(p["size1"], p["size2"], proof, _b64(p["root1"]), _b64(p["root2"]))
    assert got is (not p["wantErr"]), p["desc"]


def test_happy_path_probes_are_what_the_generators_produce():
    # The numbered probe directories are proofs in the 8-leaf tree of testonly/constants.go.
    leaves = [bytes.fromhex(x) for x in CONSTANTS["testonly_constants"]["leaf_inputs"]]
    for n in range(5):
        p = json.loads((VECTORS / "inclusion" / str(n) / "happy-path.json").read_text())
        size, index = p["treeSize"], p["leafIdx"]
        assert _b64(p["root"]) == root_hash(leaves[:size])
        assert _b64(p["leafHash"]) == leaf_hash(leaves[index])
        assert inclusion_proof(leaves[:size], index) == [_b64(x) for x in p["proof"] or []]
        c = json.loads((VECTORS / "consistency" / str(n) / "happy-path.json").read_text())
        assert consistency_proof(leaves[: c["size2"]], c["size1"]) == [_b64(x) for x in c["proof"] or []]


# --------------------------------------------------------------------------- naive oracle
def test_roots_match_naive_definition(tree):
    for n in range(71):
        want = naive_mth(LEAVES[:n])
        assert root_hash(LEAVES[:n]) == want, n
        assert tree.root(n) == want
        assert root_from(n, {c: tree[c] for c in root_nodes(n)}) == want


def test_inclusion_proofs_match_naive_path_and_verify():
    for size in range(1, SMALL):
        leaves = LEAVES[:size]
        root = naive_mth(leaves)
        for index in range(size):
            proof = inclusion_proof(leaves, index)
            assert proof == naive_path(index, leaves), (index, size)
            assert verify_inclusion(leaf_hash(leaves[index]), index, size, proof, root)


def test_consistency_proofs_match_naive_subproof_and_verify():
    for size2 in range(1, SMALL):
        leaves = LEAVES[:size2]
        root2 = naive_mth(leaves)
        for size1 in range(1, size2 + 1):
            proof = consistency_proof(leaves, size1)
            assert proof == naive_proof(size1, leaves), (size1, size2)
            assert verify_consistency(size1, size2, proof, naive_mth(leaves[:size1]), root2)


def test_consistency_proof_from_empty_tree_is_empty_and_not_verifiable():
    assert consistency_proof(LEAVES[:5], 0) == []
    assert consistency_proof([], 0) == []
    assert not verify_consistency(0, 5, [], EMPTY_ROOT, root_hash(LEAVES[:5]))


# --------------------------------------------------------------------------- perfect-subtree API
def test_from_functions_need_only_the_listed_nodes(tree):
    for size in range(1, SMALL):
        for index in range(size):
            wanted = inclusion_nodes(index, size)
            assert len(set(wanted)) == len(wanted) <= 2 * size.bit_length()
            nodes = {c: tree[c] for c in wanted}  # one batch look-up, nothing else
            assert inclusion_proof_from(index, size, nodes) == inclusion_proof(LEAVES[:size], index)
            assert tree.inclusion_proof(index, size) == inclusion_proof_from(index, size, nodes)
        for size1 in range(size + 1):
            wanted = consistency_nodes(size1, size)
            assert len(set(wanted)) == len(wanted) <= 2 * size.bit_length() + 1
            nodes = {c: tree[c] for c in wanted}
            assert consistency_proof_from(size1, size, nodes) == consistency_proof(LEAVES[:size], size1)
            assert tree.consistency_proof(size1, size) == consistency_proof_from(size1, size, nodes)


def test_listed_nodes_are_perfect_subtrees_inside_the_tree():
    for size in range(1, 200):
        coords = root_nodes(size) + [c for i in range(0, size, 7) for c in inclusion_nodes(i, size)]
        coords += [c for s in range(0, size + 1, 5) for c in consistency_nodes(s, size)]
        for level, index in coords:
            assert level >= 0 and index >= 0
            assert (index + 1) << level <= size  # complete in the tree of this size
        # The root nodes tile [0, size): one per set bit, largest first.
        widths = [1 << level for level, _ in root_nodes(size)]
        assert sum(widths) == size and widths == sorted(widths, reverse=True)


def test_large_tree_node_counts():
    size = 10**7
    assert len(inclusion_nodes(size // 3, size)) <= 2 * size.bit_length()
    assert len(consistency_nodes(size // 3, size)) <= 2 * size.bit_length() + 1
    assert len(root_nodes(size)) == bin(size).count("1")


def test_missing_node_is_reported():
    tree = MemoryTree.from_leaves(LEAVES[:10])
    nodes = {c: tree[c] for c in inclusion_nodes(3, 10)}
    dropped = next(iter(nodes))
    del nodes[dropped]
    with pytest.raises(MissingNodeError, match=str(dropped)):
        inclusion_proof_from(3, 10, nodes)
    with pytest.raises(KeyError):  # MissingNodeError is a KeyError (and a LookupError)
        root_from(10, {})
    with pytest.raises(ValueError, match="32 bytes"):
        root_from(1, {(0, 0): b"short"})


def test_memory_tree_mapping():
    tree = MemoryTree.from_leaves(LEAVES[:7])
    assert tree.size == 7
    assert len(tree) == 7 + 3 + 1 == len(list(tree))
    assert set(tree) == {(0, i) for i in range(7)} | {(1, 0), (1, 1), (1, 2), (2, 0)}
    assert tree[0, 6] == leaf_hash(LEAVES[6])
    assert tree[2, 0] == naive_mth(LEAVES[:4])
    for bad in [(0, 7), (3, 0), (-1, 0), (0, -1), (1,), "x", None, (0.0, 0)]:
        assert bad not in tree
        with pytest.raises(KeyError):
            tree[bad]
    with pytest.raises(ValueError):
        tree.root(8)


def test_memory_tree_append_matches_batch_build():
    one_by_one = MemoryTree()
    for n, leaf in enumerate(LEAVES):
        one_by_one.append(leaf_hash(leaf))
        assert one_by_one.root() == naive_mth(LEAVES[: n + 1])
    assert dict(one_by_one) == dict(MemoryTree.from_leaves(LEAVES))
    with pytest.raises(ValueError):
        one_by_one.append(b"\x00" * 31)
    with pytest.raises(TypeError):
        one_by_one.append("not bytes")


@pytest.mark.parametrize("size_before", [0, 1, 2, 3, 5, 7, 8, 13, 16, 31, 33])
@pytest.mark.parametrize("count", [0, 1, 2, 3, 6, 9, 17])
def test_new_nodes_are_exactly_the_created_subtrees(size_before, count):
    before = MemoryTree.from_leaves(LEAVES[:size_before])
    after = MemoryTree.from_leaves(LEAVES[: size_before + count])
    hashes = [leaf_hash(d) for d in LEAVES[size_before : size_before + count]]
    edge = {c: before[c] for c in right_edge_nodes(size_before)}
    created = new_nodes(size_before, hashes, edge)
    assert created == {c: h for c, h in after.items() if c not in before}
    # Only the count-filtered edge is read ...
    needed = right_edge_nodes(size_before, count=count)
    assert set(needed) <= set(edge)
    assert new_nodes(size_before, hashes, {c: before[c] for c in needed}) == created
    # ... and the new right edge is available to the next batch without a store read.
    known = {**edge, **created}
    assert all(c in known for c in right_edge_nodes(size_before + count))
    assert root_from(size_before + count, known) == naive_mth(LEAVES[: size_before + count])
    for c in needed:
        with pytest.raises(MissingNodeError):
            new_nodes(size_before, hashes, {k: v for k, v in edge.items() if k != c})


def test_new_nodes_rejects_bad_leaf_hashes():
    with pytest.raises(ValueError):
        new_nodes(0, [b"\x00" * 33], {})
    with pytest.raises(TypeError):
        new_nodes(0, [None], {})
    with pytest.raises(ValueError):
        new_nodes(-1, [], {})


# --------------------------------------------------------------------------- tampering
def _flips(value: bytes):
    for bit in range(len(value) * 8):
        flipped = bytearray(value)
        flipped[bit // 8] ^= 1 << (bit % 8)
        yield bytes(flipped)


def test_inclusion_every_bit_flip_fails():
    for size in range(1, 13):
        leaves = LEAVES[:size]
        root = root_hash(leaves)
        for index in range(size):
            leaf, proof = leaf_hash(leaves[index]), inclusion_proof(leaves, index)
            assert verify_inclusion(leaf, index, size, proof, root)
            for k, element in enumerate(proof):
                for bad in _flips(element):
                    assert not verify_inclusion(leaf, index, size, proof[:k] + [bad] + proof[k + 1 :], root)
            for bad in _flips(root):
                assert not verify_inclusion(leaf, index, size, proof, bad)
            for bad in _flips(leaf):
                assert not verify_inclusion(bad, index, size, proof, root)


def test_consistency_every_bit_flip_fails():
    for size2 in range(2, 13):
        leaves = LEAVES[:size2]
        root2 = root_hash(leaves)
        for size1 in range(1, size2):
            root1, proof = root_hash(leaves[:size1]), consistency_proof(leaves, size1)
            assert verify_consistency(size1, size2, proof, root1, root2)
            for k, element in enumerate(proof):
                for bad in _flips(element):
                    assert not verify_consistency(size1, size2, proof[:k] + [bad] + proof[k + 1 :], root1, root2)
            for bad in _flips(root1):
                assert not verify_consistency(size1, size2, proof, bad, root2)
            for bad in _flips(root2):
                assert not verify_consistency(size1, size2, proof, root1, bad)


def naive_shape(m: int, n: int) -> list[bool]:
    """Bottom-up sides of the siblings on RFC PATH(m, D[0:n]): True where the sibling is on the left."""
    if n == 1:
        return []
    k = _k(n)
    return naive_shape(m, k) + [False] if m < k else naive_shape(m - k, n - k) + [True]


def test_wrong_positions_and_sizes_fail():
    leaves = LEAVES[:21]
    root = root_hash(leaves)
    for index in range(21):
        leaf, proof = leaf_hash(leaves[index]), inclusion_proof(leaves, index)
        for other in range(23):
            if other != index:
                assert not verify_inclusion(leaf, other, 21, proof, root)
        for size in range(1, 45):
            if size != 21:
                # A proof fixes the leaf's path, not the tree size: another size whose RFC path
                # has the same shape recomputes the same root (e.g. leaf 0 in 17 and 21 leaves).
                # The signed checkpoint, not the proof, binds (size, root).
                same_shape = index < size and naive_shape(index, size) == naive_shape(index, 21)
                assert verify_inclusion(leaf, index, size, proof, root) is same_shape
        assert not verify_inclusion(leaf, index, 21, proof + [root], root)
        assert not verify_inclusion(leaf, index, 21, [root] + proof, root)
        assert not verify_inclusion(leaf, index, 21, proof[:-1], root)


# --------------------------------------------------------------------------- malformed input
GOOD_LEAF = leaf_hash(LEAVES[5])
GOOD_PROOF = inclusion_proof(LEAVES[:11], 5)
GOOD_ROOT = root_hash(LEAVES[:11])
CONS_PROOF = consistency_proof(LEAVES[:11], 6)
CONS_ROOT1 = root_hash(LEAVES[:6])

NOT_HASHES = [None, "", "a" * 32, 32, b"", b"\x00" * 31, b"\x00" * 33, [b"\x00" * 32], memoryview(GOOD_ROOT), 1.5]


def stable_id(value) -> str:
    """A test id that is the same in every process: an object whose repr holds its address
    (a memoryview, an iterator, a bare object) is named by its type."""
    text = repr(value)
    return type(value).__name__ if " at 0x" in text else text
NOT_SIZES = [None, -1, -11, 1.0, 5.0, "5", b"5", True, False, 2**64, 2**70, [5], object()]
NOT_PROOFS = [None, b"", GOOD_PROOF[0], "abc", 3, {0: GOOD_PROOF[0]}, [None], [b"\x00" * 31] * 4,
              [p.hex() for p in GOOD_PROOF], iter(GOOD_PROOF), [GOOD_PROOF[0], 7, GOOD_PROOF[2], GOOD_PROOF[3]]]


def test_good_inputs_for_malformed_variants():
    assert verify_inclusion(GOOD_LEAF, 5, 11, GOOD_PROOF, GOOD_ROOT)
    assert verify_inclusion(bytearray(GOOD_LEAF), 5, 11, tuple(GOOD_PROOF), bytearray(GOOD_ROOT))
    assert verify_consistency(6, 11, CONS_PROOF, CONS_ROOT1, GOOD_ROOT)
    assert verify_consistency(6, 11, tuple(CONS_PROOF), bytearray(CONS_ROOT1), bytearray(GOOD_ROOT))


@pytest.mark.parametrize("bad", NOT_HASHES, ids=stable_id)
def test_inclusion_malformed_hashes_return_false(bad):
    assert verify_inclusion(bad, 5, 11, GOOD_PROOF, GOOD_ROOT) is False
    assert verify_inclusion(GOOD_LEAF, 5, 11, GOOD_PROOF, bad) is False
    assert verify_inclusion(GOOD_LEAF, 5, 11, [bad] + GOOD_PROOF[1:], GOOD_ROOT) is False


@pytest.mark.parametrize("bad", NOT_SIZES, ids=stable_id)
def test_inclusion_malformed_numbers_return_false(bad):
    assert verify_inclusion(GOOD_LEAF, bad, 11, GOOD_PROOF, GOOD_ROOT) is False
    assert verify_inclusion(GOOD_LEAF, 5, bad, GOOD_PROOF, GOOD_ROOT) is False


@pytest.mark.parametrize("bad", NOT_PROOFS, ids=stable_id)
def test_inclusion_malformed_proofs_return_false(bad):
    assert verify_inclusion(GOOD_LEAF, 5, 11, bad, GOOD_ROOT) is False


@pytest.mark.parametrize("bad", NOT_HASHES, ids=stable_id)
def test_consistency_malformed_hashes_return_false(bad):
    assert verify_consistency(6, 11, CONS_PROOF, bad, GOOD_ROOT) is False
    assert verify_consistency(6, 11, CONS_PROOF, CONS_ROOT1, bad) is False
    assert verify_consistency(6, 11, [bad] + CONS_PROOF[1:], CONS_ROOT1, GOOD_ROOT) is False


@pytest.mark.parametrize("bad", NOT_SIZES, ids=stable_id)
def test_consistency_malformed_numbers_return_false(bad):
    assert verify_consistency(bad, 11, CONS_PROOF, CONS_ROOT1, GOOD_ROOT) is False
    assert verify_consistency(6, bad, CONS_PROOF, CONS_ROOT1, GOOD_ROOT) is False


@pytest.mark.parametrize("bad", NOT_PROOFS, ids=stable_id)
def test_consistency_malformed_proofs_return_false(bad):
    assert verify_consistency(6, 11, bad, CONS_ROOT1, GOOD_ROOT) is False
    assert verify_consistency(6, 6, bad, CONS_ROOT1, CONS_ROOT1) is False


def test_consistency_edge_rules():
    r = root_hash(LEAVES[:4])
    assert verify_consistency(4, 4, [], r, r)
    assert not verify_consistency(4, 4, [r], r, r)  # equal sizes need an empty proof
    assert not verify_consistency(4, 4, [], r, GOOD_ROOT)
    assert verify_consistency(3, 3, [], b"any", b"any")  # compared as bytes (upstream probes)
    assert not verify_consistency(0, 0, [], r, r)  # size1 = 0 rejected before size1 = size2
    assert not verify_consistency(5, 4, [], r, r)
    assert not verify_consistency(4, 11, [], r, GOOD_ROOT)  # non-trivial with empty proof


# --------------------------------------------------------------------------- generator errors
@pytest.mark.parametrize("index", [-1, 11, 12, 2**64])
def test_inclusion_generators_reject_bad_index(index):
    with pytest.raises(ValueError, match="not in the tree" if index >= 0 else ">= 0"):
        inclusion_proof(LEAVES[:11], index)
    with pytest.raises(ValueError):
        inclusion_nodes(index, 11)
    with pytest.raises(ValueError):
        inclusion_proof_from(index, 11, MemoryTree.from_leaves(LEAVES[:11]))


def test_generators_reject_bad_sizes_and_types():
    with pytest.raises(ValueError):
        inclusion_proof([], 0)
    with pytest.raises(ValueError, match="larger than the tree"):
        consistency_proof(LEAVES[:11], 12)
    with pytest.raises(ValueError):
        consistency_proof(LEAVES[:11], -1)
    with pytest.raises(ValueError, match="larger than size2"):
        consistency_nodes(5, 4)
    with pytest.raises(ValueError):
        consistency_proof_from(5, 4, {})
    with pytest.raises(ValueError):
        root_nodes(-1)
    with pytest.raises(ValueError):
        merkle.range_nodes(5, 4)
    with pytest.raises(TypeError):
        inclusion_proof(LEAVES[:11], 1.0)
    with pytest.raises(TypeError):
        inclusion_proof(LEAVES[:11], True)
    with pytest.raises(TypeError):
        root_hash(b"not a list of leaves")
    with pytest.raises(TypeError):
        root_hash(None)
    with pytest.raises(TypeError):
        root_hash(["text leaf"])
