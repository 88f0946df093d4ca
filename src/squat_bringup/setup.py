from glob import glob

from setuptools import find_packages, setup

package_name = "squat_bringup"

setup(
    name=package_name,
    version="0.1.0",
    packages=find_packages(exclude=["test"]),
    data_files=[
        ("share/ament_index/resource_index/packages", [f"resource/{package_name}"]),
        (f"share/{package_name}", ["package.xml"]),
        (f"share/{package_name}/config", glob("config/*")),
        # The launch files live at the top of the repository (launch/), installed from here.
        (f"share/{package_name}/launch", glob("../../launch/*.launch.py")),
        (f"share/{package_name}/rviz", glob("../../rviz/*.rviz")),
    ],
    install_requires=["setuptools"],
    zip_safe=True,
    maintainer="squat coach maintainers",
    maintainer_email="maintainers@squat-coach.dev",
    description="Starts squat coach: launch files, RViz configs, parameters, the coach runner.",
    license="Apache-2.0",
    tests_require=["pytest"],
    entry_points={
        "console_scripts": [
            "coach = squat_bringup.executables:coach",
            "session_recorder = squat_bringup.executables:session_recorder",
            "bag_player = squat_bringup.executables:bag_player",
        ],
    },
)
