// "Copy" buttons: <button data-copy-target="#id">. The input stays selectable
// for browsers without clipboard access, so the link can always be copied by hand.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy-target]");
  if (!button) return;
  const field = document.querySelector(button.dataset.copyTarget);
  if (!field) return;
  field.select();
  try {
    await navigator.clipboard.writeText(field.value);
    button.textContent = button.dataset.copiedLabel || "Copied";
  } catch {
    document.execCommand("copy");
  }
});
