"""Rendering speed: ms per issue render (Jinja2 + MJML + text part) and recipients per second.

Run: /work/venv/bin/python benchmarks/render.py
The last line is one JSON object: {"render_ms_12": …, "render_ms_25": …, "personalise_per_s": …}.
Each render starts from the issue's content (no cached HTML); compiled templates, sanitised
Markdown and formatted dates are cached, as they are in a long-running process. Times are CPU
time of this process (``time.process_time``), best of five batches, so other work on a shared
machine does not count against the renderer; wall-clock figures are printed alongside.
"""

from __future__ import annotations

import json
import time
from datetime import date

from newsletter.core.config import Config
from newsletter.rendering import email_render, plaintext, safe_markdown
from newsletter.rendering.personalise import PersonalFields, compile_parts
from newsletter.rendering.view import BlockView, IssueView, SectionView

KINDS = ("story", "event", "highlight", "announcement", "quote")
AREAS = ("Economic recovery", "Social cohesion", "Migration health", "Protection")
PLACES = ("Gaziantep", "Şanlıurfa", "Hatay", "İzmir", "Kilis", "Ödemiş", "Çankaya")


def sample_issue(count: int) -> IssueView:
    blocks = []
    for i in range(count):
        place = PLACES[i % len(PLACES)]
        blocks.append(
            BlockView(
                block_id=i + 1,
                kind=KINDS[i % len(KINDS)],
                title=f"Training round {i + 1} completed in {place}",
                text=f"Participants in **{place}** finished a {4 + i % 8}-week course — "
                f"“the best part was meeting neighbours,” said one. "
                f"[Details](https://example.org/news/{i + 1}).",
                image_url=f"https://images.example.org/{i + 1}.jpg" if i % 2 == 0 else None,
                image_alt=f"Participants in {place}",
                image_credit="Zeynep Çelik",
                link_url=f"https://example.org/stories/{i + 1}",
                event_date=date(2021, 6, 1 + i % 28),
                event_date_end=date(2021, 6, 2 + i % 27) if i % 3 == 0 else None,
                places=(place,),
            )
        )
    sections = tuple(
        SectionView(area, tuple(blocks[j] for j in range(len(blocks)) if j % len(AREAS) == n))
        for n, area in enumerate(AREAS)
    )
    return IssueView(
        issue_id=1,
        title="June update",
        subject="June: courses and festivals",
        preheader="What happened in June",
        intro="Welcome to our **June** update.",
        language="tr",
        issue_date=date(2021, 6, 1),
        sections=sections,
    )


def time_ms(fn, rounds: int, batches: int = 5, clock=time.process_time) -> float:
    """Mean ms per call of the best batch: other processes on a shared machine only add time."""
    fn()  # warm caches: templates compiled, Markdown and dates formatted once
    best = float("inf")
    for _ in range(batches):
        start = clock()
        for _ in range(rounds):
            fn()
        best = min(best, (clock() - start) * 1000 / rounds)
    return best


def parts(view: IssueView, config: Config) -> dict[str, float]:
    source, context = email_render.render_mjml(view, config)
    return {
        "jinja_ms": time_ms(lambda: email_render.render_mjml(view, config), 20),
        "mjml_ms": time_ms(lambda: email_render.mjml_to_html(source), 20),
        "text_ms": time_ms(lambda: plaintext.render_text(view, context), 20),
    }


def _cold_render(view: IssueView, config: Config) -> None:
    """A render of content never seen before: the per-block caches emptied first."""
    for cached in (
        safe_markdown.to_html,
        plaintext.markdown_to_text,
        email_render.block_context,
        email_render.date_label,
        email_render.month_label,
    ):
        cached.cache_clear()
    email_render.render_issue(view, config)


def personalise_rate(config: Config, recipients: int = 10_000) -> float:
    out = email_render.render_issue(sample_issue(12), config)
    personaliser = compile_parts(out.html, out.text)
    people = [
        PersonalFields(
            name="" if n % 7 == 0 else f"Ayşe Yılmaz {n}",
            email=f"reader{n}@example.org",
            unsubscribe_url=f"https://news.example.org/unsubscribe/{n:08d}.tokentokentoken",
            preferences_url=f"https://news.example.org/preferences/{n:08d}.tokentokentoken",
            view_online_url="https://news.example.org/archive/1",
        )
        for n in range(recipients)
    ]
    personaliser.fill(people[0])
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        for fields in people:
            personaliser.fill(fields)
        best = min(best, time.process_time() - start)
    return recipients / best


def main() -> None:
    config = Config()
    results = {}
    for count in (12, 25):
        view = sample_issue(count)
        total = time_ms(lambda v=view: email_render.render_issue(v, config), 20)
        wall = time_ms(
            lambda v=view: email_render.render_issue(v, config), 20, clock=time.perf_counter
        )
        cold = time_ms(lambda v=view: _cold_render(v, config), 5)
        size = len(email_render.render_issue(view, config).html) / 1024
        split = ", ".join(f"{k} {v:.2f}" for k, v in parts(view, config).items())
        print(
            f"{count} blocks: {total:.2f} ms CPU per render ({split}); "
            f"wall clock {wall:.2f} ms; new content, caches empty: {cold:.2f} ms; "
            f"HTML {size:.1f} KB"
        )
        results[f"render_ms_{count}"] = round(total, 3)
    rate = personalise_rate(config)
    print(f"personalisation: {rate:,.0f} recipients/s (10,000 recipients, HTML + text)")
    results["personalise_per_s"] = round(rate)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
