"""Security settings shared by every environment (imported at the end of base.py)."""
