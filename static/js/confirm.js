// Forms with data-confirm="question" ask before they submit (actions that cannot be undone).
document.addEventListener("submit", (event) => {
  const question = event.target.dataset?.confirm;
  if (question && !window.confirm(question)) event.preventDefault();
});
