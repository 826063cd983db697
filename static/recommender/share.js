// "Copy as text": puts a list's "Artist – Title" lines on the clipboard and says so.
// navigator.clipboard needs a secure context (https or localhost); elsewhere the text is
// selected in a textarea with execCommand("copy"), and if even that fails it is shown.
(function () {
  "use strict";

  function fallbackCopy(text) {
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    let copied = false;
    try {
      copied = document.execCommand("copy");
    } catch (error) {
      copied = false;
    }
    area.remove();
    return copied;
  }

  document.addEventListener("click", async (event) => {
    const button = event.target.closest(".copy-text");
    if (!button) return;
    const text = button.dataset.copy || "";
    const status = button.parentElement.querySelector(".copy-status");
    let copied = false;
    if (navigator.clipboard && window.isSecureContext) {
      try {
        await navigator.clipboard.writeText(text);
        copied = true;
      } catch (error) {
        copied = fallbackCopy(text);
      }
    } else {
      copied = fallbackCopy(text);
    }
    if (status) {
      status.textContent = copied ? "Copied." : "Could not copy; select the text below.";
      if (!copied) {
        const pre = document.createElement("pre");
        pre.textContent = text;
        status.appendChild(pre);
      }
    }
  });
})();
