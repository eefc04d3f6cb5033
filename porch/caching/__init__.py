"""Caching an event function's results by the content of its inputs (docs/caching.md).

Below `blocks` and `server` (it knows nothing of either): they tell it about the running
event through `porch.caching.scope`, and find cached functions with `is_cached`.
"""

from __future__ import annotations

from porch.caching.api import Cache as Cache
from porch.caching.api import cache as cache
from porch.caching.api import forget_session as forget_session
from porch.caching.api import uses_session_caches as uses_session_caches
from porch.caching.content import Unhashable as Unhashable
from porch.caching.scope import CacheMiss as CacheMiss
from porch.caching.wrappers import is_cached as is_cached
