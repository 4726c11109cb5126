"""Which archives an export reads, in which order, and which of their records it keeps.

Archives are listed newest first; an export reads them oldest first. A daily archive covers a day,
a monthly one a calendar month; once dailies are rolled up into a monthly archive they are no
longer listed, and the monthly one holds their records. Days already exported from a daily archive
are remembered, so the monthly one that replaces it skips them: nothing is written twice.
"""

from __future__ import annotations

import datetime
from typing import Any, Dict, Iterable, List, NamedTuple, Optional, Set

from ..archives import archive_end, archive_key
from ..v2.types import Archive

#: The date that decides which archive holds a record (the archiver's period column): messages are
#: archived by creation, runs by last modification.
MEMBERSHIP: Dict[str, str] = {"message": "created_on", "run": "modified_on"}


class Planned(NamedTuple):
    """One archive to read: its key, the archive itself, and the days (ISO dates) to skip in it."""

    key: str
    archive: Archive
    skip_days: Set[str]


def _day(value: datetime.datetime) -> str:
    return value.astimezone(datetime.timezone.utc).date().isoformat()


def days_of(archive: Archive) -> List[str]:
    """The ISO dates an archive covers.

    :param archive: a daily or monthly archive
    """
    days = []
    day = archive.start_date
    end = archive_end(archive)
    while day is not None and day < end:
        days.append(_day(day))
        day += datetime.timedelta(days=1)
    return days


def plan_archives(
    archives: Iterable[Archive],
    done: Iterable[str],
    done_days: Iterable[str],
    since: Optional[datetime.datetime] = None,
    until: Optional[datetime.datetime] = None,
) -> List[Planned]:
    """The archives still to read, oldest first, each with the days to skip.

    :param archives: the archives listed by the server (one type; an archive may be listed twice)
    :param done: keys of archives already read to the end
    :param done_days: ISO dates already exported (from any archive)
    :param since: leave out archives that end before this moment
    :param until: leave out archives that start at or after this moment
    """
    finished = set(done)
    covered = set(done_days)
    planned = []
    for archive in sorted(archives, key=lambda a: (a.start_date, a.period != "monthly")):
        if not archive.record_count or not archive.download_url or archive.start_date is None:
            continue
        if since is not None and archive_end(archive) <= since:
            continue
        if until is not None and archive.start_date >= until:
            continue
        key = archive_key(archive)
        days = set(days_of(archive))
        if key in finished or days <= covered:
            continue
        finished.add(key)  # listed twice when an archive made mid-listing shifted the offset pages
        planned.append(Planned(key, archive, days & covered))
    return planned


def archives_end(archives: Iterable[Archive]) -> Optional[datetime.datetime]:
    """The end of the latest period any archive covers (where the API takes over), or None.

    :param archives: the archives listed by the server (one type)
    """
    ends = [archive_end(a) for a in archives if a.start_date is not None]
    return max(ends) if ends else None


def keep_record(
    record: Dict[str, Any], field: str, skip_days: Set[str], flow: Optional[str], since: Any, until: Any
) -> bool:
    """Whether an archived record (API-shaped dict, datetimes as strings) belongs in the export.

    :param record: the record
    :param field: its membership date field (see :data:`MEMBERSHIP`)
    :param skip_days: ISO dates already exported from another archive
    :param flow: only runs of this flow UUID (None: all)
    :param since: an ISO string: only records at or after it (None: all)
    :param until: an ISO string: only records before it (None: all)
    """
    when = record.get(field) or ""
    if skip_days and when[:10] in skip_days:
        return False
    if flow is not None and (record.get("flow") or {}).get("uuid") != flow:
        return False
    if since is not None and when < since:
        return False
    return not (until is not None and when >= until)
