"""Bringing labeling from elsewhere in as leaflet sources (FDA SPL first)."""
