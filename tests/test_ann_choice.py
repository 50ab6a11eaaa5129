"""`policykb bench ann`: the comparison of approximate indexes, here its filtered trials on small clustered vectors."""

from __future__ import annotations

import json

from click.testing import CliRunner

from policykb.cli import main


def test_the_filtered_trial_reports_recall_under_each_filter_beside_the_unfiltered_recall():
    result = CliRunner().invoke(main, ["bench", "ann", "--size", "3000", "--filtered", "--nprobe", "4"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    filtered = [line for line in lines if "share" in line]
    assert [line["share"] for line in filtered] == [0.5, 0.1]
    for line in filtered:
        rules = line["filtered"]
        assert rules["same"]["lists"] == 4 <= rules["1/sqrt(share)"]["lists"] <= rules["1/share"]["lists"]
        assert line["policykb_lists"] == rules["1/sqrt(share)"]["lists"]
        assert rules["same"]["recall10"] <= rules["1/share"]["recall10"]  # more lists scanned find more
        assert 0 < line["unfiltered_recall10"] <= 1
