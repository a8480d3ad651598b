// The composer's drag and drop. The page works without it: every block has Up, Down and
// "Move to section" buttons (plain forms, for keyboards too). With it, a block can be dragged
// by its handle within its section or into another one; on drop the whole order is written
// into the order form ("SECTION:BLOCK,BLOCK;SECTION:…") and the form is sent, so the server
// makes the same moves the buttons make.
(() => {
  const form = document.getElementById("order-form");
  const field = document.getElementById("order-field");
  if (!form || !field) {
    return;
  }
  const lists = Array.from(document.querySelectorAll("ol.placements[data-section]"));
  let dragged = null;
  let home = null; // where the row was, to put it back after a drag dropped nowhere
  let dropped = false;

  const orderNow = () =>
    lists
      .map((list) => {
        const ids = Array.from(list.querySelectorAll(":scope > li[data-block]")).map(
          (row) => row.dataset.block
        );
        return `${list.dataset.section}:${ids.join(",")}`;
      })
      .join(";");

  // Only the handle starts a drag: text in the override fields stays selectable.
  document.addEventListener("pointerdown", (event) => {
    const handle = event.target.closest(".placement .handle");
    if (handle) {
      handle.closest("li.placement").draggable = true;
    }
  });

  lists.forEach((list) => {
    list.querySelectorAll(":scope > li.placement").forEach((row) => {
      row.addEventListener("dragstart", (event) => {
        dragged = row;
        home = { list: row.parentNode, next: row.nextSibling };
        dropped = false;
        row.classList.add("dragging");
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", row.dataset.block);
      });
      row.addEventListener("dragend", () => {
        row.classList.remove("dragging");
        row.draggable = false;
        if (!dropped && home) {
          home.list.insertBefore(row, home.next);
        }
        lists.forEach((l) => l.classList.remove("drop-target"));
        dragged = null;
      });
    });

    list.addEventListener("dragover", (event) => {
      if (!dragged) {
        return;
      }
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      list.classList.add("drop-target");
      // Insert before the first row whose middle is below the pointer.
      const rows = Array.from(list.querySelectorAll(":scope > li.placement:not(.dragging)"));
      const after = rows.find((row) => {
        const box = row.getBoundingClientRect();
        return event.clientY < box.top + box.height / 2;
      });
      if (after) {
        list.insertBefore(dragged, after);
      } else {
        list.appendChild(dragged);
      }
    });

    list.addEventListener("dragleave", (event) => {
      if (!list.contains(event.relatedTarget)) {
        list.classList.remove("drop-target");
      }
    });

    list.addEventListener("drop", (event) => {
      if (!dragged) {
        return;
      }
      event.preventDefault();
      dropped = true;
      const wanted = orderNow();
      if (wanted !== field.value) {
        field.value = wanted;
        form.submit();
      }
    });
  });
})();
