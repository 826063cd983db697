// Sharing a list: "Copy as text" (artist – title lines on the clipboard) and, for lists that
// pages build in the browser, the same "Download as…" links as templates/recommender/
// _export_links.html. Pages call window.SongrecShare; buttons with class "copy-text" and a
// data-copy attribute work on any page that loads this file.
// navigator.clipboard needs a secure context (https or localhost); elsewhere the text is
// selected in a textarea with execCommand("copy"), and if even that fails it is shown.
(function () {
  "use strict";

  const FORMATS = [
    ["m3u8", "M3U8"],
    ["xspf", "XSPF"],
    ["jspf", "JSPF"],
  ];

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

  // Copies the text and says so in `status` (if given); resolves to whether it was copied.
  async function copy(text, status, done = "Copied.") {
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
      status.textContent = copied ? done : "Could not copy; select the text below.";
      if (!copied) {
        const pre = document.createElement("pre");
        pre.textContent = text;
        status.appendChild(pre);
      }
    }
    return copied;
  }

  // What "Copy as text" copies: one "Artist – Title" line a song (as the copy_text tag).
  function songLines(songs) {
    return songs.map((song) => `${song.artist} \u2013 ${song.title}`).join("\n");
  }

  // The export endpoint's address for these songs (objects with an id), in order.
  function exportURL(format, songs, title) {
    const query = new URLSearchParams({ songs: songs.map((song) => song.id).join(","), title });
    return `/api/playlists/export.${format}?${query}`;
  }

  // "Download as M3U8 · XSPF · JSPF · Copy as text" for a list, as _export_links.html draws it.
  function exportLinks(songs, title) {
    const block = document.createElement("p");
    block.className = "export-links small";
    block.append("Download as ");
    FORMATS.forEach(([format, label]) => {
      const link = document.createElement("a");
      link.href = exportURL(format, songs, title);
      link.setAttribute("download", "");
      link.dataset.format = format;
      link.textContent = label;
      block.append(link, " · ");
    });
    const button = document.createElement("button");
    button.type = "button";
    button.className = "link-button copy-text";
    button.dataset.copy = songLines(songs);
    button.textContent = "Copy as text";
    const status = document.createElement("span");
    status.className = "copy-status";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    block.append(button, " ", status);
    return block;
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest(".copy-text");
    if (!button) return;
    copy(button.dataset.copy || "", button.parentElement.querySelector(".copy-status"));
  });

  window.SongrecShare = { copy, songLines, exportURL, exportLinks };
})();
