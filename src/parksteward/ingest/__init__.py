"""Ingestion: raw-frame archive, decoding, validation, storage of readings, roll-ups, and the
TCP / MQTT / HTTP adapters that feed them."""
