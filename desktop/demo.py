"""The demo workspace: a township union with a few grassroots unions and members, in realistic
Chinese, created through the store API (``uniondesk demo`` opens it, signed in as ``admin``).

Also the generator of plausible member records (valid GB 11643 ID numbers, mobile numbers)
used by the benchmarks. No Qt here.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from desktop.store import Workspace

DEMO_USER = "admin"
DEMO_PASSWORD = "Uniondesk-demo-1"
OLD_DEMO_PASSWORD = "uniondesk-demo"  # demo workspaces made before the password rule
DEMO_ORG_CODE = "330106001"
DEMO_ORG_NAME = "西溪街道总工会"

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "秀英",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀兰",
    "霞",
    "平",
    "刚",
    "桂英",
    "建华",
    "文",
    "华",
    "红",
    "玉兰",
    "志强",
    "海燕",
    "晓东",
    "俊杰",
    "雪梅",
    "春生",
    "建国",
    "丽娟",
    "欣怡",
    "子涵",
    "浩然",
    "梓轩",
    "宇航",
    "思远",
    "佳怡",
    "嘉豪",
    "婷婷",
    "晨曦",
    "一鸣",
    "诗涵",
    "天宇",
    "明轩",
]
ID_REGIONS = (
    "330106",
    "330105",
    "330102",
    "330110",
    "330183",
    "341502",
    "412723",
    "511321",
    "522422",
)

UNIONS: tuple[dict[str, Any], ...] = (
    {
        "full_name": "杭州西溪数智科技有限公司工会委员会",
        "short_name": "西溪数智工会",
        "union_type": "independent",
        "employer_name": "杭州西溪数智科技有限公司",
        "employer_nature": "enterprise_domestic",
        "economic_type": "private",
        "industry": "I",
        "address": "杭州市西湖区文三路 478 号",
        "chair_name": "周建华",
    },
    {
        "full_name": "西溪街道小微企业联合工会委员会",
        "short_name": "西溪小微联合工会",
        "union_type": "joint",
        "employer_name": "西溪街道辖区小微企业",
        "employer_nature": "enterprise_domestic",
        "economic_type": "private",
        "industry": "F",
        "address": "杭州市西湖区西溪路 88 号",
        "chair_name": "陈丽娟",
    },
    {
        "full_name": "杭州西湖外卖配送站点联合工会",
        "short_name": "骑手之家联合工会",
        "union_type": "joint",
        "employer_name": "西湖区外卖配送站点",
        "employer_nature": "enterprise_domestic",
        "economic_type": "private",
        "industry": "G",
        "address": "杭州市西湖区古墩路 215 号",
        "chair_name": "王志强",
    },
    {
        "full_name": "浙江文新建设集团有限公司工会委员会",
        "short_name": "文新建设工会",
        "union_type": "group",
        "employer_name": "浙江文新建设集团有限公司",
        "employer_nature": "enterprise_domestic",
        "economic_type": "joint_stock",
        "industry": "E",
        "address": "杭州市西湖区天目山路 159 号",
        "chair_name": "刘建国",
    },
    {
        "full_name": "西溪街道社区卫生服务中心工会",
        "short_name": "社区卫生中心工会",
        "union_type": "independent",
        "employer_name": "西溪街道社区卫生服务中心",
        "employer_nature": "institution",
        "industry": "Q",
        "address": "杭州市西湖区竞舟路 12 号",
        "chair_name": "孙海燕",
    },
    {
        "full_name": "杭州港资精密电子有限公司工会委员会",
        "short_name": "精密电子工会",
        "union_type": "independent",
        "employer_name": "杭州港资精密电子有限公司",
        "employer_nature": "enterprise_hmt",
        "economic_type": "hmt",
        "industry": "C",
        "address": "杭州市西湖区三墩镇振华路 66 号",
        "chair_name": "黄晓东",
    },
)

_RIC_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def resident_id(region: str, birth: dt.date, seq: int, female: bool) -> str:
    """A valid 18-character resident ID (GB 11643) for the given parts."""
    seq = seq % 500 * 2 + (0 if female else 1)
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    total = sum(int(c) * w for c, w in zip(first17, _RIC_WEIGHTS, strict=True))
    return first17 + "10X98765432"[total % 11]


def member_rows(union_uuids: list[str], count: int, seed: int = 7) -> Iterator[dict[str, Any]]:
    """``count`` plausible member records spread over the unions (unique ID numbers)."""
    rng = random.Random(seed)
    weights = [max(1, 9 - 2 * k) for k in range(len(union_uuids))]  # bigger and smaller unions
    for i in range(count):
        female = rng.random() < 0.46
        # region and sequence repeat every 4,500 rows; the birth date differs between those
        # rounds (337 is coprime with the 15,330-day span), so every ID number is unique
        birth = dt.date(1962, 1, 1) + dt.timedelta(days=((i // 4500) * 337 + i % 4500) % 15330)
        region = ID_REGIONS[i % len(ID_REGIONS)]
        new_form = rng.random() < 0.12
        row: dict[str, Any] = {
            "union": rng.choices(union_uuids, weights)[0],
            "name": rng.choice(SURNAMES) + rng.choice(GIVEN),
            "id_type": "resident_id",
            "id_number": resident_id(region, birth, i, female),
            "ethnicity": "01" if rng.random() < 0.93 else rng.choice(["03", "08", "11", "06"]),
            "mobile": f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}",
            "education": rng.choice(
                ["junior_high", "senior_high", "secondary_vocational", "junior_college", "bachelor"]
            ),
            "political_status": rng.choice(["masses", "masses", "cpc_member", "cyl_member"]),
            "household_type": "rural" if rng.random() < 0.35 else "urban",
            "employment_status": "employed",
            "employment_form": "new_form" if new_form else "standard",
            "migrant_worker": rng.random() < 0.3,
            "hardship": rng.random() < 0.04,
            "join_date": min(
                birth + dt.timedelta(days=365 * 19 + rng.randrange(0, 365 * 15)),
                dt.date(2025, 12, 31),
            ).isoformat(),
            "member_type": "regular",
        }
        if new_form:
            row["new_form_kind"] = rng.choice(["delivery_rider", "courier", "ride_hailing_driver"])
        yield _fix_birth(row)


def _fix_birth(row: dict[str, Any]) -> dict[str, Any]:
    """Birth date and gender as the ID number says (the form would fill them in)."""
    number = row["id_number"]
    row["birth_date"] = f"{number[6:10]}-{number[10:12]}-{number[12:14]}"
    row["gender"] = "female" if int(number[16]) % 2 == 0 else "male"
    return row


def union_rows(rng: random.Random | None = None) -> list[dict[str, Any]]:
    """The demo grassroots unions with plausible counts."""
    rng = rng or random.Random(3)
    rows = []
    for i, base in enumerate(UNIONS):
        employees = rng.randrange(40, 600)
        members = int(employees * rng.uniform(0.8, 0.98))
        female = int(members * rng.uniform(0.3, 0.6))
        row = {
            **base,
            "status": "active" if i != 4 else "preparing",
            "founded_date": f"{2008 + i * 2}-0{1 + i % 9}-15",
            "division_code": DEMO_ORG_CODE,
            "chair_mobile": f"139{rng.randrange(10**8):08d}",
            "employees": employees,
            "female_employees": int(employees * 0.45),
            "members": members,
            "female_members": female,
            "migrant_members": int(members * rng.uniform(0.1, 0.4)),
            "new_form_members": members
            if base["short_name"].startswith("骑手")
            else int(members * 0.02),
            "fulltime_cadres": 1 if members > 200 else 0,
            "has_funds_committee": True,
            "funds_committee_date": "2019-06-01",
            "has_women_committee": i % 2 == 0,
            "has_workers_congress": i != 1,
            "workers_home_level": ["none", "county", "city"][i % 3],
        }
        if row["has_women_committee"]:
            row["women_committee_date"] = "2020-03-08"
        if row["has_workers_congress"]:
            row["workers_congress_date"] = "2021-01-20"
        rows.append(row)
    return rows


def create_demo_workspace(path: Path, members: int = 60, kdf: Any = None) -> tuple[Any, str]:
    """Create the demo workspace in ``path`` (must be empty); returns it open, and the recovery key."""
    from desktop.store import Workspace

    ws, key = Workspace.create(
        path,
        org_unit_code=DEMO_ORG_CODE,
        org_unit_name=DEMO_ORG_NAME,
        admin_user=DEMO_USER,
        admin_password=DEMO_PASSWORD,
        kdf=kdf,
    )
    ws.users.add("luru", DEMO_PASSWORD, "clerk")
    unions = [ws.records.save("union", row) for row in union_rows()]
    uuids = [u.uuid for u in unions]
    saved = [ws.records.save("member", row) for row in member_rows(uuids, members)]
    if len(saved) > 3:  # one record came back from the county with a comment
        ws.records.set_status(
            saved[3].uuid, "returned", "身份证号码与户籍信息不符，请核实后重新提交。"
        )
    add_demo_assessments_and_audits(ws, unions)
    ws.settings.set("backup.on_close", False)
    return ws, key


def add_demo_assessments_and_audits(ws: Workspace, unions: list[Any]) -> None:
    """This year's assessment sessions (one good, one needing rectification) and one audit
    checklist in progress with a non-compliant finding, so every page has something to show."""
    from desktop.domain import assessments, checklists

    today = dt.date.today()
    assessments.add_demo_sessions(ws, [u.uuid for u in unions], today.year)
    first = unions[0]
    checklist = checklists.create_checklist(
        ws,
        {
            "union": first.uuid,
            "union_name": first.data.get("full_name", ""),
            "period_start": f"{today.year - 1}-01-01",
            "period_end": f"{today.year - 1}-12-31",
            "auditors": "王芳、李强",
            "audit_date": today.isoformat(),
        },
    )
    data = dict(checklist.data)
    rows = [dict(row) for row in data["items"]]
    for index, row in enumerate(rows[:8]):
        row["result"] = "compliant" if index != 5 else "noncompliant"
    rows[5].update(
        amount="3600.00",
        finding="春节慰问发放购物卡 3,600 元，不符合“不得发放购物卡”的规定。",
        evidence="记账凭证 2025-02-012",
        rectify=True,
        owner="工会经审会 陈丽娟",
        deadline=(today + dt.timedelta(days=30)).isoformat(),
    )
    data["items"] = rows
    checklists.save_checklist(ws, checklist.uuid, data)


def demo_workspace_dir() -> Path:
    from desktop.resources import default_workspace_dir

    return default_workspace_dir().parent / "demo-workspace"


def open_demo_workspace(path: Path | None = None) -> tuple[Path, Any]:
    """Open the demo workspace (creating it the first time); returns its folder and it, open."""
    from desktop.store import Workspace
    from desktop.store.workspace import DB_NAME

    folder = path or demo_workspace_dir()
    if (folder / DB_NAME).exists():
        from desktop.store import errors

        try:
            return folder, Workspace.open(folder, user=DEMO_USER, password=DEMO_PASSWORD)
        except errors.WrongPassword:
            return folder, Workspace.open(folder, user=DEMO_USER, password=OLD_DEMO_PASSWORD)
    ws, _key = create_demo_workspace(folder)
    return folder, ws
