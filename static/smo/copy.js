// Copy buttons (the reminder page, a new API key): copy the field they name, say so, and fall
// back to selecting it where the Clipboard API is refused (an http:// address
// other than localhost is not a secure context).
document.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copy);
  const status = button.parentElement.querySelector(".copy-status");
  let copied = false;
  try {
    await navigator.clipboard.writeText(source.value);
    copied = true;
  } catch (error) {
    source.focus();
    source.select();
    copied = document.execCommand && document.execCommand("copy");
  }
  if (status) {
    status.textContent = copied ? button.dataset.copied : button.dataset.failed;
    clearTimeout(status.timer);
    status.timer = setTimeout(() => { status.textContent = ""; }, 4000);
  }
});
