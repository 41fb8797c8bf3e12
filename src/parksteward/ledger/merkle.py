r"""RFC 9162 (RFC 6962) Merkle trees: hashes, inclusion and consistency proofs.

The notarization log is an append-only list of byte strings (leaves). A **Merkle tree
hash** (MTH) commits to the whole list with 32 bytes, and two kinds of short proofs let
anyone check a claim about the list against that hash, without seeing the list:

* an **inclusion proof** shows that leaf ``d`` is at position ``m`` in the tree of ``n``
  leaves (about log2 n hashes, RFC 9162 §2.1.3);
* a **consistency proof** shows that the tree of ``n1`` leaves is a prefix of the tree of
  ``n2`` leaves, i.e. that the log only grew (RFC 9162 §2.1.4).

Hashing (RFC 9162 §2.1.1, unchanged from RFC 6962 §2.1), with H = SHA-256::

    MTH({})        = H()                                       # empty tree
    MTH({d0})      = H(0x00 || d0)                             # leaf hash
    MTH(D[0:n])    = H(0x01 || MTH(D[0:k]) || MTH(D[k:n]))     # k: largest power of 2 < n

The 0x00 / 0x01 prefixes keep leaf and interior hashes apart, so a forged "leaf" can never
be the concatenation of two child hashes. Unlike Bitcoin-style trees, a node without a right
sibling is *promoted* unchanged, never paired with a copy of itself.

Perfect subtrees
----------------
Every interior hash of the tree is either a **perfect subtree** (a full binary tree of
``2**level`` leaves, aligned on a multiple of its width) or a fold of perfect subtrees along
the tree's right edge. This module names a perfect subtree by ``(level, index)``: level 0
holds the leaf hashes and node ``(l, i)`` covers the leaves ``[i * 2**l, (i + 1) * 2**l)``.
A perfect subtree never changes once complete, so a log store keeps exactly these hashes
(one row each, written once) and answers any proof for any past tree size with ``O(log n)``
look-ups and no rehashing. A range ``[a, b)`` that is not perfect (only ever at the right
edge) hashes as the right fold of its perfect subtrees, largest first::

    MTH(D[a:b]) = node(P1, node(P2, ... node(Pk-1, Pk)))

Two layers share one implementation:

* ``*_nodes`` functions say which perfect subtrees a proof or a root needs (one batch
  look-up for a store), ``*_from`` functions compute the proof or root from a mapping
  ``(level, index) -> hash`` holding them;
* the list-based functions (:func:`root_hash`, :func:`inclusion_proof`,
  :func:`consistency_proof`) build all perfect subtrees of the leaf list once, bottom up
  ("pair, the odd one waits"), in a :class:`MemoryTree`, and call the ``*_from`` functions.

Appending to a stored tree uses :func:`new_nodes`, which hashes a batch of new leaf hashes
into the perfect subtrees they complete, with the few old right-edge hashes
(:func:`right_edge_nodes`) as the only input from the store.

Verification follows RFC 9162 §2.1.3.2 and §2.1.4.2 with the stricter checks of the
reference Go library (transparency-dev/merkle): the exact proof length is derived from the
indices and checked before any hashing, every hash must be 32 bytes, and a consistency proof
from the empty tree is rejected. The verifiers return ``False`` for any malformed input and
never raise, so callers can feed them untrusted data directly.

Indices are 0-based throughout. This module does no I/O.

References
----------
.. [1] B. Laurie, E. Messeri, R. Stradling, "Certificate Transparency Version 2.0",
   RFC 9162, 2021, §2.1.
.. [2] B. Laurie, A. Langley, E. Kasper, "Certificate Transparency", RFC 6962, 2013, §2.1.
.. [3] transparency-dev/merkle, Go library, packages ``proof`` and ``compact``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping, Sequence

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "MAX_TREE_SIZE",
    "MemoryTree",
    "MissingNodeError",
    "consistency_nodes",
    "consistency_proof",
    "consistency_proof_from",
    "inclusion_nodes",
    "inclusion_proof",
    "inclusion_proof_from",
    "leaf_hash",
    "new_nodes",
    "node_hash",
    "range_nodes",
    "right_edge_nodes",
    "root_from",
    "root_hash",
    "root_nodes",
    "verify_consistency",
    "verify_inclusion",
]

#: Size of every hash in the tree (SHA-256), in bytes.
HASH_SIZE = 32
#: Root hash of the empty tree, SHA-256 of the empty string (RFC 9162 §2.1.1).
EMPTY_ROOT = hashlib.sha256(b"").digest()
#: Largest tree size the verifiers accept: RFC 9162 encodes tree sizes and leaf indices as
#: uint64, and anything larger can only come from a malformed or hostile input.
MAX_TREE_SIZE = 2**64 - 1

_sha256 = hashlib.sha256
_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"

Node = tuple[int, int]
"""A perfect subtree ``(level, index)``, covering leaves ``[index << level, (index + 1) << level)``."""


class MissingNodeError(KeyError):
    """A perfect-subtree hash needed by a ``*_from`` function is not in the given mapping."""


# --------------------------------------------------------------------------- hashing
def leaf_hash(data: bytes) -> bytes:
    """Hash of a leaf, ``SHA-256(0x00 || data)`` (RFC 9162 §2.1.1).

    Parameters
    ----------
    data : bytes
        The leaf's raw data (any bytes-like object).

    Returns
    -------
    bytes
        The 32-byte leaf hash.
    """
    h = _sha256(_LEAF_PREFIX)
    h.update(data)  # update() takes any buffer, and avoids copying large leaves
    return h.digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Hash of an interior node, ``SHA-256(0x01 || left || right)`` (RFC 9162 §2.1.1).

    Parameters
    ----------
    left, right : bytes
        Hashes of the left and right children. Their length is not checked: the RFC test
        vectors hash short strings, and the tree only ever passes 32-byte hashes.

    Returns
    -------
    bytes
        The 32-byte node hash.
    """
    return _sha256(_NODE_PREFIX + left + right).digest()


