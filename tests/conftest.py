"""Make the checkout importable as ``ansible_collections.webfarm.iis_cluster``.

The repository root is the collection root; Python finds the collection's code only below an
``ansible_collections/<namespace>/<name>`` folder, so one is linked inside ``.tmp``.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COLLECTIONS = ROOT / ".tmp" / "collections"
LINK = COLLECTIONS / "ansible_collections" / "webfarm" / "iis_cluster"

if not LINK.exists():
    LINK.parent.mkdir(parents=True, exist_ok=True)
    LINK.symlink_to(ROOT, target_is_directory=True)
if str(COLLECTIONS) not in sys.path:
    sys.path.insert(0, str(COLLECTIONS))
