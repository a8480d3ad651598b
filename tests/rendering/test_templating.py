"""The template environment: built-ins, an override folder, and errors naming file and line."""

from __future__ import annotations

import pytest

from newsletter.core.config import load_config
from newsletter.core.errors import UserError
from newsletter.rendering import templating
from tests.conftest import write_config


@pytest.fixture
def themed(tmp_path):
    """A config whose rendering.templates_dir is a folder in the test's tmp_path."""
    folder = tmp_path / "mytheme"
    (folder / "email" / "monthly").mkdir(parents=True)
    config = load_config(write_config(tmp_path, '[rendering]\ntemplates_dir = "mytheme"\n'))
    return config, folder / "email" / "monthly"


def test_builtin_templates_are_found(config):
    env = templating.environment(config)
    assert "email/monthly/issue.mjml.j2" in env.list_templates()
    assert templating.environment(config) is env  # compiled templates are cached


def test_override_folder_wins_file_by_file(themed):
    config, monthly = themed
    (monthly / "hello.mjml.j2").write_text("override {{ who }}", encoding="utf-8")
    env = templating.environment(config)
    assert templating.render(env, "email/monthly/hello.mjml.j2", {"who": "Ödemiş"}) == (
        "override Ödemiş"
    )
    assert env.get_template("email/monthly/partials/story.mjml.j2")  # still the built-in


def test_missing_override_folder_is_an_error(tmp_path):
    config = load_config(write_config(tmp_path, '[rendering]\ntemplates_dir = "nowhere"\n'))
    with pytest.raises(UserError, match=r"rendering.templates_dir: folder not found: .*nowhere"):
        templating.environment(config)


def test_autoescape_is_on(config):
    env = templating.environment(config)
    out = env.from_string("{{ x }}").render(x='<mj-text css-class="a">&')
    assert out == "&lt;mj-text css-class=&#34;a&#34;&gt;&amp;"


def test_undefined_variable_names_template_and_line(themed):
    config, monthly = themed
    (monthly / "broken.mjml.j2").write_text("line one\n{{ issue.title }}\n{{ organisation }}\n")
    env = templating.environment(config)
    with pytest.raises(UserError) as caught:
        templating.render(env, "email/monthly/broken.mjml.j2", {"issue": {"title": "x"}})
    message = str(caught.value)
    assert "broken.mjml.j2, line 3: 'organisation' is undefined" in message


def test_syntax_error_names_template_and_line(themed):
    config, monthly = themed
    (monthly / "syntax.mjml.j2").write_text("ok\n{% if x %}\nno end\n")
    env = templating.environment(config)
    with pytest.raises(UserError, match=r"syntax.mjml.j2, line 3: template syntax error: .*endif"):
        templating.render(env, "email/monthly/syntax.mjml.j2", {"x": True})


def test_unknown_template_lists_where_it_looked(config):
    env = templating.environment(config)
    with pytest.raises(UserError, match=r"template not found: email/nope.mjml.j2 \(searched"):
        templating.render(env, "email/nope.mjml.j2", {})


def test_labels_fall_back_to_english(config):
    env = templating.environment(config)
    tr = templating.load_labels(env, "monthly", "tr")
    assert tr["read_more"] == "Devamını okuyun"
    assert templating.load_labels(env, "monthly", "tr-TR")["read_more"] == "Devamını okuyun"
    assert templating.load_labels(env, "monthly", "de")["read_more"] == "Read more"


def test_broken_labels_file_is_named(themed):
    config, monthly = themed
    (monthly / "labels.toml").write_text("[en\nread_more = 1\n")
    env = templating.environment(config)
    with pytest.raises(UserError, match=r"labels.toml: .*line 1"):
        templating.load_labels(env, "monthly", "en")
