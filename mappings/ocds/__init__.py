"""The OCDS 1.1 transforms: a section's public facts (``facts.py``) in, releases and compiled
records out, as pure functions (``releases.py``, ``blocks.py``, ``timeline.py``, ``merge.py``,
``values.py``, ``jsonout.py``). Loading the facts from the core is ``exchange/ocds/``."""
