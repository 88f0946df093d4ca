from setuptools import find_packages, setup

package_name = "squat_virtual_athlete"

setup(
    name=package_name,
    version="0.1.0",
    packages=find_packages(exclude=["test"]),
    data_files=[
        ("share/ament_index/resource_index/packages", [f"resource/{package_name}"]),
        (f"share/{package_name}", ["package.xml"]),
    ],
    install_requires=["setuptools"],
    zip_safe=True,
    maintainer="squat coach maintainers",
    maintainer_email="maintainers@squat-coach.dev",
    description="The virtual athlete of squat coach: a rendered squatting person with exact "
                "ground truth, as a camera node and an offline renderer.",
    license="Apache-2.0",
    tests_require=["pytest"],
    entry_points={
        "console_scripts": [
            "virtual_camera_node = squat_virtual_athlete.executables:virtual_camera_node",
            "render_athlete = squat_virtual_athlete.executables:render_athlete",
        ],
    },
)