# --------------------------------------------------------------------------- argument checks
def _check_int(name: str, value: object) -> int:
    # bool is an int subclass; a True index is a caller bug, not leaf 1.
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value}")
    return value


def _check_hash(name: str, value: object) -> bytes:
    if not isinstance(value, (bytes, bytearray)):
        raise TypeError(f"{name} must be bytes, not {type(value).__name__}")
    if len(value) != HASH_SIZE:
        raise ValueError(f"{name} must be {HASH_SIZE} bytes, got {len(value)}")
    return bytes(value)


def _check_leaves(leaves: object) -> Sequence[bytes]:
    # A bytes object is a Sequence too (of ints); refusing it catches root_hash(b"...") mistakes.
    if isinstance(leaves, (bytes, bytearray, str)) or not isinstance(leaves, Sequence):
        raise TypeError(f"leaves must be a list of bytes, not {type(leaves).__name__}")
    return leaves


# --------------------------------------------------------------------------- tree geometry
def _trailing_zeros(n: int) -> int:
    return (n & -n).bit_length() - 1


def range_nodes(begin: int, end: int) -> list[Node]:
    """Perfect subtrees covering the leaf range ``[begin, end)``, left to right.

    Each step takes the widest subtree that starts at ``begin`` (aligned on its width) and
    fits before ``end``; the result is the unique minimal cover (transparency-dev's
    *compact range*). For ``begin == 0`` the widths strictly decrease, which is why a
    right-edge range hashes as the right fold of its nodes, largest first.

    Parameters
    ----------
    begin, end : int
        Leaf indices, ``0 <= begin <= end``.

    Returns
    -------
    list of (int, int)
        ``(level, index)`` of each perfect subtree, in leaf order; empty if ``begin == end``.
    """
    _check_int("begin", begin)
    _check_int("end", end)
    if begin > end:
        raise ValueError(f"range [{begin}, {end}) is reversed")
    out = []
    while begin < end:
        level = (end - begin).bit_length() - 1  # widest that fits
        if begin:
            level = min(level, _trailing_zeros(begin))  # widest aligned at begin
        out.append((level, begin >> level))
        begin += 1 << level
    return out


