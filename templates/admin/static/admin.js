// Shared workspace behaviour. Pages work without it; it only adds confirmations.
// A button or form with data-confirm="…" asks before submitting.
document.addEventListener("submit", (event) => {
  const form = event.target;
  const button = event.submitter;
  const question = (button && button.dataset.confirm) || form.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
