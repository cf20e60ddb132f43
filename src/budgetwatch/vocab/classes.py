"""政府收支分类科目: the 功能分类 类 of expenditure with their names, the names earlier editions printed,
and the 经济分类 类."""

from __future__ import annotations

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

# the 三公 items among the 部门经济分类 款 (2023 科目 edition), as the 联网 feed's lines and payments code them
THREE_PUBLIC: dict[str, str] = {
    "30212": "因公出国（境）费用",
    "30217": "公务接待费",
    "30231": "公务用车运行维护费",
    "31013": "公务用车购置",
}
