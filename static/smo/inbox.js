// The inbox's keyboard and small behaviours (templates/scheduler/inbox.html).
// j / k move through the list and open the item, r replies, e marks done,
// u opens again, a assigns, / searches, ? shows the keys, Esc leaves a field.
(() => {
  const list = () => document.getElementById("inbox-list");
  const rows = () => Array.from(document.querySelectorAll("#inbox-list [data-item]"));
  let current = new URLSearchParams(window.location.search).get("item") || "";

  function mark() {
    for (const row of rows()) {
      const on = row.dataset.item === current;
      row.classList.toggle("selected", on);
      row.setAttribute("aria-current", on ? "true" : "false");
    }
  }

  function open(row) {
    if (!row) return;
    current = row.dataset.item;
    mark();
    row.scrollIntoView({ block: "nearest" });
    row.querySelector("a").click();
  }

  function move(step) {
    const all = rows();
    if (!all.length) return;
    const at = all.findIndex((row) => row.dataset.item === current);
    const next = at < 0 ? 0 : Math.min(all.length - 1, Math.max(0, at + step));
    open(all[next]);
  }

  function click(selector) {
    const button = document.querySelector(`#inbox-detail ${selector}`);
    if (button) button.click();
  }

  function focus(selector) {
    const field = document.querySelector(selector);
    if (field) {
      field.focus();
      return true;
    }
    return false;
  }

  document.addEventListener("keydown", (event) => {
    const typing = event.target.closest("input, textarea, select, [contenteditable]");
    if (typing) {
      if (event.key === "Escape") event.target.blur();
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && event.target.form) {
        event.preventDefault();
        event.target.form.requestSubmit();
      }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const keys = {
      j: () => move(1),
      k: () => move(-1),
      Enter: () => open(rows().find((row) => row.dataset.item === current) || rows()[0]),
      r: () => focus("#reply-text"),
      e: () => click("[data-inbox-done]"),
      u: () => click("[data-inbox-reopen]"),
      a: () => focus("[data-inbox-assign]"),
      "/": () => focus("#id_q"),
      "?": () => {
        const help = document.getElementById("inbox-keys");
        if (help) help.hidden = !help.hidden;
      },
    };
    const action = keys[event.key];
    if (action) {
      event.preventDefault();
      action();
    }
  });

  document.addEventListener("click", (event) => {
    const row = event.target.closest("#inbox-list [data-item]");
    if (row) {
      current = row.dataset.item;
      mark();
    }
    const toggle = event.target.closest("[data-shortcuts-toggle]");
    if (toggle) {
      const help = document.getElementById("inbox-keys");
      if (help) help.hidden = !help.hidden;
    }
  });

  document.addEventListener("change", (event) => {
    const saved = event.target.closest("select[data-saved-reply]");
    if (saved && saved.value) {
      const box = document.getElementById("reply-text");
      const start = box.selectionStart ?? box.value.length;
      box.setRangeText(saved.value, start, box.selectionEnd ?? start, "end");
      saved.value = "";
      box.focus();
    }
    const assign = event.target.closest("select[data-inbox-assign]");
    if (assign && assign.form) assign.form.requestSubmit();
  });

  // A refused answer comes back as 400 with the form, its error and the typed
  // text: show it (htmx swaps only 2xx answers unless told).
  document.body.addEventListener("htmx:beforeSwap", (event) => {
    if (event.detail.xhr.status === 400 && event.detail.target.id === "inbox-detail") {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // The list refreshes itself every few seconds: keep the selection across it.
  document.body.addEventListener("htmx:afterSwap", (event) => {
    if (event.target === list() || event.target.id === "inbox-list") mark();
    if (event.target.id === "inbox-detail") {
      const item = event.target.querySelector("[data-item]");
      if (item) {
        current = item.dataset.item;
        mark();
      }
    }
  });
  mark();
})();
