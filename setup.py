"""Maps the repository's folders onto the `lacuna` import package.

The design card keeps proto/, server/ and client/ at the top of the repository;
they install as lacuna.proto, lacuna.server and lacuna.client.
"""

from setuptools import find_packages, setup

FOLDERS = {"lacuna.proto": "proto", "lacuna.server": "server", "lacuna.client": "client"}

packages = ["lacuna"] + [f"lacuna.{sub}" for sub in find_packages("lacuna")]
package_dir = {"lacuna": "lacuna"}
for name, folder in FOLDERS.items():
    packages.append(name)
    package_dir[name] = folder
    packages += [f"{name}.{sub}" for sub in find_packages(folder)]

setup(packages=packages, package_dir=package_dir,
      package_data={"lacuna.proto.lacuna.v1": ["*.proto", "*.pyi"],
                    "lacuna.server.omission": ["weights/*.json"]}, include_package_data=True)
