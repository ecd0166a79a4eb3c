"""Maps the one import name `rnnbench` onto the checkout's folders (the design card's top level).

`bench/` is `rnnbench` (the library, grouped by job, and the benchmark `pytest bench` collects),
`reports/` is `rnnbench.reports`, `suites/` is `rnnbench.suites` (the shipped suite files).
Subpackages are found in each folder, so a new one needs no edit here.
"""

from setuptools import find_packages, setup

FOLDERS = {"rnnbench": "bench", "rnnbench.reports": "reports", "rnnbench.suites": "suites"}

setup(
    package_dir=FOLDERS,
    packages=[
        f"{name}.{sub}" if sub else name
        for name, folder in FOLDERS.items()
        for sub in ["", *find_packages(folder)]
    ],
)
