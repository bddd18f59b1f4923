"""The generator's model handles: :mod:`adaem_tasks.metering`, where they live.

They are shared with ``adaem-validate`` (which needs no generator extra), so they sit in
the core package; the generator's modules import them from here.
"""

from adaem_tasks import metering as _metering
from adaem_tasks.metering import *  # noqa: F403 - this module is the generator's name for it

__all__ = list(_metering.__all__)