def root_nodes(size: int) -> list[Node]:
    """Perfect subtrees whose hashes make the root of the tree of ``size`` leaves.

    One node per set bit of ``size``, largest first (RFC 9162 §2.1.1: the root is their right
    fold, see :func:`root_from`). Also known as the tree's compact range or right edge.

    Parameters
    ----------
    size : int
        Tree size, ``>= 0``.

    Returns
    -------
    list of (int, int)
        At most ``size.bit_length()`` coordinates; empty for the empty tree.
    """
    return range_nodes(0, _check_int("size", size))


def right_edge_nodes(size: int, *, count: int | None = None) -> list[Node]:
    """Old perfect subtrees that appending leaves to a tree of ``size`` leaves may need.

    A new perfect subtree created by an append has, at most, an *old* left child: the
    complete subtree just before the old end, i.e. one of :func:`root_nodes` of ``size``
    (a subtree ``(l, i)`` with bit ``l`` of ``size`` set). These are the only stored hashes
    :func:`new_nodes` reads. After the append, ``right_edge_nodes(new_size)`` are all
    among the old edge and the new nodes, so a store can keep them for the next batch.

    Parameters
    ----------
    size : int
        Tree size before the append.
    count : int, optional
        Number of leaves about to be appended. If given, only the nodes this append will
        actually read are returned (a subset); if omitted, the whole right edge.

    Returns
    -------
    list of (int, int)
        ``(level, index)`` coordinates, largest first.
    """
    edge = root_nodes(size)
    if count is None:
        return edge
    new_size = size + _check_int("count", count)
    # (l, i) is read iff the append completes its parent (l + 1, i // 2).
    return [(lv, i) for lv, i in edge if (new_size >> (lv + 1)) > (size >> (lv + 1))]


def _path_plan(index: int, level: int, size: int) -> tuple[list[Node], list[Node], list[Node]]:
    """Nodes proving that perfect subtree ``(level, index)`` is in the tree of ``size`` leaves.

    Returns ``(siblings, right, left)``:

    * ``siblings``: the sibling of the node and of each ancestor up to the *fork*, the
      highest ancestor that is still complete in the tree of ``size`` leaves (found where
      ``index`` and ``size >> level`` first differ). Each is one proof entry, bottom-up.
    * ``right``: the perfect subtrees of ``[end of fork, size)``, the incomplete right
      sibling of the fork. They fold into *one* proof entry (the RFC's MTH of that range).
    * ``left``: the perfect subtrees of ``[0, start of fork)``, left siblings of the
      fork's right-edge ancestors, one proof entry each, nearest (smallest) first.

    This is RFC 9162 §2.1.3.1 PATH unrolled: the recursion splits at powers of two, and
    its MTH arguments are exactly these ranges (transparency-dev ``proof.nodes``).
    Requires ``index < size >> level``.
    """
    # The fork is where the paths from the root to (level, index) and to leaf `size` split;
    # index < size >> level, so they differ and index has a 0 bit there: the fork is a left
    # child whose whole range lies below size.
    inner = (index ^ (size >> level)).bit_length() - 1
    siblings = [(level + k, (index >> k) ^ 1) for k in range(inner)]
    fork_level, fork_index = level + inner, index >> inner
    begin = fork_index << fork_level
    end = begin + (1 << fork_level)
    return siblings, range_nodes(end, size), range_nodes(0, begin)


def inclusion_nodes(index: int, size: int) -> list[Node]:
    """Perfect subtrees whose hashes an inclusion proof needs (RFC 9162 §2.1.3.1).

    Parameters
    ----------
    index : int
        Leaf index, ``0 <= index < size``.
    size : int
        Tree size.

    Returns
    -------
    list of (int, int)
        Distinct ``(level, index)`` coordinates, at most about ``2 * log2(size)``, in the
        order :func:`inclusion_proof_from` uses them.

    Raises
    ------
    ValueError
        If ``index`` is not in ``[0, size)``.
    """
    _check_index(index, size)
    siblings, right, left = _path_plan(index, 0, size)
    return siblings + right + left


