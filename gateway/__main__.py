"""``python -m gateway``: the command's entry point, as the registry format documents it.

An entry point sits above every layer whatever its folder: it only hands over to the shell
(the layering test exempts ``__main__`` modules).
"""

import sys

from server.cli import main

sys.exit(main())
