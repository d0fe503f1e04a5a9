// The Menu button that folds the page links away on a phone (app.css hides them
// only once this script has marked the top bar, so without it they simply show).
(() => {
  const bar = document.querySelector(".topbar");
  const button = bar && bar.querySelector(".menu-toggle");
  if (!button) return;
  bar.classList.add("has-menu");
  button.addEventListener("click", () => {
    const open = !bar.classList.contains("menu-open");
    bar.classList.toggle("menu-open", open);
    button.setAttribute("aria-expanded", String(open));
  });
})();
