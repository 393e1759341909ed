"""Group memberships in the database: kept in step with the parent chain and the group-account
mark by the customer actions, read by the group pages, the API, the CLI and the roll-ups
(the rules are the pure :mod:`kamp.customers.groups`)."""

from __future__ import annotations

from datetime import date

from django.db.models import BigIntegerField, Case, F, OuterRef, Q, Subquery, When

from . import groups
from .models import Customer, GroupMembership


def spans(group_ids=None, company_ids=None) -> list[groups.Span]:
    """The membership spans of these groups (or companies), as the pure module reads them."""
    qs = GroupMembership.objects.all()
    if group_ids is not None:
        qs = qs.filter(group_id__in=list(group_ids))
    if company_ids is not None:
        qs = qs.filter(company_id__in=list(company_ids))
    return [
        groups.Span(c, g, f, t)
        for c, g, f, t in qs.values_list("company_id", "group_id", "valid_from", "valid_to")
    ]


def with_group(qs):
    """``qs`` with ``current_group_id`` annotated: the group account each customer belongs to
    now (itself when it is one), in the same query (the API's customer list)."""
    open_group = GroupMembership.objects.filter(
        company_id=OuterRef("pk"), valid_to__isnull=True
    ).values("group_id")[:1]
    return qs.annotate(
        current_group_id=Case(
            When(is_group_account=True, then=F("pk")),
            default=Subquery(open_group),
            output_field=BigIntegerField(),
        )
    )


def current_group_id(customer: Customer) -> int | None:
    """The group account ``customer`` belongs to now (itself when it is one)."""
    if "current_group_id" in customer.__dict__:
        return customer.__dict__["current_group_id"]
    if customer.is_group_account:
        return customer.pk
    return (
        GroupMembership.objects.filter(company=customer, valid_to__isnull=True)
        .values_list("group_id", flat=True)
        .first()
    )


def current_companies(group: Customer):
    """The companies of ``group`` now (a queryset, not the group account itself)."""
    return Customer.objects.filter(
        pk__in=GroupMembership.objects.filter(group=group, valid_to__isnull=True).values(
            "company_id"
        )
    )


def member_ids_ever(group: Customer, start: date, end: date) -> list[int]:
    """Every company that belonged to ``group`` at some day in ``[start, end)``, and the group
    account itself (whose own sales always count)."""
    overlapping = GroupMembership.objects.filter(group=group).filter(
        Q(valid_from__isnull=True) | Q(valid_from__lt=end),
        Q(valid_to__isnull=True) | Q(valid_to__gt=start),
    )
    return [group.pk, *overlapping.values_list("company_id", flat=True).distinct()]


def _subtree(root_ids: list[int]) -> dict[int, int | None]:
    """``{id: parent id}`` of the customers under ``root_ids`` (and the roots), one query per
    level of the tree."""
    parents: dict[int, int | None] = dict(
        Customer.objects.filter(pk__in=root_ids).values_list("pk", "parent_id")
    )
    level = list(parents)
    while level:
        rows = list(
            Customer.objects.filter(parent_id__in=level)
            .exclude(pk__in=list(parents))
            .values_list("pk", "parent_id")
        )
        parents.update(rows)
        level = [pk for pk, _parent in rows]
    return parents


def _ancestors(start_ids: set[int], parents: dict[int, int | None]) -> None:
    """Adds to ``parents`` the chain above each id (one query per level)."""
    missing = {p for p in parents.values() if p is not None and p not in parents} | (
        start_ids - set(parents)
    )
    while missing:
        rows = dict(Customer.objects.filter(pk__in=list(missing)).values_list("pk", "parent_id"))
        for pk in missing:
            parents.setdefault(pk, rows.get(pk))
        missing = {p for p in rows.values() if p is not None and p not in parents}


def sync(root_ids, day: date | None = None) -> int:
    """Brings the open memberships of the customers under ``root_ids`` in step with the parent
    chain and the group-account marks, as of ``day`` (today): a company whose nearest group
    account changed moves (its open record is closed, a new one opened). Returns how many
    companies moved. Called by every action that changes a parent or a mark."""
    day = day or date.today()
    roots = [pk for pk in root_ids if pk is not None]
    if not roots:
        return 0
    parents = _subtree(roots)
    _ancestors(set(parents), parents)
    accounts = set(
        Customer.objects.filter(pk__in=list(parents), is_group_account=True).values_list(
            "pk", flat=True
        )
    )
    companies = [pk for pk in parents if pk in _subtree_ids(roots, parents)]
    existing = spans(company_ids=companies)
    opened = {s.company: s.group for s in existing if s.open}
    moved = 0
    for company in companies:
        target = groups.nearest_group(company, parents, accounts)
        if target == company:
            target = None  # a group account is its group, not a member of it
        if opened.get(company) == target:
            continue
        mine = [s for s in existing if s.company == company]
        after = groups.move(mine, company, target, day)
        _write(company, mine, after)
        moved += 1
    return moved


def _subtree_ids(roots: list[int], parents: dict[int, int | None]) -> set[int]:
    children: dict[int, list[int]] = {}
    for pk, parent in parents.items():
        if parent is not None:
            children.setdefault(parent, []).append(pk)
    out, stack = set(), list(roots)
    while stack:
        pk = stack.pop()
        if pk in out:
            continue
        out.add(pk)
        stack.extend(children.get(pk, []))
    return out


def _write(company: int, before: list[groups.Span], after: list[groups.Span]) -> None:
    """Stores the company's spans as ``after`` says (few rows: a company's own history)."""
    GroupMembership.objects.filter(company_id=company).delete()
    GroupMembership.objects.bulk_create(
        GroupMembership(
            company_id=s.company, group_id=s.group, valid_from=s.valid_from, valid_to=s.valid_to
        )
        for s in after
    )
