"""
Packaging for Mimic.

``twisted/plugins/mimic_plugin.py`` is shipped as package data of the
``twisted`` namespace (with no ``__init__.py`` of ours), which is how a
distribution adds a ``twistd`` command: after a plain ``pip install .``,
``twistd -n mimic`` works.
"""

from setuptools import find_packages, setup

setup(
    name="mimic",
    version="3.0.0.dev0",
    description="A fake OpenStack and Rackspace cloud, on one port, for tests.",
    long_description=open("README.rst", encoding="utf-8").read(),
    long_description_content_type="text/x-rst",
    license="Apache-2.0",
    # The dashboard's page, script and style (MANIFEST.in names them).
    include_package_data=True,
    python_requires=">=3.10",
    packages=find_packages(include=["mimic", "mimic.*"]) + ["twisted.plugins"],
    # PEP 561: a plugin author's mypy reads Mimic's annotations.
    package_data={"mimic": ["py.typed"]},
    # The control API for shells and CI jobs: mimic tick 30, mimic fail ...
    entry_points={"console_scripts": ["mimic = mimic.command:main"]},
    install_requires=[
        "Twisted>=23.10",
        "klein>=23.5",
        "attrs>=23.1",
        "zope.interface>=6",
        "treq>=23.11",
        # Compute's keypairs generate real RSA keys and fingerprints.
        "cryptography>=41",
        # Client-supplied regular expressions (listing filters, failure
        # criteria) are matched in linear time: see mimic/patterns.py.
        "google-re2>=1.1",
        # --config reads TOML: the standard library's tomllib from 3.11,
        # its backport (the same code, kept by tomllib's author) before.
        'tomli>=1.1; python_version < "3.11"',
    ],
    classifiers=[
        "Framework :: Twisted",
        "License :: OSI Approved :: Apache Software License",
        "Programming Language :: Python :: 3",
        "Topic :: Software Development :: Testing",
    ],
)
