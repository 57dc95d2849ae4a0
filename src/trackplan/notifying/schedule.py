"""The digest as `trackplan serve` runs it: every day at a set hour (UTC), for each workspace,
mailed through `$TRACKPLAN_SMTP_URL`, each run's window starting where the last one ended."""

from __future__ import annotations

import logging
import os
import threading
from datetime import UTC, datetime, timedelta

from trackplan.errors import RefusedError, TrackplanError
from trackplan.notifying.digest import Audience, DigestRequest, run_digest
from trackplan.notifying.mail import smtp_config
from trackplan.notifying.store import SubscriptionStore
from trackplan.notifying.subscribing import PUBLIC_URL_ENV
from trackplan.serving.config import ServeConfig

log = logging.getLogger("trackplan.serving")


def seconds_until(hour: int, now: datetime) -> float:
    """Seconds from `now` to the next `hour`:00 UTC (a day when it is that moment exactly)."""
    target = now.astimezone(UTC).replace(hour=hour, minute=0, second=0, microsecond=0)
    if target <= now:
        target += timedelta(days=1)
    return (target - now).total_seconds()


def digest_all(config: ServeConfig) -> None:
    """One digest run for every workspace; a failure is logged and the next workspace runs."""
    store = SubscriptionStore(config.state_dir)
    for ws_id, workspace in sorted(config.workspaces.items()):
        try:
            ws = workspace.open()
            settings = ws.settings("HEAD")
            audience = Audience(workspace.organization, ws_id, os.environ.get(PUBLIC_URL_ENV) or None)
            sent = run_digest(ws, store, audience, DigestRequest(settings.main_branch), settings.name, smtp_config())
            log.info("digest of workspace %s: %d mails", ws_id, len(sent.mails))
        except RefusedError as exc:  # another server's schedule ran it
            log.info("digest of workspace %s not sent: %s", ws_id, exc)
        except TrackplanError as exc:
            log.error("digest of workspace %s failed: %s", ws_id, exc)


def start(config: ServeConfig, hour: int, stop: threading.Event) -> threading.Thread:
    """A daemon thread running `digest_all` daily at `hour` until `stop` is set; an InputError
    first when mail is not configured, so a server is not started that would never mail."""
    smtp_config()

    def loop() -> None:
        while not stop.wait(seconds_until(hour, datetime.now(UTC))):
            digest_all(config)

    thread = threading.Thread(target=loop, name="trackplan-digest", daemon=True)
    thread.start()
    return thread
