// The calendar's drag and drop: drop a post on a day (month) or an hour (week) to move it.
// The server keeps the time of day (month) or the minutes (week), answers with the
// re-rendered calendar, or with a plain-text reason (4xx) that is shown in #cal-status.
// Without drag and drop (keyboard, phones), the list view's "Move to…" form does the same.
(function () {
  "use strict";
  let dragged = null;

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
    } catch (e) {
      return "";
    }
  }

  function say(text, isError) {
    const status = document.getElementById("cal-status");
    if (!status) return;
    status.textContent = text || "";
    status.classList.toggle("error", Boolean(isError));
  }

  function dropTarget(ev) {
    return ev.target instanceof Element ? ev.target.closest("[data-drop]") : null;
  }

  function unmark() {
    document.querySelectorAll(".drop-over").forEach((el) => el.classList.remove("drop-over"));
  }

  async function move(url, date, hour) {
    const body = document.getElementById("calendar-body");
    const data = new URLSearchParams({ date: date, calendar: body.dataset.query || "" });
    if (hour !== undefined) data.set("hour", hour);
    body.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "HX-Request": "true", "X-CSRFToken": csrfToken() },
        body: data,
      });
      const text = await response.text();
      if (!response.ok) {
        say(text, true);
        return;
      }
      body.outerHTML = text;
      const fresh = document.getElementById("calendar-body");
      say(fresh.dataset.moved, false);
      const chip = fresh.querySelector(`[data-post="${fresh.dataset.movedPost}"]`);
      if (chip) {
        chip.classList.add("just-moved");
        chip.focus();
      }
    } catch (e) {
      say(document.getElementById("cal-status").dataset.offline || String(e), true);
    } finally {
      const current = document.getElementById("calendar-body");
      if (current) current.removeAttribute("aria-busy");
    }
  }

  document.addEventListener("dragstart", (ev) => {
    const chip = ev.target instanceof Element ? ev.target.closest("[data-move]") : null;
    if (!chip) return;
    dragged = chip;
    ev.dataTransfer.effectAllowed = "move";
    ev.dataTransfer.setData("text/plain", chip.dataset.move);
    chip.classList.add("dragging");
  });

  document.addEventListener("dragend", () => {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
    unmark();
  });

  document.addEventListener("dragover", (ev) => {
    const target = dropTarget(ev);
    if (!target || !dragged) return;
    ev.preventDefault();
    ev.dataTransfer.dropEffect = "move";
    if (!target.classList.contains("drop-over")) {
      unmark();
      target.classList.add("drop-over");
    }
  });

  document.addEventListener("drop", (ev) => {
    const target = dropTarget(ev);
    if (!target || !dragged) return;
    ev.preventDefault();
    const url = dragged.dataset.move;
    unmark();
    move(url, target.dataset.date, target.dataset.hour);
  });
})();
