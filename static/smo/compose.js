// The composer: per-network text tabs, the media box (upload with progress, the
// library, remove), and the schedule fields. The live counters and previews come
// from the server (htmx posts the form to /compose/check/ on every change).
(() => {
  const form = document.getElementById("compose-form");
  if (!form) return;
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  const changed = () => form.dispatchEvent(new Event("media-changed", { bubbles: true }));

  // --- When: the date and time only matter for "Schedule".
  const toggleWhen = () => {
    const when = form.querySelector("input[name=when]:checked");
    document.getElementById("datetime").hidden = !when || when.value !== "schedule";
  };
  form.querySelectorAll("input[name=when]").forEach((r) => r.addEventListener("change", toggleWhen));
  toggleWhen();

  // --- Tabs: "All networks" and one per network chosen (all on offer before a choice).
  const tabs = [...form.querySelectorAll("[role=tab]")];
  const select = (tab) => {
    tabs.forEach((t) => {
      const on = t === tab;
      t.setAttribute("aria-selected", String(on));
      t.tabIndex = on ? 0 : -1;
      document.getElementById(t.getAttribute("aria-controls")).hidden = !on;
    });
  };
  tabs.forEach((tab, i) => {
    tab.addEventListener("click", () => select(tab));
    tab.addEventListener("keydown", (e) => {
      const step = { ArrowRight: 1, ArrowLeft: -1 }[e.key];
      if (!step) return;
      const visible = tabs.filter((t) => !t.hidden);
      const next = visible[(visible.indexOf(tab) + step + visible.length) % visible.length];
      select(next);
      next.focus();
    });
  });
  const showTabsForChosen = () => {
    const chosen = new Set(
      [...form.querySelectorAll(".account-choice input:checked")].map(
        (i) => i.closest(".account-choice").dataset.network,
      ),
    );
    tabs.forEach((t) => {
      if (t.dataset.network) t.hidden = chosen.size > 0 && !chosen.has(t.dataset.network);
    });
    const current = tabs.find((t) => t.getAttribute("aria-selected") === "true");
    if (current && current.hidden) select(tabs[0]);
  };
  form.querySelectorAll(".account-choice input").forEach((i) => i.addEventListener("change", showTabsForChosen));
  showTabsForChosen();

  // --- Each network's settings: the server answers the section of every network
  // ticked (with per-account choices), keeping what was typed in the others.
  const chosenAccounts = () =>
    [...document.querySelectorAll("#account-choices input:checked")].map((i) => i.value).join(",");
  const askForSettings = () => {
    const options = document.getElementById("network-options");
    if (options && window.htmx) window.htmx.trigger(options, "accounts-changed");
  };
  document.getElementById("account-choices")?.addEventListener("change", askForSettings);
  // The accounts each answer was asked for: a tick made while an answer was being
  // swapped in can miss the new section's trigger, so after it settles the
  // composer asks again if the ticks no longer match.
  let askedFor = chosenAccounts();
  document.body.addEventListener("htmx:configRequest", (e) => {
    if (e.detail.elt.id === "network-options") askedFor = chosenAccounts();
  });
  // The answer was made from the values sent; anything typed while it was on its
  // way is carried over, with the caret, so a fresh section never eats a word.
  // Read just before the swap and put back just after it, in the same task, so
  // nothing typed can fall between the two.
  let typed = null;
  document.body.addEventListener("htmx:beforeSwap", (e) => {
    if (e.detail.target.id !== "network-options") return;
    const focused = document.activeElement;
    typed = {
      values: [...e.detail.target.querySelectorAll("input, select, textarea")].map((el) => [
        el.name,
        el.type === "checkbox" ? el.checked : el.value,
      ]),
      focus: focused && e.detail.target.contains(focused) ? focused.id : "",
      caret: focused && "selectionStart" in focused ? focused.selectionStart : null,
    };
  });
  document.body.addEventListener("htmx:afterSwap", () => {
    const section = document.getElementById("network-options");
    if (!typed || !section) return;
    typed.values.forEach(([name, value]) => {
      const el = section.querySelector(`[name="${CSS.escape(name)}"]`);
      if (!el) return;
      if (el.type === "checkbox") el.checked = value;
      else if (el.tagName !== "SELECT" || [...el.options].some((o) => o.value === value)) el.value = value;
      if (el.dataset.max) countFor(el);
    });
    const back = typed.focus && document.getElementById(typed.focus);
    if (back) {
      back.focus();
      if (typed.caret !== null && back.setSelectionRange) back.setSelectionRange(typed.caret, typed.caret);
    }
    typed = null;
  });
  document.body.addEventListener("htmx:afterSettle", (e) => {
    if (e.detail.elt.id === "network-options" && askedFor !== chosenAccounts()) askForSettings();
  });
  // Characters typed against each setting's limit; tags count together, as the
  // networks count them (YouTube: 500 for all tags).
  const typedLength = (input) =>
    input.dataset.tags
      ? input.value.split(",").reduce((sum, tag) => sum + [...tag.trim()].length, 0)
      : [...input.value].length;
  const countFor = (input) => {
    const counter = form.querySelector(`.option-count[data-count-for="${input.id}"]`);
    if (!counter) return;
    const used = typedLength(input);
    counter.textContent = `${used} / ${input.dataset.max}`;
    counter.classList.toggle("over", used > Number(input.dataset.max));
  };
  form.addEventListener("input", (e) => {
    if (e.target.dataset && e.target.dataset.max) countFor(e.target);
  });
  form.querySelectorAll(".copy-main").forEach((button) =>
    button.addEventListener("click", () => {
      const target = document.getElementById(button.dataset.target);
      target.value = document.getElementById("id_text").value;
      target.dispatchEvent(new Event("input", { bubbles: true }));
      target.focus();
    }),
  );
  form.querySelectorAll("[role=tabpanel] textarea").forEach((area) =>
    area.addEventListener("input", () => {
      const tab = document.getElementById(area.closest("[role=tabpanel]").getAttribute("aria-labelledby"));
      tab.classList.toggle("unused", tab.id !== "tab-all" && !area.value.trim());
    }),
  );

  // --- Media: chips hold hidden inputs named "media", in the post's order.
  const chips = document.getElementById("media-chips");
  const uploads = document.getElementById("uploads");
  const addChip = (html) => {
    const holder = document.createElement("ul");
    holder.innerHTML = html.trim();
    const chip = holder.firstElementChild;
    if (chips.querySelector(`[data-id="${chip.dataset.id}"]`)) return;
    chips.appendChild(chip);
    changed();
  };
  chips.addEventListener("click", (e) => {
    const remove = e.target.closest(".remove-media");
    if (!remove) return;
    remove.closest(".media-chip").remove();
    changed();
  });
  // Sentences come translated from the page, with %(name)s holes to fill.
  const fill = (sentence, values) =>
    sentence.replace(/%\((\w+)\)s/g, (_match, name) => String(values[name] ?? ""));
  const upload = (file) => {
    const row = document.createElement("li");
    const label = document.createElement("span");
    label.textContent = file.name;
    const bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    row.append(label, bar);
    uploads.appendChild(row);
    const body = new FormData();
    body.append("file", file);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", form.dataset.uploadUrl);
    xhr.setRequestHeader("X-CSRFToken", csrf);
    xhr.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable) bar.value = Math.round((e.loaded / e.total) * 100);
    });
    xhr.addEventListener("load", () => {
      if (xhr.status === 201) {
        addChip(xhr.responseText);
        row.remove();
      } else {
        row.classList.add("error-text");
        row.setAttribute("role", "alert");
        label.textContent =
          xhr.responseText || fill(form.dataset.uploadFailed, { file: file.name, status: xhr.status });
        bar.remove();
      }
    });
    xhr.addEventListener("error", () => {
      row.classList.add("error-text");
      label.textContent = fill(form.dataset.uploadLost, { file: file.name });
      bar.remove();
    });
    xhr.send(body);
  };
  const input = document.getElementById("media-file");
  document.getElementById("choose-files").addEventListener("click", () => input.click());
  input.addEventListener("change", () => {
    [...input.files].forEach(upload);
    input.value = "";
  });
  const zone = document.getElementById("drop-zone");
  ["dragenter", "dragover"].forEach((name) =>
    zone.addEventListener(name, (e) => {
      e.preventDefault();
      zone.classList.add("dragging");
    }),
  );
  ["dragleave", "drop"].forEach((name) => zone.addEventListener(name, () => zone.classList.remove("dragging")));
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    [...e.dataTransfer.files].forEach(upload);
  });
  const slot = document.getElementById("library-slot");
  document.getElementById("open-library").addEventListener("click", async () => {
    const answer = await fetch(form.dataset.libraryUrl, { headers: { "HX-Request": "true" } });
    slot.innerHTML = await answer.text();
  });
  slot.addEventListener("click", (e) => {
    if (e.target.closest(".close-library")) slot.innerHTML = "";
    const pick = e.target.closest(".pick-media");
    if (pick) addChip(pick.dataset.chip);
  });
})();
