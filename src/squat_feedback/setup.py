from glob import glob

from setuptools import find_packages, setup

package_name = "squat_feedback"

setup(
    name=package_name,
    version="0.1.0",
    packages=find_packages(exclude=["test"]),
    data_files=[
        ("share/ament_index/resource_index/packages", [f"resource/{package_name}"]),
        (f"share/{package_name}", ["package.xml"]),
        (f"share/{package_name}/knowledge", glob("knowledge/*.md")),
        (f"share/{package_name}/knowledge/ko", glob("knowledge/ko/*.md")),
    ],
    install_requires=["setuptools"],
    zip_safe=True,
    maintainer="squat coach maintainers",
    maintainer_email="maintainers@squat-coach.dev",
    description="Coaching feedback grounded in a fitness knowledge base (LangChain + Qdrant).",
    license="Apache-2.0",
    tests_require=["pytest"],
    entry_points={
        "console_scripts": [
            "feedback_node = squat_feedback.executables:feedback_node",
            "speech_node = squat_feedback.executables:speech_node",
        ],
    },
)
