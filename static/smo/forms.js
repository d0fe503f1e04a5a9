// Form behaviour the templates ask for with data attributes, since the content
// security policy forbids inline handlers (onsubmit=, onchange=):
//   <form data-confirm="Question?">  asks before it is sent;
//   <select data-autosubmit>         sends its form when changed.
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-confirm]");
  if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
});
document.addEventListener("change", (event) => {
  const select = event.target.closest("select[data-autosubmit]");
  if (select && select.form) select.form.submit();
});
