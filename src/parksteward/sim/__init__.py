"""Simulation: the demo park generator and the live device simulator (``parksteward simulate``)."""
