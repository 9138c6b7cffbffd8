"""An alert's days from a frame without kinds: every alert then counts from its date. It killed
surviving mutants of funnel_xl/alerts.py's fallback for a missing ``kind`` (docs/mutation.md)."""

from datetime import date

import pandas as pd

from funnel_xl.alerts import alert_days


def test_without_kinds_days_count_from_the_date():
    alerts = pd.DataFrame({"date": pd.to_datetime(["2024-05-21", "2024-04-30"]), "dwell_days": [40, 3]})
    # No kind, so no alert is stalled or stale: 31 May − 21 May = 10, 31 May − 30 April = 31.
    assert alert_days(alerts, date(2024, 5, 31)).tolist() == [10.0, 31.0]