def consistency_nodes(size1: int, size2: int) -> list[Node]:
    """Perfect subtrees whose hashes a consistency proof needs (RFC 9162 §2.1.4.1).

    Parameters
    ----------
    size1, size2 : int
        Old and new tree sizes, ``0 <= size1 <= size2``.

    Returns
    -------
    list of (int, int)
        Distinct coordinates, in the order :func:`consistency_proof_from` uses them; empty
        when ``size1 == 0`` or ``size1 == size2`` (nothing to prove).

    Raises
    ------
    ValueError
        If ``size1 > size2`` or a size is negative.
    """
    seed, siblings, right, left = _consistency_plan(size1, size2)
    return ([seed] if seed else []) + siblings + right + left


def _check_index(index: int, size: int) -> None:
    _check_int("index", index)
    _check_int("size", size)
    if index >= size:
        raise ValueError(f"leaf index {index} is not in the tree of size {size}")


def _consistency_plan(size1: int, size2: int) -> tuple[Node | None, list[Node], list[Node], list[Node]]:
    _check_int("size1", size1)
    _check_int("size2", size2)
    if size1 > size2:
        raise ValueError(f"size1 ({size1}) is larger than size2 ({size2})")
    if size1 == 0 or size1 == size2:
        return None, [], [], []
    # The largest perfect subtree that ends at size1: the old tree's last (smallest) root node.
    # The proof is its hash, then the inclusion path of that subtree into the new tree
    # (RFC 9162 §2.1.4.1 SUBPROOF, unrolled as in transparency-dev proof.consistency).
    level = _trailing_zeros(size1)
    index = (size1 - 1) >> level
    siblings, right, left = _path_plan(index, level, size2)
    # If size1 is a power of two, that subtree *is* the old root, which the verifier already
    # holds: RFC SUBPROOF with b = true omits it.
    return ((level, index) if index else None), siblings, right, left


# --------------------------------------------------------------------------- from stored nodes
def _lookup(nodes: Mapping[Node, bytes], node: Node) -> bytes:
    try:
        value = nodes[node]
    except KeyError:
        raise MissingNodeError(f"no hash for perfect subtree (level, index) = {node}") from None
    if not isinstance(value, (bytes, bytearray)) or len(value) != HASH_SIZE:
        raise ValueError(f"hash of perfect subtree {node} is not {HASH_SIZE} bytes")
    return bytes(value)


def _fold(nodes: Mapping[Node, bytes], coords: list[Node]) -> bytes:
    # Right fold, largest (leftmost) first: MTH = node(P1, node(P2, ... Pk)).
    h = _lookup(nodes, coords[-1])
    for c in reversed(coords[:-1]):
        h = node_hash(_lookup(nodes, c), h)
    return h


def _assemble(nodes: Mapping[Node, bytes], siblings: list[Node], right: list[Node], left: list[Node]) -> list[bytes]:
    proof = [_lookup(nodes, c) for c in siblings]
    if right:
        proof.append(_fold(nodes, right))
    # Left nodes arrive largest first; going up the tree the nearest (smallest) comes first.
    proof.extend(_lookup(nodes, c) for c in reversed(left))
    return proof


def root_from(size: int, nodes: Mapping[Node, bytes]) -> bytes:
    """Root hash of the tree of ``size`` leaves from perfect-subtree hashes (RFC 9162 §2.1.1).

    Parameters
    ----------
    size : int
        Tree size, ``>= 0``.
    nodes : Mapping[(int, int), bytes]
        Must hold at least the hashes of :func:`root_nodes` ``(size)``.

    Returns
    -------
    bytes
        The 32-byte root; :data:`EMPTY_ROOT` for ``size == 0``.

    Raises
    ------
    MissingNodeError
        If a needed hash is absent (a ``KeyError``).
    """
    coords = root_nodes(size)
    return _fold(nodes, coords) if coords else EMPTY_ROOT


