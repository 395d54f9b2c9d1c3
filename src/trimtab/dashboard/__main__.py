"""``python -m trimtab.dashboard STORAGE [--host ...] [--port ...]``."""

import sys

from trimtab.dashboard._server import main

sys.exit(main())
