"""The mapping engine: declarative, versioned specs that turn domain events into data-set records.

A spec (JSON, see ``spec.py``) says, for one national data set, which events produce a record,
with which operation, and where every field comes from: a path in the event, a constant, a value
of the platform context, a template, a lookup, a format conversion. ``compile_spec`` checks a spec
once; ``CompiledSpec.apply`` runs it and validates every record against the data-set definition
before anything leaves, so a record the standard refuses is stopped here with the data set, the
field and the rule named, not by a peer three systems away.
"""

from mappings.engine.apply import CompiledSpec, MappingContext, RecordInvalid, compile_spec
from mappings.engine.spec import SpecError

__all__ = ["CompiledSpec", "MappingContext", "RecordInvalid", "SpecError", "compile_spec"]
