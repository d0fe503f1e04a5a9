// The composer's Insert menu: snippets and hashtag groups put at the cursor of the
// text box last focused (the main text or a network's own text). Inserting fires
// "input", so the live check (htmx on the form) updates counters and problems.
(() => {
  const menu = document.getElementById("insert-menu");
  const form = document.getElementById("compose-form");
  if (!menu || !form) return;
  const toggle = document.getElementById("insert-toggle");
  const panel = document.getElementById("insert-panel");
  const filter = document.getElementById("insert-filter");
  const items = () => [...panel.querySelectorAll(".insert-item")].filter((b) => !b.closest("li").hidden);
  let target = document.getElementById("id_text");

  form.addEventListener("focusin", (e) => {
    if (e.target.matches("[role=tabpanel] textarea")) target = e.target;
  });
  const open = (on) => {
    panel.hidden = !on;
    toggle.setAttribute("aria-expanded", String(on));
    if (on) filter.focus();
  };
  toggle.addEventListener("click", () => open(panel.hidden));
  filter.addEventListener("input", () => {
    const words = filter.value.trim().toLowerCase();
    panel.querySelectorAll(".insert-item").forEach((b) => {
      b.closest("li").hidden = words !== "" && !(b.dataset.name + " " + b.dataset.body.toLowerCase()).includes(words);
    });
  });
  // Enter in the filter inserts the first match instead of submitting the post.
  filter.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      const first = items()[0];
      if (first) first.click();
    } else if (e.key === "ArrowDown") {
      e.preventDefault();
      items()[0]?.focus();
    }
  });
  panel.addEventListener("keydown", (e) => {
    if (e.key === "Escape") {
      open(false);
      toggle.focus();
      return;
    }
    const step = { ArrowDown: 1, ArrowUp: -1 }[e.key];
    if (!step || !e.target.classList.contains("insert-item")) return;
    e.preventDefault();
    const list = items();
    const next = list.indexOf(e.target) + step;
    if (next < 0) filter.focus();
    else list[Math.min(next, list.length - 1)].focus();
  });
  panel.addEventListener("click", (e) => {
    const item = e.target.closest(".insert-item");
    if (!item) return;
    // The target box may sit in a hidden tab; show it so the insert is seen.
    const tabpanel = target.closest("[role=tabpanel]");
    if (tabpanel && tabpanel.hidden) document.getElementById(tabpanel.getAttribute("aria-labelledby"))?.click();
    const start = target.selectionStart ?? target.value.length;
    const end = target.selectionEnd ?? start;
    const before = target.value.slice(0, start);
    // A space between the insert and a word right before it, so "#tag" stays a tag.
    const text = (before && !/\s$/.test(before) ? " " : "") + item.dataset.body;
    target.setRangeText(text, start, end, "end");
    target.dispatchEvent(new Event("input", { bubbles: true }));
    open(false);
    target.focus();
  });
  document.addEventListener("click", (e) => {
    if (!panel.hidden && !menu.contains(e.target)) open(false);
  });
})();
