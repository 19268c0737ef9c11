"""`shiyu bench ranking` runs end to end and prints its JSON (no timing is asserted)."""
import json

from shiyu.metrics import benchmark, core

DECEMBER = core.parse_month("2025-12")


def test_benchmark_prints_one_json_object_per_run_and_a_summary(tmp_path, capsys):
    assert benchmark.main([20_000, 30_000], root=tmp_path, seed=3, month=DECEMBER, repeat=1,
                          keep=False, as_json=True) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["tickets"] for line in lines] == [20_000, 30_000, 30_000]
    run, summary = lines[0], lines[-1]
    assert {"tickets", "seconds", "tickets_per_second", "all_months_seconds", "peak_rss_mib"} <= set(run)
    assert run["month"] == "2025-12" and run["units"] == {"district": 6, "subdistrict": 60, "department": 24,
                                                         "enterprise": 6}
    assert run["rows"] == 96 and run["all_months_rows"] == 12 * 96
    assert [g["tickets"] for g in summary["growth"]] == [20_000, 30_000]
    assert not list(tmp_path.rglob("*.parquet"))


def test_generated_tickets_look_like_a_hotline(tmp_path):
    """Shares near the demo's: most signed for on time, most residents satisfied."""
    from shiyu.metrics.analytics import fine_counts

    city = benchmark.bench_city(3)
    benchmark.generate(tmp_path, 60_000, 3, DECEMBER, city)
    counts = fine_counts([DECEMBER], benchmark.now_after(DECEMBER), tmp_path)
    dispatch, callback = counts["dispatch"], counts["callback"]
    assert 0.85 < dispatch["on_time"].sum() / dispatch["dispatched"].sum() < 0.97
    assert 0.75 < callback["satisfied"].sum() / callback["called_back"].sum() < 0.9
    assert counts["received"]["received"].sum() > 4000
