"""Simulation: the demo park generator and (later) the device simulator."""
