"""Words for the member-assessment codes (zh_CN and en), added to the forms catalogue.

Codes and parameters come from :mod:`forms.assessment`; only the UI and printouts turn them into
sentences. :func:`register` puts them into :mod:`forms.messages` (its registration hook), so
``forms.message(code, lang, **params)`` knows them too.
"""

from __future__ import annotations

from typing import Any

from forms import messages

MESSAGES: dict[str, dict[str, str]] = {
    "assessment.negative": {
        "zh_CN": "{field} 不能为负数（填写的是 {value}）",
        "en": "{field} cannot be negative (entered {value})",
    },
    "assessment.no_eligible": {
        "zh_CN": "应到人数为 0，无法计算到会比例",
        "en": "Eligible voters is 0: the quorum cannot be computed",
    },
    "assessment.attendees_exceed_eligible": {
        "zh_CN": "实到人数 {attendees} 多于应到人数 {eligible}",
        "en": "Attendees ({attendees}) exceed eligible voters ({eligible})",
    },
    "assessment.issued_exceed_attendees": {
        "zh_CN": "发出选票 {issued} 张，多于实到人数 {attendees}",
        "en": "Ballots issued ({issued}) exceed attendees ({attendees})",
    },
    "assessment.returned_exceed_issued": {
        "zh_CN": "收回选票 {returned} 张，多于发出的 {issued} 张",
        "en": "Ballots returned ({returned}) exceed ballots issued ({issued})",
    },
    "assessment.invalid_exceed_returned": {
        "zh_CN": "废票 {invalid} 张，多于收回的 {returned} 张",
        "en": "Invalid ballots ({invalid}) exceed ballots returned ({returned})",
    },
    "assessment.unknown_item": {
        "zh_CN": "模板中没有测评项目 {item}",
        "en": "The template has no assessment item {item}",
    },
    "assessment.unknown_grade": {
        "zh_CN": "项目 {item} 中有模板没有的等级 {grade}",
        "en": "Item {item} has a grade the template does not know: {grade}",
    },
    "assessment.bad_count": {
        "zh_CN": "项目 {item} 的 {grade} 票数无效：{value}",
        "en": "Item {item}: the count for {grade} is not a whole number ≥ 0: {value}",
    },
    "assessment.item_sum_mismatch": {
        "zh_CN": "项目 {item} 各等级合计 {sum} 票，与有效票 {valid} 张不符",
        "en": "Item {item}: the grades add up to {sum}, but there are {valid} valid ballots",
    },
    "assessment.no_valid_ballots": {
        "zh_CN": "没有有效票（收回 {returned} 张），无法计算满意率",
        "en": "No valid ballots ({returned} returned): satisfaction cannot be computed",
    },
    "assessment.ballot_malformed": {
        "zh_CN": "第 {ballot} 张选票“{text}”不完整：应为每个项目（共 {items} 项）各选一个等级",
        "en": "Ballot {ballot} ({text}) is incomplete: it needs one grade for each of {items} items",
    },
    "assessment.reason.item_unsatisfied": {
        "zh_CN": "项目 {item} 不满意 {unsatisfied} 票，占有效票 {valid} 张的 {share}，超过 {threshold}",
        "en": "Item {item}: {unsatisfied} of {valid} valid ballots unsatisfied ({share}), more than {threshold}",
    },
    "assessment.reason.overall_unsatisfied": {
        "zh_CN": "总体不满意率 {share}，超过 {threshold}",
        "en": "Overall unsatisfied share {share} is more than {threshold}",
    },
    "assessment.duplicate_session": {
        "zh_CN": "{union} 在 {year} 年已有测评记录；再次测评须填写理由",
        "en": "{union} already has an assessment session in {year}; a repeat needs a reason",
    },
}


def message(code: str, lang: str = "zh_CN", **params: Any) -> str:
    """The words for one assessment code in ``lang`` (zh_CN or en), parameters filled in."""
    texts = MESSAGES.get(code)
    if texts is None:
        return code
    text = texts.get(lang) or texts["en"]
    try:
        return text.format(**params)
    except (KeyError, IndexError):
        return text


def register() -> None:
    """Add :data:`MESSAGES` to the forms catalogue (its registration hook)."""
    messages.register(MESSAGES)


register()
