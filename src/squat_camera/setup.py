from setuptools import find_packages, setup

package_name = "squat_camera"

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
    description="usb_cam-style camera node for squat coach.",
    license="Apache-2.0",
    tests_require=["pytest"],
    entry_points={
        "console_scripts": [
            "camera_node = squat_camera.executables:camera_node",
        ],
    },
)
