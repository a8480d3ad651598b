"""The library of update blocks: the block service and its validation, blocks as Markdown files
with front matter, the importers (plain-text bulletins, Markdown), and the recognisers they use
(gazetteer of places, date finder, programme areas and partners).

May import: core. Never rendering, audience, or anything above.
"""
