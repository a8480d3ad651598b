"""A section named in a command is found however its Turkish letters were cased."""

from __future__ import annotations

from newsletter.compose import issue_content, issues, placements
from tests.plugins.compose import NOW


def test_a_heading_typed_in_capitals_finds_the_section(session, config, make_block) -> None:
    issue = issues.create(session, config, title="Haziran", now=NOW, language="tr")
    first, second, third = (make_block(title=t, language="tr") for t in ("Bir", "İki", "Üç"))
    placements.add_blocks(session, config, issue.id, [first.id], "e", NOW,
                          section="İstihdam ve kalkınma")  # fmt: skip
    # str.casefold() gives "i̇stihdam ve kalkinma" and "istihdam ve kalkınma": no match.
    placements.add_blocks(session, config, issue.id, [second.id], "e", NOW,
                          section="İSTİHDAM VE KALKINMA")  # fmt: skip
    placements.add_blocks(session, config, issue.id, [third.id], "e", NOW,
                          section="istihdam  ve kalkınma")  # fmt: skip
    [section] = issue_content.sections(session, issue.id)
    assert section.heading == "İstihdam ve kalkınma"
    assert len(issue_content.placements(session, section.id)) == 3
