"""政府收支分类科目: the 功能分类 类 of expenditure with their names, the names earlier editions printed,
and the 经济分类 类."""

from __future__ import annotations

from dataclasses import dataclass

# 支出功能分类 类 as printed (2023 科目 edition): the first 3 digits of every 功能 code
FUNCTION_CLASSES: dict[str, str] = {
    "201": "一般公共服务支出",
    "202": "外交支出",
    "203": "国防支出",
    "204": "公共安全支出",
    "205": "教育支出",
    "206": "科学技术支出",
    "207": "文化旅游体育与传媒支出",
    "208": "社会保障和就业支出",
    "209": "社会保险基金支出",
    "210": "卫生健康支出",
    "211": "节能环保支出",
    "212": "城乡社区支出",
    "213": "农林水支出",
    "214": "交通运输支出",
    "215": "资源勘探工业信息等支出",
    "216": "商业服务业等支出",
    "217": "金融支出",
    "219": "援助其他地区支出",
    "220": "自然资源海洋气象等支出",
    "221": "住房保障支出",
    "222": "粮油物资储备支出",
    "223": "国有资本经营预算支出",
    "224": "灾害防治及应急管理支出",
    "227": "预备费",
    "229": "其他支出",
    "230": "转移性支出",
    "231": "债务还本支出",
    "232": "债务付息支出",
    "233": "债务发行费用支出",
    "234": "抗疫特别国债安排的支出",
}
# 类 renamed since (an older 说明 may still print the old name)
RENAMED_CLASSES: dict[str, str] = {
    "医疗卫生与计划生育": "卫生健康",
    "文化体育与传媒": "文化旅游体育与传媒",
    "国土海洋气象等": "自然资源海洋气象等",
    "资源勘探信息等": "资源勘探工业信息等",
}


def class_stem(name: str) -> str:
    """A 类 name without its trailing 支出 (一般公共服务支出 → 一般公共服务; 预备费 stays)."""
    return name.removesuffix("支出")


# by code, without the trailing 支出, as the 说明 and the checks name them
CLASS_BY_CODE: dict[str, str] = {code: class_stem(n) for code, n in FUNCTION_CLASSES.items()}
# every 类 name a document may print (today's and the earlier editions'), without the trailing 支出
CLASS_NAMES: frozenset[str] = frozenset(CLASS_BY_CODE.values()) | frozenset(RENAMED_CLASSES)
# the codes a 功能分类 code may start with: expenditure 201–234 and the income 类 (101 税收收入 … 110 转移性收入)
VALID_CLASS_CODES: frozenset[str] = frozenset(str(c) for c in [*range(201, 235), 101, 102, 103, 105, 110, 111])

# 部门预算经济分类 (3xx) 类 and 政府预算经济分类 (5xx) 类
DEPARTMENT_ECONOMIC_CLASSES: dict[str, str] = {
    "301": "工资福利支出",
    "302": "商品和服务支出",
    "303": "对个人和家庭的补助",
    "307": "债务利息及费用支出",
    "309": "资本性支出（基本建设）",
    "310": "资本性支出",
    "311": "对企业补助（基本建设）",
    "312": "对企业补助",
    "313": "对社会保障基金补助",
    "399": "其他支出",
}
GOVERNMENT_ECONOMIC_CLASSES: frozenset[str] = frozenset({f"5{n:02d}" for n in range(1, 15)} | {"599"})

# 部门预算经济分类 款 (2023 科目 edition) as disclosures print them in the 基本支出分经济科目表
DEPARTMENT_ECONOMIC_ITEMS: dict[str, str] = {
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
# 经济分类 rows as printed (301 工资福利支出 / 501 机关工资福利支出 and some 款): a table of these is by 经济分类
ECONOMIC_ROW_NAMES: tuple[str, ...] = (
    "工资福利支出",
    "商品和服务支出",
    "对个人和家庭的补助",
    "资本性支出",
    "机关工资福利支出",
    "机关商品和服务支出",
    "基本工资",
    "津贴补贴",
    "奖金",
    "办公费",
    "印刷费",
    "差旅费",
    "手续费",
    "水电费",
    "邮电费",
)


@dataclass(frozen=True)
class ThreePublicItem:
    """One 三公 item and how each place prints it. The patterns are regular expressions searched in a name or a
    label with its spaces removed; `not_with` rules a label out (a 购置 label naming 运行 too is the car total)."""

    key: str  # abroad | reception | running | purchase | car
    zh: str  # the row name the extractor writes (a 三公 table's column becomes this row) and findings say
    code: str | None  # its 部门经济分类 款 (2023 科目 edition), as the 联网 feed's lines and payments code it
    word: str | None  # the shortest word naming it in a 三公 table's rows as the feed's matching reads them
    economic: str | None  # its row's name in a 经济分类 table (B06)
    row: str  # its row's name in a 三公 table (A-rules, B06)
    column: str  # its column's label in a 三公 table printed across (extract/three_public.py)
    not_with: str | None = None


# in the order the extractor tries a column label (the first that matches names it) and writes a 三公 table's
# items printed across as its rows
THREE_PUBLIC_ITEMS: tuple[ThreePublicItem, ...] = (
    ThreePublicItem("abroad", "因公出国（境）费", "30212", "出国", "因公出国", "因公出国", "因公出国"),
    ThreePublicItem("reception", "公务接待费", "30217", "接待", "公务接待", "公务接待", "公务接待"),
    ThreePublicItem(
        "purchase",
        "公务用车购置费",
        "31013",
        "购置",
        "公务用车购置",
        r"公务用车购置经?费?$|^购置经?费?$|车辆购置",
        r"购置经?费?$",  # 公务用车购置经费 (烟台)
        not_with="运行",
    ),
    ThreePublicItem(
        "running",
        "公务用车运行维护费",
        "30231",
        "运行",
        "公务用车运行",
        r"运行(维护|维修)?经?费?$",
        r"运行(维护)?经?费$|运行维护$",  # 公务用车运行维护 (its 费 clipped at the foot of a narrow cell)
        not_with="购置",
    ),
    ThreePublicItem("car", "公务用车购置及运行费", None, None, None, "公务用车购置及运行", "购置及运行"),
)
THREE_PUBLIC_CODE: dict[str, str] = {i.key: i.code for i in THREE_PUBLIC_ITEMS if i.code}  # abroad → 30212 …
_BY_CODE = sorted((i for i in THREE_PUBLIC_ITEMS if i.code), key=lambda i: i.code or "")
# the 三公 items among the 部门经济分类 款: {code: 科目 name}
THREE_PUBLIC: dict[str, str] = {i.code: DEPARTMENT_ECONOMIC_ITEMS[i.code] for i in _BY_CODE if i.code}  # in code order
