"""flask-preflight: find Flask production hazards before they ship."""

__version__ = "0.1.0"
