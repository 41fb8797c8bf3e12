"""Sending one notification: signed webhooks and e-mail.

Webhooks are signed the way Stripe and GitHub sign theirs: an HMAC-SHA256 over
``<timestamp>.<body>`` with the recipient's secret, sent as
``X-ParkSteward-Signature: t=<timestamp>,v1=<hex>``; the timestamp lets a receiver refuse a
replayed request (:func:`verify_signature`, tolerance 5 min).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
import time
from email.message import EmailMessage

import httpx

SIGNATURE_HEADER = "X-ParkSteward-Signature"
DELIVERY_HEADER = "X-ParkSteward-Delivery"
EVENT_HEADER = "X-ParkSteward-Event"


def body_of(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8")


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """``t=<timestamp>,v1=<hex HMAC-SHA256(secret, "<timestamp>." + body)>``."""
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode("ascii") + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify_signature(secret: str, header: str, body: bytes, now: float | None = None, tolerance_s: float = 300) -> bool:
    """A receiver's check of :func:`sign`: right secret, unchanged body, timestamp within tolerance."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
        given = parts["v1"]
    except (ValueError, KeyError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance_s:
        return False
    expected = sign(secret, timestamp, body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, given)


def backoff_s(attempt: int, cap_s: float = 300.0) -> float:
    """Wait before attempt ``attempt + 1`` after ``attempt`` failures: 1, 2, 4, 8, ... s, at most ``cap_s``."""
    return min(cap_s, 2.0 ** max(attempt - 1, 0))


class DeliveryFailed(Exception):
    """One attempt failed; the message says why (status code, refused connection, SMTP reply)."""


def send_webhook(client: httpx.Client, url: str, secret: str | None, payload: dict, delivery_id: int,
                 event: str | None) -> int:
    """POST the payload; returns the status code of a 2xx answer, raises DeliveryFailed otherwise."""
    body = body_of(payload)
    headers = {"Content-Type": "application/json; charset=utf-8", DELIVERY_HEADER: str(delivery_id),
               EVENT_HEADER: event or "alarm", "User-Agent": "ParkSteward-Webhook/1"}
    if secret:
        headers[SIGNATURE_HEADER] = sign(secret, int(time.time()), body)
    try:
        response = client.post(url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        raise DeliveryFailed(f"{exc.__class__.__name__}: {exc}") from None
    if not 200 <= response.status_code < 300:
        raise DeliveryFailed(f"HTTP {response.status_code}: {response.text[:200]}")
    return response.status_code


def email_of(payload: dict, sender: str, to: str) -> EmailMessage:
    """The warning as a plain-text e-mail, Chinese first, with the plan's advice."""
    alarm = payload["alarm"]
    where = payload.get("point") or {}
    enterprise = (payload.get("enterprise") or {}).get("name") or "园区 park"
    message = EmailMessage()
    message["Subject"] = f"[{alarm['label']}] {enterprise} {where.get('code') or ''}: {alarm['message']}"[:250]
    message["From"] = sender
    message["To"] = to
    lines = [
        f"{alarm['label']} — {payload.get('event')}",
        f"企业 enterprise: {enterprise}",
        f"点位 point: {where.get('code', '-')} {where.get('name', '')}",
        f"情况 what: {alarm['message']}",
        f"时间 first seen: {alarm['first_at']}   last: {alarm['last_at']}   count: {alarm['count']}",
    ]
    if alarm.get("advice"):
        lines.append(f"处置建议 advice: {alarm['advice']}")
    scenario = payload.get("scenario")
    if scenario:
        lines.append(f"预案情景 scenario: {scenario['name']}")
        if scenario.get("roles"):
            lines.append("责任人 roles: " + "; ".join(scenario["roles"]))
    lines.append(f"告警编号 alarm id: {alarm['id']}")
    message.set_content("\n".join(lines))
    return message


def send_email(host: str, port: int, message: EmailMessage, timeout_s: float, username: str | None = None,
               password: str | None = None, starttls: bool = False) -> None:
    try:
        with smtplib.SMTP(host, port, timeout=timeout_s) as smtp:
            if starttls:
                smtp.starttls()
            if username:
                smtp.login(username, password or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryFailed(f"{exc.__class__.__name__}: {exc}") from None
