"""`python -m policykb`: the same command as `policykb` (how an MCP client can start the server from a virtualenv)."""

import sys

from policykb.cli import main

sys.exit(main())
