"""The benchmark's table: what it calls met, under load and alone (bench/run.py)."""

from bench.run import Route, report


def route(name, target, server_ms, *, alone_ms=None, wall=1.0, errors=None):
    measured = Route(name, "GET", target, make=None)
    measured.results = [(ms, 3, ms + 1) for ms in server_ms]
    measured.wall = wall
    measured.errors = errors or {}
    if alone_ms is not None:
        measured.alone = Route(name, "GET", target, make=None)
        measured.alone.results = [(ms, 3, ms + 1) for ms in alone_ms]
        measured.alone.wall = wall
    return measured


def table(routes):
    text = report(
        routes,
        counts={"sessions": 10},
        config="test",
        generated="test",
        load=(0.1, 0.2),
        cpu=(100, 100),
    )
    rows = {line.split(" | ")[0].lstrip("| "): line for line in text.splitlines() if "|" in line}
    return text, rows


def test_a_page_slow_under_load_but_quick_alone_is_met_alone_only():
    floor = route("floor", "floor", [1.0] * 100, wall=0.1)
    page = route("page", "page", [40.0] * 10, alone_ms=[20.0] * 10)
    text, rows = table([floor, page])
    assert rows["page"].endswith("| **no** | yes |")
    assert "| 40.0 | 40.0 | 20.0 | 20.0 |" in rows["page"]
    assert "All targets met under load: no." in text
    assert "All targets met alone: yes." in text


def test_the_post_share_of_the_floor_counts_in_both_verdicts():
    floor = route("floor", "floor", [1.0] * 100, wall=0.1)  # 1,000 req/s
    post = route("post", "post", [5.0] * 100, alone_ms=[5.0] * 10, wall=1.0)  # 100 req/s
    text, rows = table([floor, post])
    assert "(here 0.10 ×)" in rows["post"]
    assert rows["post"].endswith("| **no** | **no** |")
    assert "All targets met alone: no." in text


def test_errors_fail_only_the_run_they_happened_in():
    floor = route("floor", "floor", [1.0] * 100, wall=0.1)
    page = route("page", "page", [10.0] * 10, alone_ms=[10.0] * 10)
    page.alone.errors = {500: 2}
    _text, rows = table([floor, page])
    assert "| 0; alone 2 (500×2) |" in rows["page"]
    assert rows["page"].endswith("| yes | **no** |")


def test_an_alone_run_with_only_errors_fails():
    floor = route("floor", "floor", [1.0] * 100, wall=0.1)
    page = route("page", "page", [10.0] * 10, alone_ms=[])
    page.alone.errors = {502: 5}
    text, rows = table([floor, page])
    assert rows["page"].endswith("| yes | **no** |")
    assert "All targets met alone: no." in text


def test_without_an_alone_run_there_is_no_alone_verdict():
    floor = route("floor", "floor", [1.0] * 100, wall=0.1)
    page = route("page", "page", [10.0] * 10)
    text, rows = table([floor, page])
    assert rows["page"].endswith("| yes | – |")
    assert "All targets met under load: yes." in text
    assert "met alone" not in text.split("| route |")[0] + text.split("|---|")[-1]
