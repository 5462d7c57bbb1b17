"""`python -m lacuna.client` = `lacuna score`."""

import sys

from lacuna.client.batch import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
