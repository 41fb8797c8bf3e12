"""Build of the optional C fast path; everything else is declared in pyproject.toml.

``parksteward.hj212._speedups`` speeds up HJ 212 decoding in the ingestion gateway. It is
optional (``optional=True``): without a C compiler or Python headers the build prints a
warning and the package installs with its pure-Python code, which gives the same results.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "parksteward.hj212._speedups",
            sources=["src/parksteward/hj212/_speedups.c"],
            optional=True,
        ),
    ],
)
