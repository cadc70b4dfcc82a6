"""``python -m bench``: SYNTHETIC event generation and the "one million events" benchmark.

:mod:`bench.generate` resamples the real UCDP GED Syria rows into a canonical CSV of any size;
:mod:`bench.measure` times ingest, cold start and slider steps; :mod:`bench.__main__` is the
command line.
"""
