"""Every table of the server's database, in one ``MetaData`` (SQLite or PostgreSQL).

The schema changes only through an Alembic revision (``sync/server/migrations``); this module is
what the newest revision produces. Deduplication is done by constraints, not by code alone:
``batches.batch_id`` unique, ``batches (device_id, device_seq)`` unique, ``records (record_uuid,
version)`` unique, ``reviews`` and ``relay_items`` once per ``(record_uuid, version)``. Times are
server clock: ISO 8601 UTC strings for display, epoch seconds where compared.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

metadata = MetaData()

meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

org_units = Table(
    "org_units",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("name", Text, nullable=False),
    Column("parent", String(32), nullable=True),
    Column("kind", String(16), nullable=False),
    Column("created_at", String(32), nullable=False),
)

enroll_codes = Table(
    "enroll_codes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("secret_hash", String(64), nullable=False, unique=True),
    Column("org_unit", String(32), ForeignKey("org_units.code"), nullable=False),
    Column("role", String(16), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("expires_at", Float, nullable=False),
    Column("used_at", String(32), nullable=True),
    Column("device_id", String(36), nullable=True),
)

devices = Table(
    "devices",
    metadata,
    Column("device_id", String(36), primary_key=True),
    Column("public_key", LargeBinary, nullable=False),
    Column("org_unit", String(32), ForeignKey("org_units.code"), nullable=False),
    Column("role", String(16), nullable=False),
    Column("label", Text, nullable=False, default=""),
    Column("enrolled_at", String(32), nullable=False),
    Column("revoked_at", String(32), nullable=True),
    Column("last_seq", BigInteger, nullable=False, default=0),
    # space-separated permissions beyond the role (domain/access.py), e.g. "unmask"
    Column("permissions", Text, nullable=False, default="", server_default=""),
    # the server signing key (key id) the device was last given (revision 0008, domain/rekey.py)
    Column("server_key_id", String(32), nullable=True),
    # the inbox kinds the device said it applies when it last read its inbox (revision 0009),
    # space separated; None: it never said (a release from before: only the base kinds)
    Column("inbox_kinds", Text, nullable=True),
)

batches = Table(
    "batches",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("batch_id", String(36), nullable=False, unique=True),
    Column("device_id", String(36), ForeignKey("devices.device_id"), nullable=False),
    Column("device_seq", BigInteger, nullable=False),
    Column("envelope_sha256", String(64), nullable=False),
    Column("envelope", LargeBinary, nullable=False),
    Column("receipt", LargeBinary, nullable=False),
    Column("record_count", Integer, nullable=False),
    Column("received_count", Integer, nullable=False),
    Column("rejected_count", Integer, nullable=False),
    Column("received_at", String(32), nullable=False),
    UniqueConstraint("device_id", "device_seq", name="uq_batches_device_seq"),
)

records = Table(
    "records",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("record_uuid", String(36), nullable=False),
    Column("version", Integer, nullable=False),
    Column("form_id", String(64), nullable=False),
    Column("form_version", Integer, nullable=False),
    Column("org_unit", String(32), nullable=False),
    Column("device_id", String(36), ForeignKey("devices.device_id"), nullable=False),
    Column("batch_id", String(36), ForeignKey("batches.batch_id"), nullable=False),
    Column("record_sha256", String(64), nullable=False),
    Column("content", Text, nullable=False),  # canonical JSON, sensitive values sealed
    Column("status", String(16), nullable=False, default="received"),
    Column("received_at", String(32), nullable=False),
    UniqueConstraint("record_uuid", "version", name="uq_records_uuid_version"),
)

sensitive_index = Table(
    # keyed digests (HMAC) of the sensitive values of each stored record (domain/personal.py):
    # equality lookups of ID numbers and phones without their plaintext in the database
    "sensitive_index",
    metadata,
    Column("digest", String(32), primary_key=True),
    Column("field", String(64), primary_key=True),
    Column("record_uuid", String(36), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("form_id", String(64), nullable=False),
    sqlite_with_rowid=False,  # the primary key is the table: one B-tree, not two
)

inbox = Table(
    "inbox",
    metadata,
    Column("msg_seq", Integer, primary_key=True, autoincrement=True),
    Column("msg_id", String(36), nullable=False, unique=True),
    Column("device_id", String(36), ForeignKey("devices.device_id"), nullable=False, index=True),
    Column("kind", String(32), nullable=False),
    Column("message", LargeBinary, nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("acked_at", String(32), nullable=True),
)

transfers = Table(
    # membership transfers between townships of this server (sync/server/transfers.py)
    "transfers",
    metadata,
    Column("transfer_id", String(36), primary_key=True),
    Column("request_uuid", String(36), nullable=False),
    Column("from_org_unit", String(32), nullable=False),
    Column("to_org_unit", String(32), nullable=False, index=True),
    Column("state", String(16), nullable=False),  # offered | accepted | refused
    Column("offer", Text, nullable=False),  # canonical JSON of the offer message body
    Column("answer_uuid", String(36), nullable=True),
    Column("created_at", String(32), nullable=False),
    Column("answered_at", String(32), nullable=True),
)

used_nonces = Table(
    "used_nonces",
    metadata,
    Column("nonce", String(128), primary_key=True),
    Column("used_at", Float, nullable=False),
    Index("ix_used_nonces_used_at", "used_at"),  # expired nonces are deleted per request
)

form_definitions = Table(
    "form_definitions",
    metadata,
    Column("form_id", String(64), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("hash", String(64), nullable=False),
    Column("definition", Text, nullable=False),
    Column("published_at", String(32), nullable=False),
)

# ---- county review and relay

reviews = Table(
    "reviews",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("record_uuid", String(36), nullable=False),
    Column("version", Integer, nullable=False),
    Column("decision", String(16), nullable=False),
    Column("comment", Text, nullable=False, default=""),
    Column("reviewer", String(200), nullable=False),
    Column("reviewer_device_id", String(36), nullable=False),
    Column("decided_at", String(32), nullable=False),
    Column("acceptance", Text, nullable=True),  # signed acceptance (canonical JSON), if accepted
    UniqueConstraint("record_uuid", "version", name="uq_reviews_uuid_version"),
)

relay_items = Table(
    "relay_items",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("record_uuid", String(36), nullable=False),
    Column("version", Integer, nullable=False),
    # the relayed item, sealed (``relay_item``), only for items queued before revision 0013 or
    # given explicitly (a repair); NULL: built at relay time from the stored record version,
    # its township batch and the review's signed acceptance (``domain/relay.py``)
    Column("item", Text, nullable=True),
    Column(
        "state", String(16), nullable=False, default="pending"
    ),  # pending sealed delivered rejected
    Column("batch_id", String(36), nullable=True, index=True),
    Column("errors", Text, nullable=True),
    Column("queued_at", String(32), nullable=False),
    UniqueConstraint("record_uuid", "version", name="uq_relay_items_uuid_version"),
    Index("ix_relay_items_state_seq", "state", "seq"),  # the relay run, health and metrics
)

relay_batches = Table(
    "relay_batches",
    metadata,
    Column("batch_id", String(36), primary_key=True),
    Column("device_seq", Integer, nullable=False, unique=True),
    Column("envelope", Text, nullable=False),
    Column("item_seqs", Text, nullable=False),
    Column("sealed_at", String(32), nullable=False),
    Column("receipt", Text, nullable=True),
    Column("acked_at", String(32), nullable=True),
)

# ---- province: provenance, township headers, facts for aggregates and statistics

provenance = Table(
    "provenance",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("record_uuid", String(36), nullable=False),
    Column("version", Integer, nullable=False),
    Column("county_device_id", String(36), nullable=False),
    Column("county_org_unit", String(32), nullable=False),
    Column("relay_batch_id", String(36), nullable=False),
    Column("township_device_id", String(36), nullable=False),
    Column("township_org_unit", String(32), nullable=False),
    Column("township_header", String(64), nullable=False),  # township_headers.sha256
    Column("acceptance", Text, nullable=False),  # the county's signed acceptance JSON
    Column("received_at", String(32), nullable=False),
    UniqueConstraint("record_uuid", "version", name="uq_provenance_uuid_version"),
)

township_headers = Table(
    "township_headers",
    metadata,
    Column("sha256", String(64), primary_key=True),  # of the header's canonical JSON
    Column("device_id", String(36), nullable=False),
    Column("header", Text, nullable=False),  # envelope without payload: signature + manifest
)

FACT_COLUMNS = (
    "members",
    "female_members",
    "migrant_members",
    "new_form_members",
    "unions",
    "unions_with_congress",
    "unions_with_funds_committee",
    "unions_with_contract",
    "assessments",
    "assessment_votes",
    "assessment_satisfied",
    "rectifications_open",
)

facts = Table(
    "province_facts",
    metadata,
    Column("record_uuid", String(36), primary_key=True),
    Column("version", Integer, nullable=False),
    # no index beyond the key (revision 0010): no query filters on county, township or form
    # (aggregates() reads province_totals below, which sums these rows per key)
    Column("county", String(32), nullable=False),
    Column("township", String(32), nullable=False),
    Column("form_id", String(64), nullable=False),
    *(Column(name, Integer, nullable=False, default=0) for name in FACT_COLUMNS),
)

province_totals = Table(
    # province_facts summed per (county, township, form) — ``records`` (its rows) and each
    # FACT_COLUMN — kept in the transaction of every write to province_facts
    # (domain/province_totals.py, revision 0012), so aggregates() reads a few thousand rows
    # instead of summing every record's facts; the key starts with the county, so two counties
    # ingesting at once never update the same row
    "province_totals",
    metadata,
    Column("county", String(32), primary_key=True),
    Column("township", String(32), primary_key=True),
    Column("form_id", String(64), primary_key=True),
    Column("records", BigInteger, nullable=False, default=0),
    *(Column(name, BigInteger, nullable=False, default=0) for name in FACT_COLUMNS),
)

stat_facts = Table(
    # the statistics tables' facts of each record, its newest accepted version, at a county and
    # a province alike (domain/stats_facts.py): categories, dates and counts, never a personal
    # value (an ID number only as its validity and its blind-index digest)
    "stat_facts",
    metadata,
    Column("record_uuid", String(36), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("county", String(32), nullable=False),
    Column("township", String(32), nullable=False),
    # dates are days as YYYYMMDD integers (0: none), so comparing them is cheap
    # unions members assessments audits; audit_items (an item of a checklist to rectify, by its
    # deadline) and audit_outcomes (a rectification outcome) for the overdue count
    Column("source", String(16), nullable=False),
    Column("union_type", String(32), nullable=True),
    Column("employer_nature", String(32), nullable=True),
    Column("union_status", String(16), nullable=True),
    Column("founded_date", Integer, nullable=True),
    Column("has_congress", Integer, nullable=True),
    Column("has_funds_committee", Integer, nullable=True),
    Column("has_women_committee", Integer, nullable=True),
    Column("has_contract", Integer, nullable=True),
    Column("has_affairs_open", Integer, nullable=True),
    Column("home_level", String(16), nullable=True),
    Column("employees", Integer, nullable=True),
    Column("female_employees", Integer, nullable=True),
    Column("female", Integer, nullable=True),
    Column("migrant", Integer, nullable=True),
    Column("new_form_kind", String(32), nullable=True),
    Column("member_from", Integer, nullable=True),
    Column("member_until", Integer, nullable=True),  # null: a member now
    Column("joined_date", Integer, nullable=True),
    Column("transfer_in_date", Integer, nullable=True),
    Column("transfer_out_date", Integer, nullable=True),
    Column("left_date", Integer, nullable=True),
    Column("id_valid", Integer, nullable=True),
    Column("id_digest", String(64), nullable=True),
    # 1 once another member row of the county has the same digest (kept by upsert): the exact,
    # as-of uniqueness check then looks at these few rows only
    Column("id_shared", Integer, nullable=True),
    Column("complete", Integer, nullable=True),
    Column("union_uuid", String(36), nullable=True),
    Column("event_year", Integer, nullable=True),
    Column("event_date", Integer, nullable=True),
    Column("band", String(8), nullable=True),
    Column("rectification_required", Integer, nullable=True),
    Column("open_items", Integer, nullable=True),
    Column("nc_income", Integer, nullable=True),
    Column("nc_spending", Integer, nullable=True),
    Column("nc_other", Integer, nullable=True),
    Column("amount", BigInteger, nullable=True),
    Column("replaces", String(36), nullable=True),  # a checklist correction: the one it replaces
    Column("item_id", String(64), nullable=True),  # a checklist item to rectify / its outcome
    Index("ix_stat_facts_source_county", "source", "county", "township"),
    Index("ix_stat_facts_digest", "county", "id_digest"),
    Index("ix_stat_facts_shared", "id_shared"),
    # a checklist's item rows and their outcomes, by union (revision 0010); member rows have none
    Index(
        "ix_stat_facts_union",
        "union_uuid",
        postgresql_where=text("union_uuid IS NOT NULL"),
        sqlite_where=text("union_uuid IS NOT NULL"),
    ),  # fmt: skip
    # the members whose dates fall in the report's year, counted from their rows beside the
    # pre-counted rest (``member_counts``, revision 0011): one range per date column
    *(
        Index(
            f"ix_stat_facts_{column}",
            column,
            postgresql_where=text(f"{column} > 0"),
            sqlite_where=text(f"{column} > 0"),
        )
        for column in (
            "member_from",
            "member_until",
            "joined_date",
            "transfer_in_date",
            "transfer_out_date",
            "left_date",
        )
    ),  # fmt: skip
)

member_counts = Table(
    # the members rows of ``stat_facts`` that share no ID digest (``id_shared = 0``), counted by
    # unit, their static flags and the years or months of their dates (revision 0011): kept in
    # the same transaction by every write of ``stat_facts`` (domain/member_counts.py), so the
    # statistics tables read cells instead of millions of rows. ``from_year``: the YYYY of
    # member_from (99999 none); ``until_month``: the YYYYMM of member_until (-1 none, a member
    # now); ``joined_year`` / ``*_month`` of the period dates only for a month and day in
    # 0101..1231 (-1 otherwise: never in a period)
    "member_counts",
    metadata,
    Column("county", String(32), primary_key=True),
    Column("township", String(32), primary_key=True),
    Column("female", Integer, primary_key=True, autoincrement=False),
    Column("migrant", Integer, primary_key=True, autoincrement=False),
    Column("id_valid", Integer, primary_key=True, autoincrement=False),
    Column("complete", Integer, primary_key=True, autoincrement=False),
    Column("new_form_kind", String(32), primary_key=True),
    Column("from_year", Integer, primary_key=True, autoincrement=False),
    Column("until_month", Integer, primary_key=True, autoincrement=False),
    Column("joined_year", Integer, primary_key=True, autoincrement=False),
    Column("tin_month", Integer, primary_key=True, autoincrement=False),
    Column("tout_month", Integer, primary_key=True, autoincrement=False),
    Column("left_month", Integer, primary_key=True, autoincrement=False),
    Column("n", BigInteger, nullable=False),
)

province_transfers = Table(
    "province_transfers",
    metadata,
    Column("transfer_id", String(36), primary_key=True),
    Column("member_uuid", String(36), nullable=True, index=True),  # from the request
    Column("date", String(10), nullable=True),  # the 转出 row's date, from the request
    Column("decision", String(16), nullable=False, default=""),  # from the answer
)

# ---- county org-unit trees received by the province

county_org_trees = Table(
    "county_org_trees",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("county_org_unit", String(32), nullable=False, index=True),
    Column("county_device_id", String(36), nullable=False),
    Column("tree_sha256", String(64), nullable=False),
    Column("document", Text, nullable=False),  # the signed org_tree document as received
    Column("received_at", String(32), nullable=False),
)

# ---- the server's audit log: administrative and review actions, hash-chained

audit_log = Table(
    # append-only (sync/server/domain/audit_log.py): actor, time, target, never a personal value
    "audit_log",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("at", String(32), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(64), nullable=False),
    Column("target", String(200), nullable=False),
    Column("detail", Text, nullable=False),  # canonical JSON object of non-personal facts
    Column("prev_hash", String(64), nullable=False),
    Column("entry_hash", String(64), nullable=False),
    # the hash of entry_hash (domain/audit_log.py): NULL = sha256 (entries before 0008), "sm3"
    Column("hash_alg", String(8), nullable=True),
)

# Keys a device signed with before it was re-keyed (``POST /v1/device/key`` after the county
# moved to another crypto suite, domain/rekey.py): what it signed before stays verifiable.
device_keys = Table(
    "device_keys",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("device_id", String(36), ForeignKey("devices.device_id"), nullable=False),
    Column("public_key", LargeBinary, nullable=False),
    Column("retired_at", String(32), nullable=False),
    Index("ix_device_keys_device", "device_id"),
)
