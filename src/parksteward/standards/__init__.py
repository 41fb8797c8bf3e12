"""Chinese environmental standards as versioned data, and the rules built on them.

- :mod:`.library` — limit values (GB 3095, GB 16297, GB 37822, GB 31571, GB 8978, GB 18918, GB 3838,
  GB 12348, HJ 169, HJ 941) loaded from ``data/*.yaml``, validated, queried by date-aware edition;
- :mod:`.assignment` — which standard and limits a monitoring point gets by default;
- :mod:`.risk_grading` — HJ 941-2018 enterprise environmental risk grading.
"""
