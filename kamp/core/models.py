from django.conf import settings
from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import Function, Role


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra):
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("role", Role.ADMIN)
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """One of our people: logs in with an e-mail, has a function and one role."""

    email = models.EmailField(_("e-mail"), unique=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    function = models.CharField(
        _("function"), max_length=20, choices=Function.choices, default=Function.SALES
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.VIEWER)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("can use the admin site"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []  # type: ignore[misc]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["name", "email"]

    def __str__(self) -> str:
        return self.name or self.email

    def get_full_name(self) -> str:
        return self.name or self.email

    def get_short_name(self) -> str:
        return (self.name or self.email).split(" ")[0]

    # Roles, spelt once so views and templates never compare strings.
    @property
    def is_admin(self) -> bool:
        return self.is_active and (self.role == Role.ADMIN or self.is_superuser)

    @property
    def is_director(self) -> bool:
        return self.is_active and self.role == Role.DIRECTOR

    @property
    def is_kam(self) -> bool:
        return self.is_active and self.role == Role.KAM

    @property
    def is_member(self) -> bool:
        return self.is_active and self.role == Role.MEMBER

    @property
    def is_viewer(self) -> bool:
        return self.is_active and self.role == Role.VIEWER

    @property
    def manages_programme(self) -> bool:
        """Admins and directors read and edit every account and the programme settings."""
        return self.is_admin or self.is_director


class CompanySize(models.TextChoices):
    SME = "sme", _("SME (at most 10 key accounts)")
    LARGE = "large", _("Large company / multinational (at most 25 key accounts)")


class SiteSettings(models.Model):
    """The supplier's own company: one row, edited by admins and directors."""

    company_name = models.CharField(_("company name"), max_length=200, default="kamp")
    size_class = models.CharField(
        _("company size"), max_length=10, choices=CompanySize.choices, default=CompanySize.SME
    )
    base_currency = models.CharField(_("base currency"), max_length=3, blank=True)
    # Two managers saving the company settings at once: the second is told (core.versioning).
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("company settings")
        verbose_name_plural = _("company settings")

    def __str__(self) -> str:
        return self.company_name

    @classmethod
    def load(cls) -> "SiteSettings":
        from .request_memo import memo

        return memo("core.sitesettings", cls._load)

    @classmethod
    def _load(cls) -> "SiteSettings":
        obj = cls.objects.first()
        if obj is None:
            obj = cls.objects.create(base_currency=settings.KAMP_BASE_CURRENCY)
        if not obj.base_currency:
            obj.base_currency = settings.KAMP_BASE_CURRENCY
        return obj

    @property
    def key_account_cap(self) -> int:
        return 25 if self.size_class == CompanySize.LARGE else 10


class AuditEvent(models.Model):
    """Who changed what, when. Written by action functions in the same transaction as the change."""

    class Action(models.TextChoices):
        CREATE = "create", _("created")
        UPDATE = "update", _("changed")
        DELETE = "delete", _("deleted")
        IMPORT = "import", _("imported")
        REVERT = "revert", _("reverted")
        DECIDE = "decide", _("decided")
        OTHER = "other", _("other")

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=60)
    object_id = models.CharField(_("object id"), max_length=40, blank=True)
    object_repr = models.CharField(_("object"), max_length=300, blank=True)
    # Plain id, not a foreign key: the trail must outlive a deleted customer.
    customer_id = models.BigIntegerField(_("customer"), null=True, blank=True, db_index=True)
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    changes = models.JSONField(_("changes"), default=list, blank=True)
    # Set by the action that records amounts (investments, spend, sales, financial objectives,
    # whitespace revenue): the trail then shows the change only to those who may see the
    # account's economics, as the pages, exports and API already do.
    money = models.BooleanField(_("holds money"), default=False)
    # The summary as its English message and values ({"msgid", "params"}), when the action gave
    # it through ``audit.say``: the trail shows it in the reader's language, not the writer's.
    summary_message = models.JSONField(_("summary message"), default=dict, blank=True)
    # The object's text in each language ({"en": …, "es": …}) when it depends on the language
    # (a choice's label, a kind of record): the trail names it in the reader's language.
    object_labels = models.JSONField(_("object in each language"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"


class ImportBatch(models.Model):
    """One import of a file: who, when, what, with the counts and what it takes to revert it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("uploaded")
        VALIDATING = "validating", _("checking")
        VALIDATED = "validated", _("checked")
        RUNNING = "running", _("importing")
        DONE = "done", _("imported")
        FAILED = "failed", _("failed")
        REVERTED = "reverted", _("reverted")

    kind = models.CharField(_("kind"), max_length=30)
    filename = models.CharField(_("file"), max_length=255)
    # Where the uploaded file is kept (under MEDIA_ROOT/imports), or the path given to the CLI.
    stored_file = models.CharField(_("stored file"), max_length=500, blank=True, editable=False)
    content_hash = models.CharField(_("content hash"), max_length=64, db_index=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    options = models.JSONField(_("options"), default=dict, blank=True)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("processed"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    skipped_count = models.PositiveIntegerField(_("skipped"), default=0)
    invalid_count = models.PositiveIntegerField(_("rows with errors"), default=0)
    # The first errors (line, column, field, message); ``invalid_count`` is the exact count.
    errors = models.JSONField(_("errors"), default=list, blank=True)
    message = models.TextField(_("message"), blank=True)
    # Unused: the previous values of changed rows live in ImportChange (one row per object), so
    # that a million-row re-import neither loads nor saves one giant JSON document.
    undo = models.JSONField(default=list, blank=True, editable=False)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.filename}"

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, round(100 * self.processed_rows / self.total_rows))

    @property
    def in_progress(self) -> bool:
        return self.status in (self.Status.VALIDATING, self.Status.RUNNING)


class ImportChange(models.Model):
    """The values an import overwrote on one existing object, so a revert can restore them."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="changes")
    model = models.CharField(max_length=100)
    object_id = models.CharField(max_length=40)
    previous = models.JSONField(default=dict)

    class Meta:
        indexes = [models.Index(fields=["batch", "model"])]

    def __str__(self) -> str:
        return f"{self.model} {self.object_id} (import #{self.batch_id})"


def import_batch_field() -> models.ForeignKey:
    """The link from an imported row to the ImportBatch that created it, so that a revert finds
    the rows to delete; the same definition on every importable model.

    No database constraint: only the import engine writes the link, always to a batch it has
    already saved, and a constraint costs one deferred trigger per imported row at commit (half
    the foreign-key checks of a sales import's commit on PostgreSQL). Deleting a batch through the
    ORM still sets the link to NULL (Django's collector applies ``SET_NULL`` itself)."""
    return models.ForeignKey(
        "core.ImportBatch",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        db_constraint=False,
    )


class WorkerHeartbeat(models.Model):
    """The last sign of life of each ``kamp worker``, written every few seconds: ``/healthz``
    reads the freshest one. A row in the database, not a file, because the worker and the web
    processes may run on different machines."""

    worker_id = models.CharField(_("worker"), max_length=64, primary_key=True)
    beat_at = models.DateTimeField(_("last heartbeat"))

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return self.worker_id


class TableDeletions(models.Model):
    """How many rows of a table have been deleted (``kamp.core.deletions``): with the table's
    largest id and latest change, what tells a cached result that rows went away without
    counting the table on every page view."""

    label = models.CharField(max_length=100, unique=True)  # app_label.model_name
    deletions = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("table deletions")
        verbose_name_plural = _("table deletions")

    def __str__(self) -> str:
        return f"{self.label}: {self.deletions}"


class SavedMapping(models.Model):
    """A person's column mapping for one source of files, saved to be used again: the mapping
    step's plan (column → field, joined columns, date order, decimal separator, sheet, header
    row) and the header it was made from. Chosen by itself for a file with that header, before
    a shipped preset; by name with ``kamp import KIND FILE --preset NAME``. Who may see, use and
    delete one: kamp.core.saved_mappings."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=30)
    #: ``COLUMN`` (or ``A+B`` joined) → field, "" leaves the column out (as a preset's entries).
    columns = models.JSONField(_("columns"), default=dict, blank=True)
    #: The file's column names, as written (the header signature it is chosen by).
    header = models.JSONField(_("column names"), default=list, blank=True)
    #: date_order, decimal, sheet, header_row as chosen on the mapping step.
    options = models.JSONField(_("options"), default=dict, blank=True)
    shared = models.BooleanField(_("shared with everyone"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("saved mapping")
        verbose_name_plural = _("saved mappings")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "name"], name="saved_mapping_kind_name"),
        ]

    def __str__(self) -> str:
        return self.name
