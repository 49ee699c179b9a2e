"""``python -m kiosk.app``: see :func:`kiosk.app.main.main`."""

import sys

from kiosk.app.main import main

sys.exit(main())
