"""The county's org-unit tree at the province, so dashboards show names next to codes.

County side: :func:`tree_document` is the county's own subtree (codes, names, parents, kinds)
signed with the county server's signing key - its device key at the province, the key that signs
its relay batches. :func:`send_tree` posts it (``POST /v1/org-tree``, a signed request) when its
hash differs from the last one the province acknowledged (remembered in the county's ``meta``
table), so a relay run with no change sends nothing and a failed send is retried next run.

Province side: :func:`receive_tree` checks the document (county device, signature, every unit
within the county's code prefix) and stores it as a new version unless it equals the county's
latest one; :func:`unit_names` gives the names the aggregates show.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Row

from sync import crypto
from sync.protocol import PROTOCOL_VERSION, canonical_json
from sync.server.domain.service import Server
from sync.server.errors import SyncError
from sync.server.store import Store, now_iso
from sync.server.tables import county_org_trees, meta
from sync.suites import hash_hex

PATH = "/v1/org-tree"
HASH_KEY = "relay_org_tree_sha256"  # meta key at the county: the tree the province acknowledged
MAX_UNITS = 5000


# --------------------------------------------------------------------------- county


def tree_units(server: Server) -> list[dict[str, Any]]:
    """The county's own unit and everything below it, by code."""
    codes = server.store.subtree_codes(server.config.org_unit_code)
    return [
        {"code": u.code, "name": u.name, "parent": u.parent, "kind": u.kind}
        for u in server.store.all_org_units()
        if u.code in codes
    ]


def tree_sha256(units: list[dict[str, Any]], suite: str = "intl") -> str:
    """Hash of the tree's units in the suite of the document that carries it (SM3 on gm)."""
    return hash_hex(suite, canonical_json(units))


def tree_document(server: Server) -> dict[str, Any]:
    """The signed ``org_tree`` document of this county."""
    units = tree_units(server)
    doc: dict[str, Any] = {
        "protocol": PROTOCOL_VERSION,
        "type": "org_tree",
        "county_org_unit": server.config.org_unit_code,
        "org_units": units,
        "tree_sha256": tree_sha256(units, server.data.signing_suite),
    }
    return crypto.sign_dict(server.data.signing_key, doc)


def acknowledged_hash(store: Store) -> str | None:
    with store.read() as conn:
        return conn.execute(select(meta.c.value).where(meta.c.key == HASH_KEY)).scalar()


def _remember(store: Store, digest: str) -> None:
    with store.write() as conn:
        if conn.execute(select(meta.c.key).where(meta.c.key == HASH_KEY)).first() is None:
            conn.execute(meta.insert().values(key=HASH_KEY, value=digest))
        else:
            conn.execute(meta.update().where(meta.c.key == HASH_KEY).values(value=digest))


def send_tree(server: Server, client: Any, *, force: bool = False) -> str | None:
    """Send the tree through ``client`` (a relay :class:`sync.client.SyncClient`) unless the
    province already acknowledged this very tree; returns ``"stored"`` / ``"unchanged"`` as the
    province answered, or None when nothing was sent. Raises ``sync.client.SyncError``."""
    doc = tree_document(server)
    if not force and acknowledged_hash(server.store) == doc["tree_sha256"]:
        return None
    answer = json.loads(client.signed_post(PATH, canonical_json(doc)))
    _remember(server.store, doc["tree_sha256"])
    result = str(answer.get("result", ""))
    server.log.info(
        "org tree sent units=%d sha256=%s result=%s",
        len(doc["org_units"]),
        doc["tree_sha256"][:12],
        result,
    )
    return result


# --------------------------------------------------------------------------- province


def _refuse(code: str, message: str, status: int = 422) -> SyncError:
    return SyncError(status, code, message)


