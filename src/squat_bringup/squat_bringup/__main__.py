"""`python -m squat_bringup ARGS` is `coach ARGS` (scripts/coach runs it)."""

import sys

from squat_bringup.executables import coach

sys.exit(coach())
