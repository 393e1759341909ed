"""Who may reach a survey round, a team answer sheet and a customer's private link.

Rounds hang off a customer, so reading and running them follows kamp.customers.access: readers of
the account read the results, editors run rounds. Answering in the app is for the people of our
account team who were asked. A private link is reached by its token only.
"""

from __future__ import annotations

import base64
import hashlib
import secrets

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from django.utils.crypto import salted_hmac

from kamp.customers.access import can_edit_customer, customers_visible_to

from .models import Respondent, Side, SurveyRound

_TOKEN_SALT = "kamp.relationships.survey-link"


def get_round_for_user(user, pk, write: bool = False) -> SurveyRound:
    """The round ``pk`` if ``user`` may read its customer (404 otherwise) and, with ``write``,
    edit it (403)."""
    try:
        rnd = (
            SurveyRound.objects.select_related("customer", "customer__owner", "template")
            .filter(customer__in=customers_visible_to(user))
            .get(pk=pk)
        )
    except (SurveyRound.DoesNotExist, ValueError, TypeError):
        raise Http404("No such survey round")
    if write and not can_edit_customer(user, rnd.customer):
        raise PermissionDenied
    return rnd


def team_respondent_for_user(user, rnd: SurveyRound) -> Respondent | None:
    """The user's own team-side invitation to this round, if they were asked."""
    if not getattr(user, "is_authenticated", False):
        return None
    return rnd.respondents.filter(side=Side.TEAM, user=user).first()


# --- private links ------------------------------------------------------------------------


def new_salt() -> str:
    return secrets.token_urlsafe(32)


def token_for(respondent: Respondent) -> str:
    """The link token: an HMAC of the respondent's random salt under SECRET_KEY (256 bits)."""
    digest = salted_hmac(_TOKEN_SALT, respondent.token_salt, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class LinkState:
    OK = "ok"
    UNKNOWN = "unknown"  # also: malformed, closed round — tokens must not be enumerable
    EXPIRED = "expired"
    USED = "used"


def respondent_for_token(token: str) -> tuple[str, Respondent | None]:
    """Look a link up; returns (state, respondent). Unknown and broken tokens look the same."""
    if not token or len(token) > 100:
        return LinkState.UNKNOWN, None
    respondent = (
        Respondent.objects.select_related("round", "round__customer", "round__template")
        .filter(token_hash=token_hash(token), side=Side.CUSTOMER)
        .first()
    )
    if respondent is None or not secrets.compare_digest(token_for(respondent), token):
        return LinkState.UNKNOWN, None
    if respondent.responded_at is not None:
        return LinkState.USED, respondent
    rnd = respondent.round
    if (respondent.expires_at and respondent.expires_at < timezone.now()) or rnd.closed_at:
        return LinkState.EXPIRED, respondent
    return LinkState.OK, respondent
