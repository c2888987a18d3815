"""
Sphinx configuration for Mimic's documentation.
"""

project = "Mimic"
author = "The Mimic developers"
copyright = "2026, The Mimic developers"
release = "3.0.0.dev0"

extensions: list[str] = []
exclude_patterns = ["_build"]
html_theme = "alabaster"
