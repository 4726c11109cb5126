import re
from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).parent
VERSION = re.search(r'__version__ = "([^"]+)"', (HERE / "temba_client" / "__init__.py").read_text()).group(1)

setup(
    name="rapidpro-python",
    version=VERSION,
    description="Python client for the RapidPro HTTP API v2: a drop-in replacement for rapidpro-python",
    long_description=(HERE / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    license="BSD-3-Clause",
    packages=find_packages(include=["temba_client", "temba_client.*"]),
    package_data={"temba_client": ["py.typed"]},
    python_requires=">=3.9",
    # requests 2.32.4 is the first without its known credential leaks (Proxy-Authorization on
    # redirects, verify=False sticking, .netrc). urllib3: any that requests takes from 1.26 on
    # (botocore pins urllib3<1.27 on Python 3.9): the client bounds decompression, checks a body
    # against its Content-Length and keeps its deadline itself (temba_client/bodies.py).
    install_requires=["requests>=2.32.4", "urllib3>=1.26", "python-dateutil>=2.8"],
    extras_require={
        "fast": ["orjson>=3.9", "msgspec>=0.18"],
        # progress bars (tqdm's, in a terminal or a notebook) for progress=True and the rapidpro command
        "progress": ["tqdm>=4.62"],
        "test": [
            "pytest>=7",
            "pytest-cov>=4",
            "pytest-xdist>=3",
            "hypothesis>=6",
            "orjson>=3.9",
            "msgspec>=0.18",
            "mypy>=1.8",
            "pyright[nodejs]>=1.1.380",
            "types-requests",
            "types-python-dateutil",
            # the optional libraries, so that their tests run (and count for coverage) on every Python;
            # pip picks the newest release each interpreter has (on 3.9: dlt 1.28, duckdb 1.4)
            "dlt[duckdb]>=1.0",
            "pandas>=1.5",
            "pyarrow>=12",
            # progress: tqdm's bars, and a real Jupyter kernel to show its notebook widget in
            "tqdm>=4.62",
            "nbclient>=0.7",
            "nbformat>=5",
            "ipykernel>=6",
            "ipywidgets>=8",
        ],
        "docs": ["sphinx>=7"],
        "parquet": ["pyarrow>=12"],
        "pandas": ["pandas>=1.5"],
        "dlt": ["dlt[duckdb]>=1.0"],
        "dev": ["ruff>=0.5", "mypy>=1.8", "types-requests", "types-python-dateutil", "sphinx>=7", "tox>=4"],
    },
    classifiers=[
        "Development Status :: 5 - Production/Stable",
        "Intended Audience :: Developers",
        "License :: OSI Approved :: BSD License",
        "Programming Language :: Python :: 3",
        "Programming Language :: Python :: 3 :: Only",
        "Programming Language :: Python :: 3.9",
        "Programming Language :: Python :: 3.10",
        "Programming Language :: Python :: 3.11",
        "Programming Language :: Python :: 3.12",
        "Programming Language :: Python :: 3.13",
        "Topic :: Software Development :: Libraries",
        "Typing :: Typed",
    ],
    entry_points={
        "pytest11": ["temba_client = temba_client.pytest_plugin"],
        "console_scripts": ["rapidpro = temba_client.export.command:main"],
    },
    zip_safe=False,
)