def inclusion_proof_from(index: int, size: int, nodes: Mapping[Node, bytes]) -> list[bytes]:
    """Inclusion proof from perfect-subtree hashes (RFC 9162 §2.1.3.1).

    Parameters
    ----------
    index : int
        Leaf index, ``0 <= index < size``.
    size : int
        Tree size.
    nodes : Mapping[(int, int), bytes]
        Must hold at least the hashes of :func:`inclusion_nodes` ``(index, size)``.

    Returns
    -------
    list of bytes
        The proof, bottom-up (sibling of the leaf first), as RFC 9162 PATH(index, D[0:size]).

    Raises
    ------
    ValueError
        If ``index`` is not in ``[0, size)``.
    MissingNodeError
        If a needed hash is absent.
    """
    _check_index(index, size)
    return _assemble(nodes, *_path_plan(index, 0, size))


def consistency_proof_from(size1: int, size2: int, nodes: Mapping[Node, bytes]) -> list[bytes]:
    """Consistency proof from perfect-subtree hashes (RFC 9162 §2.1.4.1).

    Parameters
    ----------
    size1, size2 : int
        Old and new tree sizes, ``0 <= size1 <= size2``.
    nodes : Mapping[(int, int), bytes]
        Must hold at least the hashes of :func:`consistency_nodes` ``(size1, size2)``.

    Returns
    -------
    list of bytes
        RFC 9162 PROOF(size1, D[0:size2]); empty when ``size1 == size2``, and also when
        ``size1 == 0`` (the RFC leaves it undefined; as in transparency-dev there is nothing
        to prove, and :func:`verify_consistency` rejects size1 = 0 in any case).

    Raises
    ------
    ValueError
        If ``size1 > size2`` or a size is negative.
    MissingNodeError
        If a needed hash is absent.
    """
    seed, siblings, right, left = _consistency_plan(size1, size2)
    proof = [_lookup(nodes, seed)] if seed else []
    return proof + _assemble(nodes, siblings, right, left)


# --------------------------------------------------------------------------- building trees
def _grow(size_before: int, hashes: list[bytes], old_left) -> Iterator[tuple[int, int, list[bytes]]]:
    """Hash new leaves into the perfect subtrees they complete, one level at a time.

    Yields ``(level, first_index, row)``: the new perfect subtrees of that level, with
    consecutive indices from ``first_index``. Level ``l`` gains indices
    ``[size_before >> l, size_after >> l)``. Pairs are hashed bottom up; an odd last node
    waits for a later append (in the RFC tree it is promoted, never duplicated). Only the
    first new node of a level can have an old left sibling, read through
    ``old_left(level, index)``.
    """
    level, first, row = 0, size_before, hashes
    while row:
        yield level, first, row
        if first & 1:  # our first node is a right child: pair it with the old left sibling
            row = [old_left(level, first - 1), *row]
            first -= 1
        row = [node_hash(row[k], row[k + 1]) for k in range(0, len(row) - 1, 2)]
        level, first = level + 1, first >> 1


def new_nodes(size_before: int, leaf_hashes: list[bytes], right_edge: Mapping[Node, bytes]) -> dict[Node, bytes]:
    """Perfect subtrees created by appending ``leaf_hashes`` to a tree of ``size_before`` leaves.

    This is the write path of a stored log: insert the returned hashes in the same
    transaction as the leaves, and every later root or proof is a few look-ups
    (:func:`root_from`, :func:`inclusion_proof_from`, :func:`consistency_proof_from`).
    Hashing cost is one node hash per new interior node (about ``len(leaf_hashes)``).

    Parameters
    ----------
    size_before : int
        Tree size before the append.
    leaf_hashes : list of bytes
        32-byte leaf hashes (:func:`leaf_hash`) of the new leaves, in order.
    right_edge : Mapping[(int, int), bytes]
        Hashes of the old tree's right edge, :func:`right_edge_nodes` ``(size_before)``
        (extra entries are ignored; with ``count=`` only the ones actually read).

    Returns
    -------
    dict
        ``(level, index) -> hash`` for every perfect subtree the append creates, including
        the new leaves themselves at level 0.

    Raises
    ------
    MissingNodeError
        If a right-edge hash that the append needs is absent.
    ValueError, TypeError
        If ``size_before`` or a leaf hash is malformed.
    """
    _check_int("size_before", size_before)
    hashes = [_check_hash("leaf hash", h) for h in leaf_hashes]
    out: dict[Node, bytes] = {}
    for level, first, row in _grow(size_before, hashes, lambda lv, i: _lookup(right_edge, (lv, i))):
        out.update(((level, first + k), h) for k, h in enumerate(row))
    return out


