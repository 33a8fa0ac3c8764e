import datetime

import pytest

from orgs.selectors import fiscal_year_bounds
from tests.factories import OrganizationFactory


@pytest.mark.parametrize(
    ("start_month", "today", "expected"),
    [
        (1, datetime.date(2026, 11, 22), (datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))),
        (4, datetime.date(2026, 11, 22), (datetime.date(2026, 4, 1), datetime.date(2027, 3, 31))),
        (4, datetime.date(2026, 2, 28), (datetime.date(2025, 4, 1), datetime.date(2026, 3, 31))),
        (7, datetime.date(2028, 7, 1), (datetime.date(2028, 7, 1), datetime.date(2029, 6, 30))),
    ],
)
def test_fiscal_year_contains_the_day(db, start_month, today, expected):
    org = OrganizationFactory(fiscal_year_start_month=start_month)
    assert fiscal_year_bounds(org=org, today=today) == expected
