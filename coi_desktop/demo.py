"""The demo's generated world: customers, projects, vendors, profiles and 160 submissions."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coi_desktop.samples.world import World


def build_demo_world(now: datetime, seed: int = 7, n_submissions: int = 160) -> World:
    """Generate the world the demo's sandbox serves (needs a source checkout for the form)."""
    from coi_desktop.samples import find_blank_form
    from coi_desktop.samples.world import build_world

    return build_world(seed, now, n_submissions=n_submissions, blank_form=find_blank_form())
