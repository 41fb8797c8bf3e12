"""Graded early warning: rules as data, the alarm lifecycle, notification routing, emergency plans."""
