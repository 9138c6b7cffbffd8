"""A sheet's notes edited as Excel keeps them: the comments part and the VML drawing. Notes added
are written at the end of both, numbered after every shape already drawn; notes removed leave
every other note, shape and control as they were. Expected texts are written out by hand."""

import re

from funnel_xl.xlsx_comments import Notes

COMMENTS = (
    '<comments xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    "<authors><author>Rep</author></authors><commentList>"
    '<comment ref="B2" authorId="0"><text><t>mine</t></text></comment>'
    '<comment ref="C5" authorId="0"><text><t>other</t></text></comment>'
    "</commentList></comments>"
)


def _note_shape(number, row, col):
    return (
        f'<v:shape id="_x0000_s{number}" type="#_x0000_t202"><x:ClientData ObjectType="Note">'
        f"<x:Row>{row}</x:Row><x:Column>{col}</x:Column></x:ClientData></v:shape>"
    )


# Notes on B2 (row 1, column 1) and C5 (row 4, column 2), and a form control numbered 1040.
VML = (
    '<xml><o:shapelayout><o:idmap v:ext="edit" data="1"/></o:shapelayout><v:shapetype id="_x0000_t202"/>'
    + _note_shape(1025, 1, 1) + _note_shape(1030, 4, 2) + '<v:rect id="_x0000_s1040"/></xml>'
)


def _shapes(vml):
    """(number, z-index, row, column) of each note shape added by the tool."""
    return [
        (int(n), int(z), int(r), int(c))
        for n, z, r, c in re.findall(
            r'id="_x0000_s(\d+)"[^>]*z-index:(\d+);.*?<x:Row>(\d+)</x:Row><x:Column>(\d+)</x:Column>', vml
        )
    ]


def test_notes_added_and_removed_in_both_parts():
    notes = Notes.read(COMMENTS, VML, 1)
    assert {ref: (n.author, n.text) for ref, n in notes.notes.items()} == {"B2": ("Rep", "mine"), "C5": ("Rep", "other")}
    notes.remove("B2")
    for ref in ("D7", "E9"):
        notes.add(ref, f"estimate {ref} <1>", "funnel-xl")
    notes.remove("E9")  # one just added, taken out again
    notes.add("F3", "estimate F3 <1>", "funnel-xl")
    comments, vml = notes.texts()
    # The comments: C5 kept; D7 and F3 added after it, by a second author; B2 and E9 gone.
    assert re.findall(r'<comment ref="(\w+)" authorId="(\d)"', comments) == [("C5", "0"), ("D7", "1"), ("F3", "1")]
    assert "<authors><author>Rep</author><author>funnel-xl</author></authors>" in comments
    assert "estimate D7 &lt;1&gt;" in comments
    # The drawing: C5's note and the control stay; B2's note is gone. D7 was numbered after the
    # highest shape (the control, 1040) as the third shape (C5, control, D7): 1041, z-index 3;
    # E9 1042 (4) was taken out, so F3 is 1042 again, z-index 4. Rows and columns count from 0.
    assert "_x0000_s1025" not in vml and "_x0000_s1030" in vml and "_x0000_s1040" in vml
    assert _shapes(vml) == [(1041, 3, 6, 3), (1042, 4, 2, 5)]
    assert vml.count("_x0000_t202\"/>") == 1  # the note's shape type, already there, not added again


def test_the_first_note_of_a_sheet_brings_its_shape_type():
    notes = Notes.read(None, None, 2)
    for ref in ("A1", "A2"):
        notes.add(ref, "note", "funnel-xl")
    comments, vml = notes.texts()
    assert re.findall(r'<comment ref="(\w+)"', comments) == ["A1", "A2"]
    # Drawing 2 numbers its shapes from 2 × 1024 + 1.
    assert _shapes(vml) == [(2049, 1, 0, 0), (2050, 2, 1, 0)]
    assert vml.count('<v:shapetype id="_x0000_t202"') == 1
