"""Sphinx configuration of the temba_client documentation."""

import os
import sys

sys.path.insert(0, os.path.abspath(".."))

import temba_client  # noqa: E402

project = "temba_client"
author = "the temba_client authors"
copyright = "2026, the temba_client authors"
version = release = temba_client.__version__

extensions = ["sphinx.ext.autodoc", "sphinx.ext.viewcode"]
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"undoc-members": False}
nitpicky = False
exclude_patterns = ["_build"]
html_theme = "alabaster"