def _check_units(units: Any, county: str) -> list[dict[str, Any]]:
    if not isinstance(units, list) or not units or len(units) > MAX_UNITS:
        raise _refuse("org_tree.bad_document", f"org_units must be a list of 1..{MAX_UNITS}")
    fields: dict[str, type | tuple[type, ...]] = {
        "code": str,
        "name": str,
        "parent": (str, type(None)),
        "kind": str,
    }
    for u in units:
        if (
            not isinstance(u, dict)
            or set(u) != set(fields)
            or not all(isinstance(u[k], t) for k, t in fields.items())
        ):
            raise _refuse("org_tree.bad_document", "each unit needs code, name, parent, kind")
        if not (0 < len(u["code"]) <= 32 and 0 < len(u["name"]) <= 200):
            raise _refuse("org_tree.bad_document", "unit code or name empty or too long")
    codes = [u["code"] for u in units]
    if len(set(codes)) != len(codes) or county not in codes:
        raise _refuse("org_tree.bad_document", "codes must be unique and include the county")
    foreign = sorted(c for c in codes if not c.startswith(county))
    if foreign:
        raise _refuse(
            "org_tree.foreign_unit",
            f"{len(foreign)} unit(s) outside county {county}, e.g. {foreign[0]}",
        )
    for u in units:
        if u["code"] != county and u["parent"] not in codes:
            raise _refuse("org_tree.bad_document", f"unit {u['code']} has no parent in the tree")
    return units


def receive_tree(server: Server, device: Row[Any], doc: Mapping[str, Any]) -> dict[str, Any]:
    """Check and store a county's tree (nothing stored when refused). Returns the answer."""
    if device.role != "county":
        raise _refuse("not_allowed", "only county devices send an org-unit tree", 403)
    if doc.get("type") != "org_tree":
        raise _refuse("org_tree.bad_document", "expected a document of type org_tree")
    try:
        ok = crypto.verify_dict(bytes(device.public_key), doc)
    except Exception:  # noqa: BLE001  (any malformed signature is just "does not verify")
        ok = False
    if not ok:
        raise _refuse("org_tree.bad_signature", "not signed by this county's key", 403)
    county = device.org_unit
    if doc.get("county_org_unit") != county:
        raise _refuse("org_tree.foreign_unit", f"the tree is not of county {county}")
    units = _check_units(doc.get("org_units"), county)
    digest = tree_sha256(units, str(doc.get("suite", "intl")))
    if doc.get("tree_sha256") != digest:
        raise _refuse("org_tree.bad_document", "tree_sha256 does not match org_units")
    with server.store.write() as conn:
        latest = conn.execute(
            select(county_org_trees.c.tree_sha256)
            .where(county_org_trees.c.county_org_unit == county)
            .order_by(county_org_trees.c.id.desc())
            .limit(1)
        ).scalar()
        result = "unchanged" if latest == digest else "stored"
        if result == "stored":
            conn.execute(
                county_org_trees.insert().values(
                    county_org_unit=county,
                    county_device_id=device.device_id,
                    tree_sha256=digest,
                    document=canonical_json(doc).decode("utf-8"),
                    received_at=now_iso(),
                )
            )
    server.log.info(
        "org tree %s county=%s device=%s units=%d sha256=%s",
        result,
        county,
        device.device_id,
        len(units),
        digest[:12],
    )
    return {"protocol": PROTOCOL_VERSION, "type": "org_tree_receipt", "result": result,
            "tree_sha256": digest}  # fmt: skip


def latest_trees(store: Store) -> dict[str, list[dict[str, Any]]]:
    """The newest stored tree of each county: county code -> units."""
    newest = select(func.max(county_org_trees.c.id)).group_by(county_org_trees.c.county_org_unit)
    with store.read() as conn:
        rows = conn.execute(
            select(county_org_trees.c.county_org_unit, county_org_trees.c.document).where(
                county_org_trees.c.id.in_(newest)
            )
        ).all()
    return {r.county_org_unit: json.loads(r.document)["org_units"] for r in rows}


def unit_names(store: Store) -> tuple[dict[str, str], dict[str, str]]:
    """(county names, township names) by code: counties by the province's own tree first,
    townships by their county's latest tree first; each falls back to the other source."""
    own = {u.code: u.name for u in store.all_org_units()}
    sent: dict[str, str] = {}
    for units in latest_trees(store).values():
        sent.update({u["code"]: u["name"] for u in units})
    return {**sent, **own}, {**own, **sent}
