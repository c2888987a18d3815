"""
Sphinx configuration for Mimic's documentation.

The API reference (``api/``) documents the installed ``mimic`` package
with autodoc (tox's ``docs`` environment installs it);
``repoze.sphinx.autointerface`` documents the zope.interface contracts
with their attributes and methods.  Docstrings are reStructuredText.
"""

import re

project = "Mimic"
author = "The Mimic developers"
copyright = "2026, The Mimic developers"
release = "3.0.0.dev0"

extensions: list[str] = [
    "sphinx.ext.autodoc",
    "repoze.sphinx.autointerface",
]
exclude_patterns = ["_build"]
html_theme = "alabaster"

# The API reference follows each module's own order, and shows types as
# they are written in the signatures rather than repeated in the text.
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_default_options = {"members": True, "show-inheritance": True}


_INTERFACE_REPR = re.compile(r"<InterfaceClass ([\w.]+)>")


def _name_interfaces(app, what, name, obj, options, signature, return_annotation):
    """
    An annotation naming a zope.interface interface (``request: IRequest``)
    reaches Sphinx as the interface object; show its dotted name rather
    than its repr.
    """

    def named(text):
        return text if text is None else _INTERFACE_REPR.sub(r"\1", text)

    return named(signature), named(return_annotation)


def setup(app):
    app.connect("autodoc-process-signature", _name_interfaces)
