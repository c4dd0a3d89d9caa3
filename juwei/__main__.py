"""``python -m juwei …``: the same command line as the ``juwei`` script."""

from juwei.cli import main

if __name__ == "__main__":
    main()
