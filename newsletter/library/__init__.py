"""The library of update blocks: the block service and its validation, blocks as Markdown files
with front matter, the importers, and the recognisers they use.

Importing: importer.py reads files; textclean.py cleans the text; bulletin.py puts stories
together from paragraphs whose shape shapes.py tells, segmenter.py decides which headings start
a story and boilerplate.py what is no story; markdown_import.py splits Markdown; enrich.py
fills the fields with the recognisers: gazetteer.py (places), datefinder.py and dateguess.py
(dates and their years), organisations.py with the partners table (partners.py), areas.py
(programme areas) and titlecase.py.

May import: core. Never rendering, audience, or anything above.
"""
