// Radio page: builds the station through POST /api/radio, grows it with "More", rebuilds it
// when the familiarity slider moves. Catalogue text goes in through textContent only.
"use strict";

(() => {
  const root = document.querySelector("[data-radio]");
  if (!root) return;

  const list = root.querySelector("#station");
  const status = root.querySelector("#radio-status");
  const stationPanel = root.querySelector(".radio-station");
  const more = root.querySelector("#radio-more");
  const retry = root.querySelector("#radio-retry");
  const slider = root.querySelector("#familiarity");
  const sliderValue = root.querySelector("#familiarity-value");
  const exportLinks = root.querySelector(".radio-export");
  const seedIds = root.dataset.seeds.split(",").map(Number);
  const seedTitles = [...root.querySelectorAll(".radio-seeds .chip-title")].map((a) => a.textContent);
  const FIRST = Number(root.dataset.first);
  const MORE = Number(root.dataset.more);
  const ARTIST_GAP = Number(root.dataset.artistGap);
  const TAIL = Number(root.dataset.tail);
  const MAX_EXCLUDE = Number(root.dataset.maxExclude);
  const MAX_EXPORT = 200; // songs of one export link (the export API's limit)

  let station = []; // the songs after the seeds, in play order
  let finished = ""; // why the station cannot grow any more, or ""
  let pending = null; // the AbortController of the request in flight

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) {
      if (value === null || value === undefined) continue;
      if (name === "class") node.className = value;
      else node.setAttribute(name, String(value));
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(typeof child === "string" || typeof child === "number" ? document.createTextNode(String(child)) : child);
    }
    return node;
  }

  function familiarity() {
    return Number(slider.value);
  }

  function showFamiliarity() {
    const value = familiarity();
    sliderValue.textContent = value.toFixed(1);
    slider.setAttribute("aria-valuetext", `${value.toFixed(1)}, ${window.SongrecFamiliarity.words(value)}`);
  }

  function songsOf(count) {
    return count === 1 ? "1 song" : `${count} songs`;
  }

  function songRow(song) {
    const reason = song.reason && typeof song.reason.text === "string" && song.reason.text ? song.reason.text : "";
    // Without a reason from the API, still say when a song is not the model's pick.
    const note = !reason && song.source === "fallback-popular" ? "A popular song: the model had nothing left that fits the rules." : "";
    return el(
      "li",
      { class: "song-row station-row", "data-song-id": song.id, "data-artist": song.artist },
      el("span", { class: "rank" }, song.position),
      el(
        "div",
        { class: "song-main" },
        el("a", { class: "song-title", href: `/songs/${song.id}` }, song.title),
        el("span", { class: "song-artist" }, song.artist),
        song.tags && song.tags.length ? el("ul", { class: "tags", "aria-label": "Tags" }, ...song.tags.slice(0, 4).map((tag) => el("li", {}, tag))) : null,
        reason || note ? el("p", { class: "reason small muted" }, reason || note) : null,
      ),
    );
  }

  function updateExport() {
    const songs = station.slice(0, MAX_EXPORT);
    exportLinks.hidden = !songs.length;
    if (!songs.length) return;
    const title = `Radio: ${seedTitles.join(", ")}`;
    for (const link of exportLinks.querySelectorAll("a[data-format]")) {
      link.href = window.SongrecShare.exportURL(link.dataset.format, songs, title);
    }
    exportLinks.querySelector(".copy-text").dataset.copy = window.SongrecShare.songLines(songs);
  }

  function updateButtons() {
    more.hidden = !station.length || Boolean(finished);
    // aria-disabled rather than disabled: a disabled button drops the keyboard focus.
    more.setAttribute("aria-disabled", String(Boolean(pending)));
  }

  function updateAddress() {
    const url = new URL(window.location.href);
    url.searchParams.set("seeds", seedIds.join(","));
    url.searchParams.set("familiarity", familiarity().toFixed(1));
    window.history.replaceState(null, "", url);
  }

  async function postRadio(payload) {
    if (pending) pending.abort();
    const controller = new AbortController();
    pending = controller;
    stationPanel.setAttribute("aria-busy", "true");
    root.classList.add("is-loading");
    retry.hidden = true;
    updateButtons();
    try {
      const response = await fetch("/api/radio", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ ...payload, familiarity: familiarity(), artist_gap: ARTIST_GAP }),
        signal: controller.signal,
      });
      const body = await response.json().catch(() => null);
      if (!response.ok) {
        const error = new Error(body && body.error ? body.error.message : `HTTP ${response.status}`);
        error.status = response.status;
        throw error;
      }
      return body;
    } finally {
      // Only the latest request may clear the busy state: an aborted one returns late.
      if (pending === controller) {
        pending = null;
        stationPanel.setAttribute("aria-busy", "false");
        root.classList.remove("is-loading");
        updateButtons();
      }
    }
  }

  function explain(error) {
    if (error.status === 503) return "No model is active right now, so there is no station: an admin can train and activate one.";
    if (error.status === 404) return `This model does not know a seed song: ${error.message}`;
    if (error.status === 429) return "Too many requests: wait a moment, then try again.";
    return `Could not build the station: ${error.message}`;
  }

  function endReason(body, played) {
    if (!body.complete) return `The catalogue has no more songs that fit the rules: the station ends after ${songsOf(station.length)}.`;
    // The next "More" would exclude more songs than the API accepts in one request.
    if (played - TAIL > MAX_EXCLUDE) return `This station is as long as it gets here: ${songsOf(station.length)}.`;
    return "";
  }

  // The first 50 songs; `previous` (the ids before a rebuild) lets the status say what changed.
  async function build(previous) {
    let body;
    try {
      body = await postRadio({ seeds: seedIds, length: FIRST });
    } catch (error) {
      if (error.name === "AbortError") return;
      station = [];
      list.replaceChildren();
      updateExport();
      updateButtons();
      retry.hidden = false;
      status.textContent = explain(error);
      return;
    }
    station = body.songs.map((song, index) => ({ ...song, position: index + 1 }));
    list.replaceChildren(...station.map(songRow));
    finished = endReason(body, seedIds.length + station.length);
    updateExport();
    updateButtons();
    const value = familiarity().toFixed(1);
    let message;
    if (previous) {
      const before = new Set(previous);
      const changed = station.filter((song) => !before.has(song.id)).length;
      const same = station.every((song, index) => song.id === previous[index]) && station.length === previous.length;
      message = `Station rebuilt for familiarity ${value} (${window.SongrecFamiliarity.words(familiarity())}): ${songsOf(station.length)}, `;
      message += same ? "the same as before." : changed ? `${changed} of them new to the station.` : "the same songs in another order.";
    } else {
      message = `${songsOf(station.length)} after ${seedTitles.join(", ")} · familiarity ${value} · model v${body.model_version}.`;
    }
    status.textContent = finished ? `${message} ${finished}` : message;
  }

  // The next 25: the latest songs go as seeds (so the model sees the same history and the
  // artist gap the same artists), everything played before them as exclude (no song twice).
  async function grow() {
    const played = [...seedIds, ...station.map((song) => song.id)];
    const seeds = played.slice(-TAIL);
    const exclude = played.slice(0, Math.max(0, played.length - TAIL));
    let body;
    try {
      body = await postRadio({ seeds, exclude, length: MORE });
    } catch (error) {
      if (error.name === "AbortError") return;
      status.textContent = `${explain(error)} The station so far stays.`;
      return;
    }
    const start = station.length;
    const added = body.songs.map((song, index) => ({ ...song, position: start + index + 1 }));
    station = station.concat(added);
    list.append(...added.map(songRow));
    finished = endReason(body, played.length + added.length);
    updateExport();
    updateButtons();
    const message = added.length
      ? `${songsOf(added.length)} added: ${start + 1}–${station.length}. The station has ${songsOf(station.length)}.`
      : "No more songs fit the rules.";
    status.textContent = finished ? `${message} ${finished}` : message;
  }

  more.addEventListener("click", () => {
    if (!pending) grow();
  });
  retry.addEventListener("click", () => build(null));
  slider.addEventListener("input", showFamiliarity);
  // "change" fires once the slider is let go (or once per arrow key): one rebuild, not dozens.
  slider.addEventListener("change", () => {
    showFamiliarity();
    updateAddress();
    status.textContent = `Rebuilding the station for familiarity ${familiarity().toFixed(1)}…`;
    build(station.map((song) => song.id));
  });

  showFamiliarity();
  build(null);
})();
