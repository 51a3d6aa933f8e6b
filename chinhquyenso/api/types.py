"""Field types the API's answer schemas share."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator

from chinhquyenso.core.clock import local_or_none

#: Times are answered in the local time zone (``+07:00``).
LocalTime = Annotated[dt.datetime, AfterValidator(local_or_none)]
