"""Accidental releases (突发环境事件): source terms, the heavy-gas test, dense and passive dispersion, threat zones.

A pure scientific core (numpy, shapely, pyproj; no database, no I/O) for the HJ 169-2018 accident
prediction chain: a chemical from :mod:`~parksteward.release.chemicals`, a release rate from the
Annex F source terms (:mod:`~parksteward.release.source_terms`), the Annex G Richardson-number test
choosing a dense-gas or a passive model (:mod:`~parksteward.release.dense_gas`,
:mod:`~parksteward.release.neutral`), and the areas above the toxic endpoints
(:mod:`~parksteward.release.zones`, :mod:`~parksteward.release.scenario`).

Every number recalled rather than checked carries ``verified=False`` and its ``source``; inputs
outside a correlation's range are refused (:class:`~parksteward.release.errors.OutOfValidity`),
never extrapolated silently.
"""
