"""Input checks shared by the dispersion modules: arrays in, clear errors out."""

from __future__ import annotations

import numpy as np

from parksteward.dispersion.errors import DispersionInputError

STABILITY_CLASSES = ("A", "B", "C", "D", "E", "F")  # Pasquill-Gifford; index 1-6 in arrays


def finite(name: str, value) -> np.ndarray:
    """``value`` as a float array; raises naming ``name`` if any element is NaN or infinite."""
    array = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(array)):
        raise DispersionInputError(name, "must be finite (found NaN or infinity)")
    return array


def positive(name: str, value, unit: str = "") -> np.ndarray:
    """``value`` as a float array of finite numbers > 0; raises naming ``name`` otherwise."""
    array = finite(name, value)
    if np.any(array <= 0):
        worst = float(np.min(array))
        raise DispersionInputError(name, f"must be > 0{' ' + unit if unit else ''} (found {worst:g})")
    return array


def non_negative(name: str, value, unit: str = "") -> np.ndarray:
    array = finite(name, value)
    if np.any(array < 0):
        raise DispersionInputError(name, f"must be >= 0{' ' + unit if unit else ''} (found {float(np.min(array)):g})")
    return array


def stability_index(value, name: str = "stability") -> np.ndarray:
    """Pasquill-Gifford classes as an int array 1-6 (A-F); accepts letters or integers.

    Raises
    ------
    DispersionInputError
        For anything but A-F / a-f / 1-6, naming the first bad value.
    """
    array = np.asarray(value)
    if array.dtype.kind in "iu":
        bad = (array < 1) | (array > 6)
        if np.any(bad):
            raise DispersionInputError(name, f"unknown stability class {array[bad].flat[0]!r}, expected A-F or 1-6")
        return array.astype(np.int8)
    flat = [str(v).strip().upper() for v in array.ravel()]
    out = np.empty(len(flat), dtype=np.int8)
    for i, letter in enumerate(flat):
        if letter not in STABILITY_CLASSES:
            raise DispersionInputError(name, f"unknown stability class {letter!r}, expected one of A-F")
        out[i] = STABILITY_CLASSES.index(letter) + 1
    return out.reshape(array.shape)


def filled(value, shape: tuple, where=None, fill=None) -> np.ndarray:
    """``value`` broadcast to ``shape`` as a writable copy, with ``fill`` wherever ``where`` is False.

    Result objects report every field at the receptors' shape; a quantity that means nothing at a
    receptor (a sigma upwind, inside a volume source) is reported as ``fill`` there.
    """
    out = np.broadcast_to(value, shape).copy()
    if fill is not None:
        out[~np.broadcast_to(where, shape)] = fill
    return out


def per_source(kind: str, names: tuple[str, ...], label: str, values, check, unit: str = "") -> np.ndarray:
    """``values`` broadcast to one float per source, each checked; an error names the parameter and the source."""
    array = np.broadcast_to(np.asarray(values, dtype=float), (len(names),)).copy()
    for i, value in enumerate(array):
        try:
            check(label, value, unit) if unit else check(label, value)
        except DispersionInputError as exc:
            raise DispersionInputError(f"{label} of {kind} {names[i]!r}", exc.message) from None
    return array
