"""Memory that stays flat in a server that renders for several clients at once.

``pipeline.build`` reclaims the young objects a leaflet leaves, and the CLI sets Python's
automatic passes far apart (both right for a batch worker, which renders one leaflet at a
time). In a server, renders overlap: the objects of renders still in flight survive those
young passes and are promoted to the old generations, which the automatic passes then almost
never reach, so memory grew by about 0.37 MB a request. A full pass every so many renders
reclaims them; it costs a few milliseconds, spread over that many renders.
"""

from __future__ import annotations

import gc
import itertools
import threading

FULL_PASS_EVERY = 32  # renders


class Collector:
    """Counts renders (from any thread) and runs a full collection every ``every``."""

    def __init__(self, every: int = FULL_PASS_EVERY):
        self.every = every
        self._count = itertools.count(1)  # next() is atomic under the GIL
        self._lock = threading.Lock()  # one full pass at a time
        self.full_passes = 0

    def after_render(self) -> None:
        if next(self._count) % self.every:
            return
        if self._lock.acquire(blocking=False):  # another thread is collecting: enough
            try:
                gc.collect()
                self.full_passes += 1
            finally:
                self._lock.release()
