"""Google's per-minute request quotas, per API and per user, with the 429 Google answers.

Off unless a test turns it on (``FakeGoogle.enforce_quotas(clock)``): a test suite makes a
programme's month of calls in a second of real time, so quotas run on a clock the test moves
(usually the transport's ``sleep``). Each limit is a window of the last 60 seconds of that
clock; a request over a limit is refused and not counted, as Google does.

The limits (per minute, per user, per project), from Google's «Usage limits» pages:
- Sheets v4 (https://developers.google.com/workspace/sheets/api/limits): read requests 60,
  write requests 60 (300 each per project). «Read requests are calls to any method that
  retrieves data from a spreadsheet, such as get or search. Write requests are calls to any
  method that changes a spreadsheet, such as update, clear, or copyTo.» ``values.batchGet`` and
  ``getByDataFilter`` read (the latter is a POST); every batch counts as one request.
- Forms v1 (https://developers.google.com/forms/api/limits): read requests 390, «expensive read
  requests (used for forms.responses.list requests)» 180, write requests 150.
- Docs v1 (https://developers.google.com/workspace/docs/api/limits): read 300, write 60.
- Drive v3 (https://developers.google.com/workspace/drive/api/guides/limits) counts «quota units»
  (325,000 per minute per user), far above what a programme spends; not modelled here.

The refusal, as Google sends it (seen in n8n-io/n8n#18009, Sage-Bionetworks/data_curator#110):
HTTP 429, ``status: RESOURCE_EXHAUSTED``, «Quota exceeded for quota metric 'Write requests' and
limit 'Write requests per minute per user' of service 'sheets.googleapis.com' for consumer
'project_number:…'.», and an ``ErrorInfo`` detail with ``reason: RATE_LIMIT_EXCEEDED`` and the
quota's metric and limit in ``metadata``. No Retry-After header: the client backs off.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass

from .errors import FakeApiError

WINDOW = 60.0
PROJECT_NUMBER = "1014201"


@dataclass(frozen=True)
class Quota:
    service: str  # «sheets.googleapis.com»
    metric: str  # «Write requests»
    limit_name: str  # «WriteRequestsPerMinutePerUser»
    per_minute: int


def _quota(api: str, metric: str, per_minute: int) -> Quota:
    kind = metric.replace(" requests", "").title().replace(" ", "")
    return Quota(f"{api}.googleapis.com", metric, f"{kind}RequestsPerMinutePerUser", per_minute)


QUOTAS = {
    ("sheets", "read"): _quota("sheets", "Read requests", 60),
    ("sheets", "write"): _quota("sheets", "Write requests", 60),
    ("forms", "read"): _quota("forms", "Read requests", 390),
    ("forms", "expensive"): _quota("forms", "Expensive read requests", 180),
    ("forms", "write"): _quota("forms", "Write requests", 150),
    ("docs", "read"): _quota("docs", "Read requests", 300),
    ("docs", "write"): _quota("docs", "Write requests", 60),
}

# Reads sent as POST: they change nothing, so Google counts them as reads.
POST_READS = {"sheets.spreadsheets.getByDataFilter", "sheets.spreadsheets.values.batchGetByDataFilter"}


def kind_of(api: str, method_id: str, http_method: str) -> str:
    """Which of an API's quotas a method spends: «read», «write» or «expensive»."""
    if method_id == "forms.forms.responses.list":
        return "expensive"
    return "read" if http_method == "GET" or method_id in POST_READS else "write"


class Quotas:
    """Per-user sliding windows of the last minute, by (api, kind)."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.spent: dict[tuple[str, str, str], deque[float]] = defaultdict(deque)
        self.refused = 0
        self.peak: dict[tuple[str, str], int] = defaultdict(int)  # most requests in any minute

    def charge(self, user: str, api: str, method_id: str, http_method: str) -> None:
        """Count one request, or raise Google's 429 when it is over its quota."""
        kind = kind_of(api, method_id, http_method)
        quota = QUOTAS.get((api, kind))
        if quota is None:
            return
        now = self.clock()
        window = self.spent[(user, api, kind)]
        while window and window[0] <= now - WINDOW:
            window.popleft()
        if len(window) >= quota.per_minute:
            self.refused += 1
            raise exceeded(quota)
        window.append(now)
        self.peak[(api, kind)] = max(self.peak[(api, kind)], len(window))


def exceeded(quota: Quota) -> FakeApiError:
    message = (
        f"Quota exceeded for quota metric '{quota.metric}' and limit '{quota.metric} per minute per user' "
        f"of service '{quota.service}' for consumer 'project_number:{PROJECT_NUMBER}'."
    )
    metric = quota.metric.lower().replace(" ", "_")
    return FakeApiError(
        429,
        message,
        details=[
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "RATE_LIMIT_EXCEEDED",
                "domain": "googleapis.com",
                "metadata": {
                    "consumer": f"projects/{PROJECT_NUMBER}",
                    "quota_limit": quota.limit_name,
                    "quota_limit_value": str(quota.per_minute),
                    "quota_metric": f"{quota.service}/{metric}",
                    "quota_location": "global",
                    "quota_unit": "1/min/{project}/{user}",
                    "service": quota.service,
                },
            },
            {
                "@type": "type.googleapis.com/google.rpc.Help",
                "links": [{"description": "Request a higher quota limit.",
                           "url": "https://cloud.google.com/docs/quotas/help/request_increase"}],
            },
        ],
    )
