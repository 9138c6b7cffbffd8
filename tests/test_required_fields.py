"""Fields the rules mark required for quality (process step 2): a blank on an open lead is a warning."""

from __future__ import annotations

from datetime import date

from funnel_xl.validation import validate_files
from tests.conftest import edited_rules, lead, write_workbook

D = date


def test_a_blank_required_field_on_an_open_lead_is_a_warning(tmp_path):
    rules = edited_rules(
        tmp_path,
        ('header = "所属行业"\naliases = ["行业", "Industry"]\nkind = "text"\nrequired = false',
         'header = "所属行业"\naliases = ["行业", "Industry"]\nkind = "text"\nrequired = false\n'
         "required_for_quality = true"),
    )
    assert rules.quality_fields == ("industry",)
    rows = [
        lead("LF2024001", "需求挖掘", D(2024, 5, 1)),  # open, 所属行业 blank: a warning (row 2)
        {**lead("LF2024002", "需求挖掘", D(2024, 5, 1)), "所属行业": "制造业"},  # filled in
        lead("LF2024003", "已成交", D(2024, 4, 1)),  # won: not checked
        lead("LF2024004", "无效线索", D(2024, 4, 1), lost_at="需求挖掘"),  # lost: not checked
    ]
    report = validate_files([write_workbook(tmp_path / "t.xlsx", rows)], rules, D(2024, 5, 31))
    found = [(p.code, p.severity, p.row, p.header) for p in report.problems if p.code == "required_field_blank"]
    assert found == [("required_field_blank", "warning", 2, "所属行业")]
    assert "所属行业" in next(p.message for p in report.problems if p.code == "required_field_blank")

