"""Air dispersion: the regulatory Gaussian plume (ISC3/SCREEN3 conventions), meteorology,
receptors and the HJ 2.2-2018 statistics, as pure vectorised functions (numpy only).

Methods and their sources are in each module's docstrings; building downwash and complex
terrain are out of scope and refused (:class:`~parksteward.dispersion.errors.OutOfScope`).
"""
