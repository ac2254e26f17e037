import sys

from closer.cli import main

sys.exit(main())
