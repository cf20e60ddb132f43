"""Facet counts on 问题 (as Datasette counts a table's facets): per rule, severity, status, year and region,
in SQL under the other active filters, on the page next to the filters and in its JSON. Each count is checked
against the findings themselves, listed in full and counted here. SQLite and PostgreSQL."""

from __future__ import annotations

import html
import re
from collections import Counter

import pytest
from fastapi.testclient import TestClient

from budgetwatch.web.app import create_app

from access_helpers import A, B, place_samples


@pytest.fixture
def client(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("BUDGETWATCH_UPLOADS", str(tmp_path / "uploads"))
    app = create_app(db_url, cache=False)
    place_samples(app.state.engine)  # the three samples in regions A, B and a third, checked
    with TestClient(app) as c:
        yield c
    app.state.engine.dispose()


def _all(c: TestClient, query: str = "") -> list[dict]:
    body = c.get(f"/api/findings?limit=500&{query}").json()
    assert body["total"] == len(body["items"])
    return body["items"]


def _counts(facet: list[dict]) -> dict:
    return {f["value"]: f["count"] for f in facet}


def test_facets_count_what_the_other_filters_leave(client):
    c = client
    items = _all(c)
    facets = c.get("/api/findings?limit=1").json()["facets"]
    assert _counts(facets["rule"]) == Counter(i["rule"] for i in items)
    assert _counts(facets["severity"]) == Counter(i["severity"] for i in items)
    assert _counts(facets["year"]) == Counter(i["document"]["year"] for i in items)
    assert _counts(facets["status"]) == {"open": len(items)}
    regions = _counts(facets["region"])
    assert set(regions) >= {A, B} and sum(regions.values()) == len(items)
    # a chosen severity narrows the other facets, not its own
    errors = _all(c, "severity=error")
    assert 0 < len(errors) < len(items)
    narrowed = c.get("/api/findings?severity=error").json()["facets"]
    assert _counts(narrowed["rule"]) == Counter(i["rule"] for i in errors)
    assert _counts(narrowed["severity"]) == _counts(facets["severity"])
    assert [f["value"] for f in narrowed["severity"] if f["selected"]] == ["error"]
    # a region and a decision
    in_a = _all(c, f"region={A}")
    assert len(in_a) == regions[A] and {i["document"]["id"] for i in in_a} == {in_a[0]["document"]["id"]}
    first = in_a[0]
    assert (
        c.post(
            f"/api/findings/{first['id']}/decision", json={"status": "dismissed", "reason": "已核实", "by": "审查人"}
        ).status_code
        == 200
    )
    status = _counts(c.get(f"/api/findings?region={A}").json()["facets"]["status"])
    assert status == {"open": regions[A] - 1, "dismissed": 1}
    assert c.get("/api/findings?region=12").status_code == 422


def test_the_page_shows_the_counts_and_each_links_to_its_filter(client):
    c = client
    page = c.get("/findings").text
    links = re.findall(r'<p class="facet" data-facet="rule">(.*?)</p>', page, re.S)
    assert links
    first = re.search(
        r'<a href="([^"]+)" class="" data-value="([^"]+)">[^<]*<span class="count">(\d+)</span>', links[0]
    )
    href, rule, count = html.unescape(first.group(1)), first.group(2), int(first.group(3))
    assert href == f"/findings?rule={rule}"
    assert c.get(href + "&format=json").json()["total"] == count
    assert f"共 {count} 条" in c.get(href).text
    assert c.get("/findings?format=json").json()["facets"].keys() == {"rule", "severity", "status", "year", "region"}
