"""``python -m sandbox.banks.line`` runs the line-profile sandbox bank (see ``line_bank``)."""

from sandbox.banks.line_bank import main

if __name__ == "__main__":
    main()
