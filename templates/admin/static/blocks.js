// The block form: a live preview, the media picker and a small Markdown toolbar.
// The page works without it (the Preview button posts into the frame; a chosen photo is
// applied when the form is saved); this only does the same as one types and clicks.
//
// Why a form post into a frame and not fetch + srcdoc: a srcdoc frame inherits this page's
// Content-Security-Policy, which forbids the inline styles every email is made of. The server's
// answer carries the preview's own policy. Each refresh loads into a new frame, swapped in when
// it has loaded: a new frame's first page replaces about:blank instead of adding to the
// history, so Back still leaves the page rather than stepping through previews.
(() => {
  "use strict";
  const form = document.querySelector("form[data-preview-form]");
  if (!form) {
    return;
  }
  const button = form.querySelector("[data-preview-button]");
  const holder = document.querySelector("[data-preview-holder]");
  const PAUSE_MS = 700;
  let timer = null;
  let count = 0;

  function refresh() {
    if (!button || !holder || typeof form.requestSubmit !== "function") {
      return;
    }
    const shown = holder.querySelector("iframe:not([hidden])");
    holder.querySelectorAll("iframe[hidden]").forEach((pending) => pending.remove());
    const frame = document.createElement("iframe");
    count += 1;
    frame.name = "block-preview-" + count;
    frame.className = shown ? shown.className : "preview";
    frame.title = shown ? shown.title : "";
    frame.hidden = true;
    let posted = false;
    frame.addEventListener("load", () => {
      if (!posted) {
        return; // the empty page a new frame starts with
      }
      try {
        if (frame.contentWindow.location.href === "about:blank") {
          return; // still the empty page (some browsers tell of it late)
        }
      } catch (error) {
        // The preview: sandboxed, so its address cannot be read. That is the one we want.
      }
      holder.querySelectorAll("iframe").forEach((other) => {
        if (other !== frame) {
          other.remove();
        }
      });
      frame.hidden = false;
    });
    holder.appendChild(frame);
    posted = true;
    button.formTarget = frame.name;
    form.requestSubmit(button);
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, PAUSE_MS);
  }

  form.addEventListener("input", later);
  form.addEventListener("change", later);
  const title = form.elements.namedItem("title");
  if (holder && !holder.querySelector("iframe[src]") && title && title.value.trim()) {
    later(); // a form that comes back with a mistake: show what it holds already
  }

  // The media picker: a chosen photo fills the image address, alt text and credit.
  form.querySelectorAll("input[name=media_id]").forEach((radio) => {
    radio.addEventListener("change", () => {
      if (!radio.checked || !radio.value) {
        return;
      }
      const set = (name, value) => {
        const input = form.elements.namedItem(name);
        if (input && value) {
          input.value = value;
        }
      };
      set("image_url", radio.dataset.url);
      set("image_alt", radio.dataset.alt);
      set("image_credit", radio.dataset.credit);
    });
  });

  // An image address typed by hand wins over a photo chosen before: back to "keep".
  const address = form.elements.namedItem("image_url");
  const keep = form.querySelector("input[name=media_id][value='']");
  if (address && keep) {
    address.addEventListener("input", () => {
      keep.checked = true;
    });
  }

  // The Markdown toolbar: wraps the selection (or a placeholder) in the syntax.
  const MARKS = {
    bold: (text) => ["**", text || "bold", "**"],
    italic: (text) => ["_", text || "italic", "_"],
    link: (text) => ["[", text || "link text", "](https://)"],
    list: (text) => ["", (text || "item").split("\n").map((line) => "- " + line).join("\n"), ""],
    heading: (text) => ["## ", text || "Sub-heading", ""],
  };
  document.querySelectorAll(".md-toolbar[data-for]").forEach((bar) => {
    const area = document.getElementById(bar.dataset.for);
    if (!area) {
      return;
    }
    bar.hidden = false;
    bar.addEventListener("click", (event) => {
      const target = event.target.closest("button[data-md]");
      const mark = target && MARKS[target.dataset.md];
      if (!mark) {
        return;
      }
      const start = area.selectionStart;
      const end = area.selectionEnd;
      const [before, middle, after] = mark(area.value.slice(start, end));
      area.setRangeText(before + middle + after, start, end, "end");
      area.setSelectionRange(start + before.length, start + before.length + middle.length);
      area.focus();
      area.dispatchEvent(new Event("input", { bubbles: true }));
    });
  });
})();
