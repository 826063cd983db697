// Home page: search-as-you-type combobox, seed chips and live recommendations.
// Every piece of data goes into the page through textContent (see el()), never innerHTML.
"use strict";

(() => {
  const root = document.querySelector("[data-recommender]");
  if (!root) return;

  const input = root.querySelector("#song-search");
  const listbox = root.querySelector("#song-options");
  const chips = root.querySelector("#seed-chips");
  const results = root.querySelector("#results");
  const status = root.querySelector("#results-status");
  const emptyHint = root.querySelector("#results-empty");
  const onePerArtist = root.querySelector("#one-per-artist");
  const maxSeeds = Number(root.dataset.maxSeeds || 50);
  const RESULTS = 20;

  let options = [];
  let active = -1;
  let seeds = [];
  let searchTimer = 0;
  let searchAbort = null;
  let recommendAbort = null;

  const SOURCES = {
    model: "",
    "fallback-successors": "The model has not placed these songs yet: showing what radio stations played right after them.",
    "fallback-popular": "The model has not placed these songs yet: showing popular songs with the same tags.",
  };

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) {
      if (value === false || value === null || value === undefined) continue;
      if (name === "class") node.className = value;
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(typeof child === "string" || typeof child === "number" ? document.createTextNode(String(child)) : child);
    }
    return node;
  }

  async function getJSON(url, options = {}) {
    const response = await fetch(url, { headers: { Accept: "application/json" }, ...options });
    const body = await response.json().catch(() => null);
    if (!response.ok) {
      const message = body && body.error ? body.error.message : `HTTP ${response.status}`;
      const error = new Error(message);
      error.status = response.status;
      throw error;
    }
    return body;
  }

  // ----- combobox -------------------------------------------------------------------------
  function closeOptions() {
    options = [];
    active = -1;
    listbox.hidden = true;
    listbox.replaceChildren();
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function renderOptions(message) {
    listbox.replaceChildren();
    if (message) {
      listbox.append(el("li", { class: "option-empty", role: "presentation" }, message));
    }
    options.forEach((song, i) => {
      const picked = seeds.some((seed) => seed.id === song.id);
      const option = el(
        "li",
        { role: "option", id: `song-option-${i}`, "aria-selected": i === active ? "true" : "false", "aria-disabled": picked ? "true" : null, class: "option" },
        el("span", { class: "option-title" }, song.title),
        el("span", { class: "option-artist" }, song.artist),
      );
      // mousedown, not click: it fires before the input loses focus.
      option.addEventListener("mousedown", (event) => {
        event.preventDefault();
        pick(song);
      });
      listbox.append(option);
    });
    listbox.hidden = false;
    input.setAttribute("aria-expanded", "true");
    if (active >= 0) {
      input.setAttribute("aria-activedescendant", `song-option-${active}`);
      const node = listbox.querySelector(`#song-option-${active}`);
      if (node) node.scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  async function search(query) {
    if (searchAbort) searchAbort.abort();
    searchAbort = new AbortController();
    try {
      const body = await getJSON(`/api/songs?q=${encodeURIComponent(query)}&limit=8`, { signal: searchAbort.signal });
      if (input.value.trim() !== query) return;
      options = body.results;
      active = options.length ? 0 : -1;
      renderOptions(options.length ? "" : `No song matches “${query}”.`);
    } catch (error) {
      if (error.name === "AbortError") return;
      options = [];
      renderOptions(`Search failed: ${error.message}`);
    }
  }

  input.addEventListener("input", () => {
    clearTimeout(searchTimer);
    const query = input.value.trim();
    if (query.length < 2) {
      closeOptions();
      return;
    }
    searchTimer = setTimeout(() => search(query), 150);
  });

  input.addEventListener("keydown", (event) => {
    const open = !listbox.hidden && options.length > 0;
    switch (event.key) {
      case "ArrowDown":
        if (open) {
          event.preventDefault();
          active = (active + 1) % options.length;
          renderOptions();
        } else if (input.value.trim().length >= 2) {
          event.preventDefault();
          search(input.value.trim());
        }
        break;
      case "ArrowUp":
        if (open) {
          event.preventDefault();
          active = (active - 1 + options.length) % options.length;
          renderOptions();
        }
        break;
      case "Enter":
        if (open && active >= 0) {
          event.preventDefault();
          pick(options[active]);
        }
        break;
      case "Escape":
        if (!listbox.hidden) {
          event.preventDefault();
          closeOptions();
        } else if (input.value) {
          input.value = "";
        }
        break;
      case "Backspace":
        if (input.value === "" && seeds.length) {
          event.preventDefault();
          removeSeed(seeds[seeds.length - 1].id);
        }
        break;
      default:
    }
  });

  input.addEventListener("blur", () => setTimeout(closeOptions, 100));

  // ----- seeds ----------------------------------------------------------------------------
  function pick(song) {
    closeOptions();
    input.value = "";
    if (!seeds.some((seed) => seed.id === song.id)) {
      if (seeds.length >= maxSeeds) {
        status.textContent = `At most ${maxSeeds} songs can be picked.`;
        return;
      }
      seeds.push(song);
    }
    renderChips();
    recommend();
    input.focus();
  }

  function removeSeed(id) {
    seeds = seeds.filter((seed) => seed.id !== id);
    renderChips();
    recommend();
    input.focus();
  }

  function renderChips() {
    chips.replaceChildren(
      ...seeds.map((song) => {
        const remove = el("button", { type: "button", class: "chip-remove", "aria-label": `Remove ${song.title} by ${song.artist}` }, "×");
        remove.addEventListener("click", () => removeSeed(song.id));
        return el(
          "li",
          { class: "chip", "data-song-id": song.id },
          el("a", { href: `/songs/${song.id}`, class: "chip-title" }, song.title),
          el("span", { class: "chip-artist" }, song.artist),
          remove,
        );
      }),
    );
    const url = new URL(window.location.href);
    if (seeds.length) url.searchParams.set("seeds", seeds.map((seed) => seed.id).join(","));
    else url.searchParams.delete("seeds");
    window.history.replaceState(null, "", url);
  }

  // ----- recommendations -------------------------------------------------------------------
  // Bars compare the songs of one list: the best match fills the bar, the weakest shows a
  // sliver. Cosine scores of this model are small (0.1 is a strong match), so an absolute
  // scale would draw every bar nearly empty; the number next to the bar is the real score.
  function barWidths(scores) {
    if (!scores.length) return [];
    const top = Math.max(...scores);
    const low = Math.min(...scores);
    return scores.map((score) => (top === low ? 1 : 0.15 + (0.85 * (score - low)) / (top - low)));
  }

  function formatScore(score) {
    // Three decimals: the model's cosines are small; never show "-0.000".
    return Math.abs(score) < 0.0005 ? "0.000" : score.toFixed(3);
  }

  function strength(score, width) {
    const value = Math.max(0, Math.min(1, width));
    return el(
      "span",
      { class: "strength", title: `score ${score.toFixed(3)}` },
      el("span", { class: "strength-bar", "aria-hidden": "true" }, el("span", { class: "strength-fill", style: `width:${(value * 100).toFixed(1)}%` })),
      el("span", { class: "strength-value" }, el("span", { class: "visually-hidden" }, "score "), formatScore(score)),
    );
  }

  function songItem(item, index, widths) {
    const song = item.song;
    const add = el("button", { type: "button", class: "add-seed", "aria-label": `Add ${song.title} by ${song.artist} to your songs` }, "+");
    add.addEventListener("click", () => pick(song));
    return el(
      "li",
      { class: "song-row", "data-song-id": song.id },
      el("span", { class: "rank", "aria-hidden": "true" }, index + 1),
      el(
        "div",
        { class: "song-main" },
        el("a", { class: "song-title", href: `/songs/${song.id}` }, song.title),
        el("span", { class: "song-artist" }, song.artist),
        song.tags.length ? el("ul", { class: "tags", "aria-label": "Tags" }, ...song.tags.slice(0, 4).map((tag) => el("li", {}, tag))) : null,
      ),
      strength(item.score, widths[index]),
      add,
    );
  }

  async function recommend() {
    if (recommendAbort) recommendAbort.abort();
    if (!seeds.length) {
      results.replaceChildren();
      emptyHint.hidden = false;
      status.textContent = "Pick a song to start.";
      return;
    }
    emptyHint.hidden = true;
    recommendAbort = new AbortController();
    root.classList.add("is-loading");
    const payload = { seeds: seeds.map((seed) => seed.id), k: RESULTS, max_per_artist: onePerArtist.checked ? 1 : null };
    try {
      const body = await getJSON("/api/recommendations", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(payload),
        signal: recommendAbort.signal,
      });
      const widths = barWidths(body.results.map((item) => item.score));
      results.replaceChildren(...body.results.map((item, index) => songItem(item, index, widths)));
      const based = seeds.length === 1 ? "1 song" : `${seeds.length} songs`;
      const note = SOURCES[body.source] || "";
      status.textContent = `${body.results.length} songs for ${based} · model v${body.model_version}${note ? " · " + note : ""}`;
      results.dataset.source = body.source;
    } catch (error) {
      if (error.name === "AbortError") return;
      results.replaceChildren();
      status.textContent = error.status === 503 ? "No model is active right now — an admin can train one." : `Could not get recommendations: ${error.message}`;
    } finally {
      root.classList.remove("is-loading");
    }
  }

  onePerArtist.addEventListener("change", recommend);

  root.querySelectorAll("[data-example]").forEach((button) => {
    button.addEventListener("click", () => {
      input.value = button.dataset.example;
      input.focus();
      search(input.value);
    });
  });

  // Seeds in the address (?seeds=1,2) survive a reload and can be shared.
  async function restore() {
    const raw = new URL(window.location.href).searchParams.get("seeds") || "";
    const ids = raw.split(",").map((part) => Number.parseInt(part, 10)).filter((id) => Number.isInteger(id) && id >= 0).slice(0, maxSeeds);
    if (!ids.length) return;
    const songs = await Promise.all(ids.map((id) => getJSON(`/api/songs/${id}`).catch(() => null)));
    seeds = songs.filter(Boolean);
    renderChips();
    recommend();
  }
  restore();
})();
