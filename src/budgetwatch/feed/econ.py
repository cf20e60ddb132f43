"""经济分类 vocabulary: 部门预算经济分类 款 names → 5-digit codes (as disclosures print them in the 基本支出分经济科目表),
the 政府预算经济分类 款 each falls under, and the 三公 items of a 三公 table."""

from __future__ import annotations

import re

from .codes import normalise_name

DEP_ECO = {
    "30101": "基本工资",
    "30102": "津贴补贴",
    "30103": "奖金",
    "30106": "伙食补助费",
    "30107": "绩效工资",
    "30108": "机关事业单位基本养老保险缴费",
    "30109": "职业年金缴费",
    "30110": "职工基本医疗保险缴费",
    "30111": "公务员医疗补助缴费",
    "30112": "其他社会保障缴费",
    "30113": "住房公积金",
    "30114": "医疗费",
    "30199": "其他工资福利支出",
    "30201": "办公费",
    "30202": "印刷费",
    "30203": "咨询费",
    "30204": "手续费",
    "30205": "水费",
    "30206": "电费",
    "30207": "邮电费",
    "30208": "取暖费",
    "30209": "物业管理费",
    "30211": "差旅费",
    "30212": "因公出国（境）费用",
    "30213": "维修（护）费",
    "30214": "租赁费",
    "30215": "会议费",
    "30216": "培训费",
    "30217": "公务接待费",
    "30218": "专用材料费",
    "30224": "被装购置费",
    "30225": "专用燃料费",
    "30226": "劳务费",
    "30227": "委托业务费",
    "30228": "工会经费",
    "30229": "福利费",
    "30231": "公务用车运行维护费",
    "30239": "其他交通费用",
    "30240": "税金及附加费用",
    "30299": "其他商品和服务支出",
    "30301": "离休费",
    "30302": "退休费",
    "30303": "退职（役）费",
    "30304": "抚恤金",
    "30305": "生活补助",
    "30306": "救济费",
    "30307": "医疗费补助",
    "30308": "助学金",
    "30309": "奖励金",
    "30310": "个人农业生产补贴",
    "30399": "其他对个人和家庭的补助",
    "31002": "办公设备购置",
    "31003": "专用设备购置",
    "31007": "信息网络及软件购置更新",
    "31013": "公务用车购置",
    "31099": "其他资本性支出",
}
CLASS_NAMES = {
    "工资福利支出": "301",
    "商品和服务支出": "302",
    "对个人和家庭的补助": "303",
    "资本性支出": "310",
    "对企业补助": "312",
    "债务利息及费用支出": "307",
    "其他支出": "399",
}
_BY_NAME = {normalise_name(v): k for k, v in DEP_ECO.items()}


def dep_code(name: str, klass: str | None = None) -> str | None:
    """The 款 code of a printed 经济 item name (`因公出国（境）费` ≈ 因公出国（境）费用), else the class's 99 item."""
    n = normalise_name(name)
    if n in _BY_NAME:
        return _BY_NAME[n]
    for known, code in _BY_NAME.items():
        if n and (known.startswith(n) or n.startswith(known)) and (klass is None or code.startswith(klass)):
            return code
    return f"{klass}99" if klass else None


def gov_code(dep: str) -> str:
    """The 政府预算经济分类 款 of a 部门 款 (机关工资福利 501, 机关商品和服务 502, 对个人和家庭 509, 资本性 503)."""
    if dep.startswith("301"):
        return {
            "30108": "50102",
            "30109": "50102",
            "30110": "50102",
            "30111": "50102",
            "30112": "50102",
            "30113": "50103",
        }.get(dep, "50101" if dep <= "30107" else "50199")
    if dep.startswith("302"):
        return {
            "30215": "50202",
            "30216": "50203",
            "30227": "50205",
            "30217": "50206",
            "30212": "50207",
            "30231": "50208",
            "30213": "50209",
        }.get(dep, "50201" if dep <= "30211" else "50299")
    if dep.startswith("303"):
        return "50905" if dep in ("30301", "30302") else "50901" if dep != "30399" else "50999"
    if dep.startswith("310"):
        return "50306" if dep in ("31002", "31003") else "50399"
    return "59999"


THREE_PUBLIC_KEYWORDS = (
    ("30212", re.compile("出国")),
    ("30217", re.compile("接待")),
    ("30231", re.compile("运行")),
    ("31013", re.compile("购置")),
)


def three_public_item(name: str | None) -> str | None:
    """The 经济 code of a 三公 table row (因公出国（境）费 → 30212 …); None for 合计 and the 购置及运行 subtotal."""
    n = normalise_name(name)
    if not n or "合计" in n or ("购置" in n and "运行" in n):
        return None
    for code, rx in THREE_PUBLIC_KEYWORDS:
        if rx.search(n):
            return code
    return None