class MemoryTree(Mapping):
    """An in-memory Merkle tree keeping every perfect subtree hash, level by level.

    ``tree[level, index]`` is the hash of perfect subtree ``(level, index)``; the tree is a
    read-only ``Mapping`` of them, so it can be passed as ``nodes`` to :func:`root_from`,
    :func:`inclusion_proof_from` and :func:`consistency_proof_from`. Level ``l`` holds
    ``size >> l`` hashes; perfect subtrees never change, so the tree answers proofs for any
    earlier size as well. Memory is about two hashes per leaf.

    Parameters
    ----------
    leaf_hashes : iterable of bytes, optional
        Initial 32-byte leaf hashes (use :meth:`from_leaves` for raw leaf data).

    Examples
    --------
    >>> tree = MemoryTree.from_leaves([b"a", b"b", b"c"])
    >>> tree.size, len(tree)           # 3 leaves + 1 perfect pair
    (3, 4)
    >>> verify_inclusion(leaf_hash(b"c"), 2, 3, tree.inclusion_proof(2), tree.root())
    True
    """

    def __init__(self, leaf_hashes: Iterable[bytes] = ()):
        self._levels: list[list[bytes]] = [[]]
        self.extend(leaf_hashes)

    @classmethod
    def from_leaves(cls, leaves: Sequence[bytes]) -> MemoryTree:
        """Tree of raw leaf data (each leaf hashed with :func:`leaf_hash`)."""
        return cls([leaf_hash(d) for d in _check_leaves(leaves)])

    @property
    def size(self) -> int:
        """Number of leaves."""
        return len(self._levels[0])

    def append(self, leaf_hash: bytes) -> None:
        """Append one 32-byte leaf hash."""
        self.extend([leaf_hash])

    def extend(self, leaf_hashes: Iterable[bytes]) -> None:
        """Append 32-byte leaf hashes, hashing the perfect subtrees they complete."""
        hashes = [_check_hash("leaf hash", h) for h in leaf_hashes]
        levels = self._levels
        for level, first, row in _grow(self.size, hashes, lambda lv, i: levels[lv][i]):
            if level == len(levels):
                levels.append([])
            assert len(levels[level]) == first  # _grow continues each level where it stopped
            levels[level].extend(row)

    def level(self, level: int) -> Sequence[bytes]:
        """Hashes of the perfect subtrees at ``level`` (index order), read-only."""
        return tuple(self._levels[level]) if 0 <= level < len(self._levels) else ()

    def root(self, size: int | None = None) -> bytes:
        """Root hash of the first ``size`` leaves (default: all)."""
        return root_from(self.size if size is None else self._past(size), self)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """Inclusion proof of leaf ``index`` in the tree of the first ``size`` leaves."""
        return inclusion_proof_from(index, self.size if size is None else self._past(size), self)

    def consistency_proof(self, size1: int, size2: int | None = None) -> list[bytes]:
        """Consistency proof from the first ``size1`` leaves to the first ``size2`` (default: all)."""
        return consistency_proof_from(size1, self.size if size2 is None else self._past(size2), self)

    def _past(self, size: int) -> int:
        if _check_int("size", size) > self.size:
            raise ValueError(f"size {size} is larger than the tree ({self.size} leaves)")
        return size

    # Mapping protocol: (level, index) -> hash of a perfect subtree.
    def __getitem__(self, key: Node) -> bytes:
        try:
            level, index = key
        except (TypeError, ValueError):
            raise KeyError(key) from None
        # Refuse negative or non-int coordinates: Python's negative indexing would silently
        # return some other node's hash.
        if not (isinstance(level, int) and isinstance(index, int) and level >= 0 and index >= 0):
            raise KeyError(key)
        try:
            return self._levels[level][index]
        except IndexError:
            raise KeyError(key) from None

    def __iter__(self) -> Iterator[Node]:
        for level, row in enumerate(self._levels):
            for index in range(len(row)):
                yield level, index

    def __len__(self) -> int:
        return sum(len(row) for row in self._levels)

    def __repr__(self) -> str:
        return f"MemoryTree(size={self.size})"


