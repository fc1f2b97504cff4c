"""`python -m pipelines.cli`: the same as the `hubmine` command."""

import sys

from pipelines.cli import main

sys.exit(main())
