"""Model runs of the park: scenarios read from the registry and stored data, run by the pure
cores (:mod:`parksteward.dispersion`), reported as statistics, grids and contours."""
