"""Entry point of ``python -m skattchrome`` and of the ``skattchrome`` command.

The command line itself lives in :mod:`skattchrome._cli`; run
``skattchrome --help`` for its commands.
"""

import sys

from ._cli import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
