"""ParkSteward: environmental management of an industrial park as one closed loop."""

__version__ = "0.1.0"
