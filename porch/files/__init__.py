"""porch's file-security core: stdlib only, no HTTP.

- ``paths``   pure, lexical: refused spellings, ``safe_join``, containment, safe file names
- ``policy``  the one gate: ``FilePolicy.check`` / ``open_for_serving`` / ``adopt_output`` /
              ``resolve_input``, each deciding with a ``Reason``
- ``cache``   the file cache: unguessable names, only issued entries count
- ``uploads`` streamed multipart uploads with limits (imports ``python_multipart``)
- ``media``   inline vs attachment, ranges, ETags
- ``limits``  ``FileSize`` and ``parse_size``

``uploads`` is not imported here, so importing ``porch.files`` stays stdlib-only.
"""

from __future__ import annotations

from .cache import CacheEntry as CacheEntry
from .cache import FileCache as FileCache
from .cache import PendingEntry as PendingEntry
from .cache import default_cache_base as default_cache_base
from .limits import FileSize as FileSize
from .limits import parse_size as parse_size
from .policy import Decision as Decision
from .policy import FilePolicy as FilePolicy
from .policy import FileRules as FileRules
from .policy import Reason as Reason
from .policy import ServedFile as ServedFile

__all__ = [
    "CacheEntry",
    "Decision",
    "FileCache",
    "FilePolicy",
    "FileRules",
    "FileSize",
    "PendingEntry",
    "Reason",
    "ServedFile",
    "default_cache_base",
    "parse_size",
]