# --------------------------------------------------------------------------- from a leaf list
def root_hash(leaves: list[bytes]) -> bytes:
    """Merkle tree hash MTH of a list of raw leaves (RFC 9162 §2.1.1).

    Parameters
    ----------
    leaves : list of bytes
        Raw leaf data; each is hashed with :func:`leaf_hash` here.

    Returns
    -------
    bytes
        The 32-byte root; :data:`EMPTY_ROOT` (SHA-256 of ``b""``) for an empty list.
    """
    tree = MemoryTree.from_leaves(leaves)
    return root_from(tree.size, tree)


def inclusion_proof(leaves: list[bytes], index: int) -> list[bytes]:
    """Inclusion proof PATH(index, D[0:n]) for leaf ``index`` of ``leaves`` (RFC 9162 §2.1.3.1).

    Parameters
    ----------
    leaves : list of bytes
        Raw leaf data of the whole tree.
    index : int
        0-based index of the leaf to prove.

    Returns
    -------
    list of bytes
        32-byte hashes, bottom-up; empty for a one-leaf tree.

    Raises
    ------
    ValueError
        If ``index`` is not in ``[0, len(leaves))``.
    """
    leaves = _check_leaves(leaves)
    _check_index(index, len(leaves))
    tree = MemoryTree.from_leaves(leaves)
    return inclusion_proof_from(index, tree.size, tree)


def consistency_proof(leaves: list[bytes], size1: int) -> list[bytes]:
    """Consistency proof PROOF(size1, D[0:n]) between the first ``size1`` leaves and all of them.

    RFC 9162 §2.1.4.1. The proof is empty when ``size1 == len(leaves)`` and, by convention
    (transparency-dev), when ``size1 == 0``: a witness that starts from the empty tree
    accepts any first tree with an empty proof, and :func:`verify_consistency` is not called.

    Parameters
    ----------
    leaves : list of bytes
        Raw leaf data of the newer (larger) tree.
    size1 : int
        Size of the older tree, ``0 <= size1 <= len(leaves)``.

    Returns
    -------
    list of bytes
        32-byte hashes.

    Raises
    ------
    ValueError
        If ``size1`` is negative or larger than ``len(leaves)``.
    """
    leaves = _check_leaves(leaves)
    _check_int("size1", size1)
    if size1 > len(leaves):
        raise ValueError(f"size1 ({size1}) is larger than the tree ({len(leaves)} leaves)")
    tree = MemoryTree.from_leaves(leaves)
    return consistency_proof_from(size1, tree.size, tree)


