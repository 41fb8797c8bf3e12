"""Documents (文档): EIA reports, acceptance reports, permits, plans; stored with their hash and notarized."""
