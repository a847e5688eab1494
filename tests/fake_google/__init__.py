"""An in-process HTTP fake of the Sheets v4, Forms v1, Drive v3 and Docs v1 APIs.

The real gspread and google-api-python-client talk to it over HTTP (see ``fixtures``).
Requests are checked against the discovery documents shipped with google-api-python-client;
state (cells, forms, responses, files, documents) can be read and changed by tests; faults
(429 with Retry-After, 5xx, stalls past the client's timeout, a failure on the Nth call) can
be injected; every request is logged by its API method name.
"""

from .server import Call, FakeGoogle, Fault

__all__ = ["Call", "FakeGoogle", "Fault"]
