"""The inbound Web Service (SOAP 1.1 and 1.2) for connected government systems.

Three services under ``/ws/soap11/<service>`` and ``/ws/soap12/<service>``: ``query`` (public
records and the tender's published steps), ``push`` (subjects, credit and experts from the
provincial platform) and ``supervision`` (instructions from the supervision systems). See
docs/webservice.md for the operations, the credentials and the fault codes.
"""
