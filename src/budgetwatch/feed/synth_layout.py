"""The columns of the synthetic year's 一体化 CSV files (BA_BGT_INFO, BA_BGT_ADJSUB, PAY_VOUCHER,
PAY_VOUCHER_BILL), in the order the exchange standard lists them, and the writer of one such file."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

BILL = (
    "PAY_CERT_ID",
    "PAY_CERT_NO",
    "MOF_DIV_CODE",
    "FISCAL_YEAR",
    "VOU_DATE",
    "PAY_AMT",
    "XPAY_DATE",
    "XPAY_AMT",
    "AGENCY_CODE",
    "AGENCY_NAME",
    "EXP_FUNC_CODE",
    "EXP_FUNC_NAME",
    "DEP_BGT_ECO_CODE",
    "DEP_BGT_ECO_NAME",
    "GOV_BGT_ECO_CODE",
    "PRO_CODE",
    "PRO_NAME",
    "FUND_TYPE_CODE",
    "PAY_TYPE_CODE",
    "PAY_TYPE_NAME",
    "SET_MODE_CODE",
    "SET_MODE_NAME",
    "PAYEE_ACCT_NAME",
    "PAYEE_ACCT_NO",
    "PAYEE_ACCT_BANK_NAME",
    "USE_DES",
    "UPDATE_TIME",
    "IS_DELETED",
)
VOUCHER = (
    "PAY_APP_ID",
    "PAY_APP_NO",
    "MOF_DIV_CODE",
    "FISCAL_YEAR",
    "PAY_CERT_ID",
    "BGT_ID",
    "PAY_APP_AMT",
    "CREATE_DATE",
    "UPDATE_TIME",
    "IS_DELETED",
)
INFO = (
    "BGT_ID",
    "MOF_DIV_CODE",
    "FISCAL_YEAR",
    "AGENCY_CODE",
    "AGENCY_NAME",
    "EXP_FUNC_CODE",
    "EXP_FUNC_NAME",
    "DEP_BGT_ECO_CODE",
    "DEP_BGT_ECO_NAME",
    "GOV_BGT_ECO_CODE",
    "PRO_CODE",
    "PRO_NAME",
    "FUND_TYPE_CODE",
    "FUND_TYPE_NAME",
    "BGT_TYPE_CODE",
    "BGT_TYPE_NAME",
    "SOURCE_TYPE_CODE",
    "SOURCE_TYPE_NAME",
    "AMOUNT",
    "COR_BGT_DOC_NO",
    "BGT_DOC_TITLE",
    "DOC_DATE",
    "IS_GOV_PUR",
    "UPDATE_TIME",
    "IS_DELETED",
)
ADJSUB = (
    "ADJ_SUB_ID",
    "MOF_DIV_CODE",
    "FISCAL_YEAR",
    "BGT_ID",
    "ORI_BGT_ID",
    "AGENCY_CODE",
    "EXP_FUNC_CODE",
    "DEP_BGT_ECO_CODE",
    "PRO_CODE",
    "ADD_AMOUNT",
    "ADJ_DATE",
    "BAT_NUM",
    "ADJ_TYPE_NAME",
    "COR_BGT_DOC_NO",
    "UPDATE_TIME",
    "IS_DELETED",
)


@contextmanager
def csv_writer(path: Path, header: tuple[str, ...], encoding: str) -> Iterator[Any]:
    """A CSV file of the exchange layout, its header row written first; yields the csv writer."""
    with open(path, "w", encoding=encoding, newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        yield w
