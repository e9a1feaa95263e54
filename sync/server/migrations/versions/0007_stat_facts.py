"""The statistics tables' per-record facts (``stat_facts``, issue 18).

Created empty, then filled from what the database already holds, a chunk of records at a time:
at a county the newest *accepted* version of each record (``reviews``), at a province the newest
relayed version (each one was accepted by its county). Sealed values are opened in memory only
to make the facts (ID number validity and blind-index digest): ``uniondesk-server upgrade``
hands over the keyring (``config.attributes["sealer"]``); without one (a database with no
records) nothing needs opening.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import context, op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_CHUNK = 500


def _create() -> None:
    from sync.server.tables import stat_facts

    stat_facts.create(op.get_bind())


def _form(form_id: str, version: int, stored: dict[tuple[str, int], Any]) -> Any:
    import forms

    key = (form_id, version)
    if key not in stored:
        try:
            stored[key] = forms.load_form(form_id, version)
        except Exception:  # noqa: BLE001 - a published form: its definition row below
            stored[key] = None
    return stored[key]


def _backfill(conn: sa.Connection) -> None:
    from sync.server.domain import province_members
    from sync.server.domain.stats_facts import SOURCE_OF_FORM, facts_of, mark_shared, upsert

    rec = sa.table(
        "records",
        sa.column("record_uuid"), sa.column("version"), sa.column("form_id"),
        sa.column("form_version"), sa.column("org_unit"), sa.column("content"),
    )  # fmt: skip
    reviews = sa.table("reviews", sa.column("record_uuid"), sa.column("version"),
                       sa.column("decision"))  # fmt: skip
    prov = sa.table("provenance", sa.column("record_uuid"), sa.column("version"),
                    sa.column("county_org_unit"))  # fmt: skip
    units = sa.table("org_units", sa.column("code"), sa.column("parent"))
    roots = sa.select(units.c.code).where(units.c.parent.is_(None)).order_by(units.c.code)
    own = conn.execute(roots.limit(1)).scalar() or ""  # a county's own unit is its tree's root
    defs = sa.table("form_definitions", sa.column("form_id"), sa.column("version"),
                    sa.column("definition"))  # fmt: skip
    stored: dict[tuple[str, int], Any] = {}
    for r in conn.execute(sa.select(defs.c.form_id, defs.c.version, defs.c.definition)):
        import forms

        try:
            stored[(r.form_id, r.version)] = forms.load_form_dict(r.definition)
        except Exception:  # noqa: BLE001 - an unreadable definition: counted without it
            stored[(r.form_id, r.version)] = None
    counted = rec.c.form_id.in_(sorted(SOURCE_OF_FORM))
    province = conn.execute(sa.select(sa.func.count()).select_from(prov)).scalar() or 0
    if province:
        query = (
            sa.select(rec, prov.c.county_org_unit.label("county"))
            .join(
                prov,
                sa.and_(prov.c.record_uuid == rec.c.record_uuid, prov.c.version == rec.c.version),
            )  # fmt: skip
            .where(counted)
        )
    else:
        query = (
            sa.select(rec, sa.literal(own).label("county"))
            .join(
                reviews,
                sa.and_(
                    reviews.c.record_uuid == rec.c.record_uuid, reviews.c.version == rec.c.version
                ),
            )  # fmt: skip
            .where(counted, reviews.c.decision == "accepted")
        )
    sealer: Any = None
    last: Any = None
    while True:
        page = query.order_by(rec.c.record_uuid, rec.c.version).limit(_CHUNK)
        if last is not None:
            page = page.where(
                sa.or_(rec.c.record_uuid > last[0],
                       sa.and_(rec.c.record_uuid == last[0], rec.c.version > last[1]))
            )  # fmt: skip
        rows = list(conn.execute(page))
        if not rows:
            mark_shared(conn, None, counts=False)  # member_counts: revision 0011 fills it
            return
        last = (rows[-1].record_uuid, rows[-1].version)
        if sealer is None:
            sealer = context.config.attributes.get("sealer")
            if sealer is None:
                raise RuntimeError("revision 0006 needs the server's keyring (run upgrade)")
        plain = [sealer.open_record(json.loads(r.content)) for r in rows]
        exits = province_members.accepted_exits(conn, province_members.out_dates(plain))

        def digest(value: str, sealer: Any = sealer) -> str:
            return str(sealer.digest("id_number", value))

        upsert(
            conn,
            [
                row
                for p, r in zip(plain, rows, strict=True)
                for row in facts_of(
                    p,
                    r.county,
                    form=_form(r.form_id, r.form_version, stored),
                    digest=digest,
                    transfer_accepted=p.get("uuid") in exits,
                )
            ],
            counts=False,
        )


def upgrade() -> None:
    _create()
    _backfill(op.get_bind())


def downgrade() -> None:
    op.drop_table("stat_facts")
