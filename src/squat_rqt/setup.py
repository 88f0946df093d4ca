from glob import glob

from setuptools import find_packages, setup

package_name = "squat_rqt"

setup(
    name=package_name,
    version="0.1.0",
    packages=find_packages(exclude=["test"]),
    data_files=[
        ("share/ament_index/resource_index/packages", [f"resource/{package_name}"]),
        (f"share/{package_name}", ["package.xml", "plugin.xml"]),
        (f"share/{package_name}/resource", glob("resource/*.ui")),
    ],
    install_requires=["setuptools"],
    zip_safe=True,
    maintainer="squat coach maintainers",
    maintainer_email="maintainers@squat-coach.dev",
    description="rqt plugin for trainers: the squat coach session at a glance.",
    license="Apache-2.0",
    tests_require=["pytest"],
    entry_points={
        "console_scripts": [
            "trainer = squat_rqt.executables:trainer",
        ],
    },
)
