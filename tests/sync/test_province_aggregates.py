"""Province aggregates for dashboards: members (female / migrant / new-employment-form), unions with
workers' congress / funds committee / collective contract, per county, township and form — over
the newest accepted version only, read by the county over HTTPS (``GET /v1/aggregates``) and by
``uniondesk-server aggregates``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests

from sync.client import SyncError
from sync.review_client import ReviewClient
from sync.server.cli import main as server_main
from sync.server.domain.relay import load_link, relay_once
from tests.sync.relay_support import Province, accept_all, link_county, reviewer_client
from tests.sync.test_province_totals import assert_totals_recounted

UNION_UUID = "00000000-0000-4000-8000-000000000001"


def _member(device: Any, **data: Any) -> dict[str, Any]:
    rec = device.record()
    rec["form_id"] = "member"
    rec["data"] = {
        "union": UNION_UUID,
        "name": "张三",
        "id_type": "resident_id",
        "id_number": "11010519491231002X",
        "gender": "male",
        "mobile": "13800138000",
        "join_date": "2020-01-01",
        "member_type": "regular",
        **data,
    }
    return rec


def test_aggregates_count_the_newest_accepted_versions(
    tmp_path: Path, county_server_factory: Any, raw_device: Any, capsys: Any
) -> None:
    province = Province(tmp_path)
    try:
        county = county_server_factory()
        link_county(county.server, province)
        township = raw_device(county)
        members = [
            _member(township, gender="female", migrant_worker=True),
            _member(township, id_number="110105194912310062", gender="female"),
            _member(
                township,
                id_number="110105194912310089",
                employment_form="new_form",
                new_form_kind="courier",
            ),
        ]
        union = township.record(
            has_workers_congress=True,
            has_collective_contract=True,
            contract_signed_date="2024-03-01",
        )
        assert township.post_batch(township.seal([*members, union])).status_code == 200
        reviewer = reviewer_client(county.url, county.server)
        accept_all(reviewer)
        relay_once(county.server)
        assert_totals_recounted(province.server.store)
        # a corrected union (no congress any more) replaces the first version in the counts
        v2 = {**union, "version": 2, "data": {**union["data"], "has_workers_congress": False}}
        assert township.post_batch(township.seal([v2])).status_code == 200
        accept_all(reviewer)
        assert relay_once(county.server).received == 1
        assert_totals_recounted(province.server.store)

        link = load_link(county.server)
        session = requests.Session()
        session.trust_env = False
        session.verify = str(link.ca_file(county.server.data.path))
        as_county = ReviewClient(
            session,
            base_url=province.url,
            device_id=link.device_id,
            device_key=county.server.data.signing_key.private_bytes_raw(),
        )
        (row,) = as_county.aggregates("county")
        assert row["key"] == "330106" and row["records"] == 4
        assert (row["members"], row["female_members"], row["migrant_members"]) == (3, 2, 1)
        assert row["new_form_members"] == 1
        assert (row["unions"], row["unions_with_congress"], row["unions_with_contract"]) == (
            1,
            0,
            1,
        )
        by_form = {r["key"]: r["records"] for r in as_county.aggregates("form")}
        assert by_form == {"member": 3, "union": 1}

        assert server_main(["aggregates", "--data", str(province.data_path), "--json"]) == 0
        assert json.loads(capsys.readouterr().out) == [row]

        # a device the province does not know (the county's reviewer) is refused
        stranger = ReviewClient(
            session, base_url=province.url, device_id=reviewer.device_id, device_key=bytes(32)
        )
        with pytest.raises(SyncError) as err:
            stranger.aggregates()
        assert err.value.code == "unknown_device"
        reviewer.session.close()
        township.session.close()
        session.close()
    finally:
        province.close()
