"""Access rows of mail capture (each person's mail to resolve; the admin's dropbox mailbox):
see docs/roles.md."""

from tests.access_policies import NOT_ALLOWED, Web


def _message(w):
    return {"pk": w.mail_message.pk}


WEB = [
    Web("mailcapture:inbox", get="SIGNED_IN", post=NOT_ALLOWED),
    Web(
        "mailcapture:assign",
        get=NOT_ALLOWED,
        post="OWN_UPLOAD",
        kwargs=_message,
        data=lambda w: {"customer": w.account.pk},
    ),
    Web("mailcapture:dismiss", get=NOT_ALLOWED, post="OWN_UPLOAD", kwargs=_message),
    Web("mailcapture:mailbox", get="ADMIN_ONLY", post="ADMIN_ONLY"),
    Web("mailcapture:mailbox_check", get=NOT_ALLOWED, post="ADMIN_ONLY"),
    Web("mailcapture:mailbox_remove", get=NOT_ALLOWED, post="ADMIN_ONLY"),
]
API: list = []
