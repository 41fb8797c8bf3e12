"""The dispatcher: works through the delivery outbox on a thread of its own.

Live-stream deliveries go out at once; webhooks and e-mails run on a small pool so that one
slow receiver does not hold up the rest. A failed attempt is logged on its delivery and tried
again after :func:`~parksteward.alarms.channels.backoff_s`; after ``notify_max_attempts`` the
delivery is marked failed. Pending rows survive a restart and are sent when it comes back.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import httpx
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from parksteward.alarms.channels import DeliveryFailed, backoff_s, email_of, send_email, send_webhook
from parksteward.alarms.stream import Broadcaster
from parksteward.alarms.tables import Delivery, Recipient
from parksteward.config import Settings

log = logging.getLogger(__name__)
BATCH = 200


def _now() -> datetime:
    return datetime.now(timezone.utc)


class Dispatcher:
    def __init__(self, sessions: sessionmaker, settings: Settings, broadcaster: Broadcaster):
        self.sessions = sessions
        self.settings = settings
        self.broadcaster = broadcaster
        self.wake = threading.Event()
        self._client = httpx.Client(timeout=settings.webhook_timeout_s)
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="notify")

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                busy = self.run_once()
            except Exception:
                log.exception("notification dispatch failed; trying again")
                busy = False
            if not busy:
                self.wake.wait(0.5)
                self.wake.clear()
        self._pool.shutdown(wait=True)
        self._client.close()

    def run_once(self) -> bool:
        """Send what is due; True if there may be more."""
        with self.sessions() as session:
            due = list(session.scalars(select(Delivery).where(
                Delivery.status == "pending", Delivery.next_attempt_at <= _now()).order_by(Delivery.id).limit(BATCH)))
            if not due:
                return False
            secrets = {r.id: r.webhook_secret for r in session.scalars(
                select(Recipient).where(Recipient.id.in_({d.recipient_id for d in due if d.recipient_id})))}
            live = [d for d in due if d.channel == "sse"]
            for delivery in live:
                count = self.broadcaster.publish(delivery.payload)
                self._done(delivery, {"subscribers": count})
            session.commit()
            others = [d for d in due if d.channel != "sse"]
            outcomes = list(self._pool.map(lambda d: self._attempt(d, secrets.get(d.recipient_id)), others))
            for delivery, (ok, info) in zip(others, outcomes):
                if ok:
                    self._done(delivery, info)
                else:
                    self._failed(delivery, info)
            session.commit()
        return len(due) == BATCH

    def _attempt(self, delivery: Delivery, secret: str | None) -> tuple[bool, dict | str]:
        try:
            if delivery.channel == "webhook":
                status = send_webhook(self._client, delivery.address, secret, delivery.payload, delivery.id,
                                      delivery.payload.get("event"))
                return True, {"status_code": status}
            if delivery.channel == "email":
                s = self.settings
                if not s.smtp_host:
                    return True, {"skipped": "no SMTP server configured (PARKSTEWARD_SMTP_HOST)"}
                send_email(s.smtp_host, s.smtp_port, email_of(delivery.payload, s.smtp_sender, delivery.address),
                           s.webhook_timeout_s, s.smtp_username, s.smtp_password, s.smtp_starttls)
                return True, {"smtp": f"{s.smtp_host}:{s.smtp_port}"}
            return False, f"unknown channel {delivery.channel!r}"
        except DeliveryFailed as exc:
            return False, str(exc)
        except Exception as exc:  # a bug in one delivery must not stop the rest
            log.exception("delivery %s failed unexpectedly", delivery.id)
            return False, f"{exc.__class__.__name__}: {exc}"

    def _done(self, delivery: Delivery, info: dict) -> None:
        now = _now()
        delivery.attempts += 1
        delivery.status = "skipped" if "skipped" in info else "delivered"
        delivery.delivered_at = now
        delivery.next_attempt_at = None
        delivery.log = [*delivery.log, {"at": now.isoformat(), "ok": True, **info}]

    def _failed(self, delivery: Delivery, error: str) -> None:
        now = _now()
        delivery.attempts += 1
        delivery.last_error = error
        delivery.log = [*delivery.log, {"at": now.isoformat(), "ok": False, "error": error}]
        if delivery.attempts >= self.settings.notify_max_attempts:
            delivery.status, delivery.next_attempt_at = "failed", None
            log.warning("delivery %s to %s failed %d times: %s", delivery.id, delivery.address, delivery.attempts,
                        error)
        else:
            delivery.next_attempt_at = now + timedelta(seconds=backoff_s(delivery.attempts))