# --------------------------------------------------------------------------- verification
def _is_size(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_TREE_SIZE


def _is_hash(value: object) -> bool:
    return isinstance(value, (bytes, bytearray)) and len(value) == HASH_SIZE


def _is_proof(proof: object) -> bool:
    # list or tuple only: a bytes/str "proof" is a sequence too, of the wrong things.
    return isinstance(proof, (list, tuple)) and all(_is_hash(p) for p in proof)


def verify_inclusion(leaf_hash: bytes, index: int, size: int, proof: list[bytes], root: bytes) -> bool:
    """Check an inclusion proof (RFC 9162 §2.1.3.2, with the checks of ledger.md §4).

    The proof's length must be exactly ``inner + border``, where ``inner`` is the bit length
    of ``index ^ (size - 1)`` (levels where the leaf's ancestor has a sibling on both paths)
    and ``border`` the number of 1 bits of ``index >> inner`` (right-edge levels with a left
    sibling; at 0 bits the node is promoted). Extra, missing, prepended or appended elements
    are rejected before hashing.

    Parameters
    ----------
    leaf_hash : bytes
        32-byte hash of the leaf (:func:`leaf_hash` of its data).
    index : int
        0-based leaf index.
    size : int
        Tree size.
    proof : list of bytes
        32-byte hashes, bottom-up.
    root : bytes
        Expected root hash of the tree of ``size`` leaves.

    Returns
    -------
    bool
        True if the proof recomputes ``root``. False for any invalid or malformed input
        (wrong types, None, hashes not 32 bytes, ``index >= size``, negative or > 2**64 - 1
        numbers, wrong proof length); never raises.
    """
    try:
        if not (_is_size(index) and _is_size(size) and index < size):
            return False
        inner = (index ^ (size - 1)).bit_length()
        border = (index >> inner).bit_count()
        # Length first: rejects padded or truncated proofs (and huge garbage lists) before any work.
        if not (isinstance(proof, (list, tuple)) and len(proof) == inner + border):
            return False
        if not (_is_hash(leaf_hash) and _is_hash(root) and _is_proof(proof)):
            return False
        h = bytes(leaf_hash)
        for k in range(inner):
            # Bit k of index says whether the ancestor at level k is a right child.
            h = node_hash(proof[k], h) if (index >> k) & 1 else node_hash(h, proof[k])
        for p in proof[inner:]:
            h = node_hash(p, h)  # right edge: only left siblings (promotions need no entry)
        return h == root
    except Exception:  # pragma: no cover - the checks above should make this unreachable
        return False


def verify_consistency(size1: int, size2: int, proof: list[bytes], root1: bytes, root2: bytes) -> bool:
    """Check a consistency proof (RFC 9162 §2.1.4.2, with the checks of ledger.md §4).

    Order of checks, as in transparency-dev/merkle: ``size1 > size2`` rejects;
    ``size1 == 0`` rejects (a proof from the empty tree proves nothing; a protocol that
    starts from size 0 handles that case itself); ``size1 == size2`` accepts only an empty
    proof with ``root1 == root2`` compared as plain bytes; otherwise the proof must be
    non-empty, all hashes 32 bytes, and of the exact expected length.

    The proof's first entry is the hash of the largest perfect subtree ending at ``size1``
    (omitted when ``size1`` is a power of two: it is then ``root1``). From it, the entries
    that are left siblings rebuild ``root1``, and all entries rebuild ``root2``.

    Parameters
    ----------
    size1, size2 : int
        Old and new tree sizes.
    proof : list of bytes
        32-byte hashes (RFC 9162 PROOF(size1, D[0:size2])).
    root1, root2 : bytes
        Root hashes of the old and new trees.

    Returns
    -------
    bool
        True if the proof shows the tree of ``size1`` leaves with root ``root1`` is a prefix
        of the tree of ``size2`` leaves with root ``root2``. False for any invalid or
        malformed input; never raises.
    """
    try:
        if not (_is_size(size1) and _is_size(size2) and isinstance(proof, (list, tuple))):
            return False
        if not (isinstance(root1, (bytes, bytearray)) and isinstance(root2, (bytes, bytearray))):
            return False
        if size1 > size2 or size1 == 0:
            return False
        if size1 == size2:
            return len(proof) == 0 and bytes(root1) == bytes(root2)
        if not proof:
            return False
        shift = _trailing_zeros(size1)  # levels below the seed subtree (l, (size1 - 1) >> l)
        mask = (size1 - 1) >> shift  # the seed's index: its bits say left/right going up
        inner = ((size1 - 1) ^ (size2 - 1)).bit_length() - shift
        border = ((size1 - 1) >> (inner + shift)).bit_count()
        # The seed is in the proof unless size1 is a power of two (then it is root1 itself).
        if len(proof) != (1 if mask else 0) + inner + border:
            return False
        if not (_is_hash(root1) and _is_hash(root2) and _is_proof(proof)):
            return False
        seed, rest = (proof[0], proof[1:]) if mask else (bytes(root1), proof)
        h1 = h2 = seed
        for k in range(inner):
            if (mask >> k) & 1:  # left sibling: part of both trees
                h1 = node_hash(rest[k], h1)
                h2 = node_hash(rest[k], h2)
            else:  # right sibling: only in the new tree (the old tree ends at the seed)
                h2 = node_hash(h2, rest[k])
        for p in rest[inner:]:
            h1 = node_hash(p, h1)
            h2 = node_hash(p, h2)
        return h1 == root1 and h2 == root2
    except Exception:  # pragma: no cover - the checks above should make this unreachable
        return False
