"""`python -m missing_app` runs the command line (the window by default)."""

import sys

from missing_app.cli import main

sys.exit(main())
