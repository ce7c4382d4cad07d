"""Install one collection out of the ansible community package's wheel.

    python hack/extract_collection.py WHEEL NAMESPACE.NAME COLLECTIONS_PATH

The wheel holds every collection it bundles as an installed collection (with its
MANIFEST.json and FILES.json) under ``ansible_collections/<namespace>/<name>/``. Only that
folder is written, to ``COLLECTIONS_PATH/ansible_collections/<namespace>/<name>/``, which
ansible-playbook and ansible-lint then find through ANSIBLE_COLLECTIONS_PATH. The folder is
filled beside its final place and renamed into it, so an interrupted run leaves no half
collection that looks installed.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import zipfile
from pathlib import Path, PurePosixPath


def extract(wheel: Path, collection: str, collections_path: Path) -> Path:
    namespace, name = collection.split(".")
    prefix = PurePosixPath("ansible_collections", namespace, name)
    target = collections_path / prefix
    staging = target.with_name(f".{name}.partial")
    shutil.rmtree(staging, ignore_errors=True)
    with zipfile.ZipFile(wheel) as archive:
        members = [info for info in archive.infolist() if PurePosixPath(info.filename).is_relative_to(prefix)]
        if not any(PurePosixPath(info.filename) == prefix / "MANIFEST.json" for info in members):
            raise SystemExit(f"{wheel.name} holds no installed collection {collection}")
        for info in members:
            if info.is_dir():
                continue
            relative = PurePosixPath(info.filename).relative_to(prefix)
            if ".." in relative.parts:
                raise SystemExit(f"{wheel.name}: refusing to write outside the collection: {info.filename}")
            destination = staging.joinpath(*relative.parts)
            destination.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(info) as source, destination.open("wb") as copy:
                shutil.copyfileobj(source, copy)
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wheel", type=Path)
    parser.add_argument("collection", help="NAMESPACE.NAME, such as awx.awx")
    parser.add_argument("collections_path", type=Path)
    args = parser.parse_args(argv)
    print(f"installed {args.collection} at {extract(args.wheel, args.collection, args.collections_path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
