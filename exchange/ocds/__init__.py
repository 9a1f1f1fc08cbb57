"""OCDS 1.1 publication of the trading core, one contracting process per tendering of a section.

The builder reads the core's tables (and, for the few moments the tables do not keep, the outbox)
through a session and returns plain dicts: no transport, so the REST API serves them today and the
exchange engine can push them to an OCDS feed later. Nothing about a bid is read before its
round's opening record is signed: the sealed stage leaves no trace in the output.

Here the loading: ``loader.py`` reads the public facts of a section (each stage as
``core.services.public_record`` allows), ``packages.py`` wraps them in release and record
packages, ``settings.py`` reads who publishes from the environment. The transforms themselves
are pure and live in ``mappings/ocds/`` (facts in, OCDS JSON out). Entry points:
:func:`exchange.ocds.packages.release_package` and :func:`exchange.ocds.packages.record_package`;
:func:`mappings.ocds.jsonout.dumps` writes them with exact decimal amounts. docs/ocds.md has the
mapping.
"""
