"""Park registry: the park, its enterprises, outlets, monitoring points and devices,
sensitive receptors, risk sources and weather stations."""
