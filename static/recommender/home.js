// Home page: search-as-you-type combobox, seed chips and live recommendations.
// Every piece of data goes into the page through textContent (see el()), never innerHTML.
// The picked songs and the options live in the address (/?seeds=1,2&familiarity=0.3): each
// change is a history entry, so Back and Forward step through the lists, and a link opens
// on the same list (the server reads it into #home-state, see recommender/page_query.py).
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
  const slider = root.querySelector("#familiarity");
  const sliderValue = root.querySelector("#familiarity-value");
  const linkNotes = root.querySelector("#link-notes");
  const radioLink = root.querySelector("#start-radio");
  const radioHelp = root.querySelector("#radio-help");
  const copyLink = root.querySelector("#copy-link");
  const copyLinkStatus = root.querySelector("#copy-link-status");
  const resultsShare = root.querySelector("#results-share");
  // The API's limits (recommender/api_limits.py), written into the page by the server.
  const maxSeeds = Number(root.dataset.maxSeeds);
  const RESULTS = 20;
  // The API's default: sent only when the slider is elsewhere, so the page also works with
  // an API that does not know the field yet (it then says so, see recommend()).
  const DEFAULT_FAMILIARITY = 0.5;
  // The export API's limit on a playlist title (MAX_QUERY_CHARS).
  const MAX_TITLE = Number(root.dataset.maxTitle);

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
      commit();
    }
    input.focus();
  }

  function removeSeed(id) {
    seeds = seeds.filter((seed) => seed.id !== id);
    commit();
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
  }

  // ----- options, the address and history ----------------------------------------------------
  function familiarity() {
    return Math.round(Number(slider.value) * 10) / 10;
  }

  function showFamiliarity() {
    const value = familiarity();
    const words = `${value.toFixed(1)} · ${window.SongrecFamiliarity.words(value)}`;
    sliderValue.textContent = words;
    slider.setAttribute("aria-valuetext", words);
  }

  function currentState(notes = []) {
    return { seeds: seeds.slice(), familiarity: familiarity(), onePerArtist: onePerArtist.checked, notes };
  }

  // Defaults stay out of the address, so that a plain list has a short link.
  function stateURL(state) {
    const url = new URL(window.location.pathname, window.location.origin);
    if (state.seeds.length) url.searchParams.set("seeds", state.seeds.map((seed) => seed.id).join(","));
    if (state.familiarity !== DEFAULT_FAMILIARITY) url.searchParams.set("familiarity", state.familiarity.toFixed(1));
    if (state.onePerArtist) url.searchParams.set("max_per_artist", "1");
    return url;
  }

  // The notes of the shown state (what its link asked for that could not be used), then
  // what the last answer left out (the API's warnings).
  let stateNotes = [];

  function showNotes(notes, warnings = []) {
    stateNotes = notes;
    const all = notes.concat(warnings.map(warningNote));
    linkNotes.replaceChildren(...all.map((note) => el("p", { class: "notice" }, note)));
  }

  // A seed the serving model does not know (e.g. a song added since it was trained) is left
  // out of the answer; the note names it as its chip does when the page knows it.
  function warningNote(warning) {
    if (warning.code !== "unknown_seeds") return warning.message;
    const names = warning.ids.map((id) => {
      const seed = seeds.find((song) => song.id === id);
      return seed ? `“${seed.title}” by ${seed.artist}` : `song id ${id}`;
    });
    return `The model does not know ${names.join(", ")} yet: left out of this list.`;
  }

  function showRadioLink() {
    if (seeds.length) {
      const query = new URLSearchParams({ seeds: seeds.map((seed) => seed.id).join(","), familiarity: familiarity().toFixed(1) });
      radioLink.href = `/radio?${query}`;
      radioLink.removeAttribute("aria-disabled");
      const based = seeds.length === 1 ? "your song" : `your ${seeds.length} songs`;
      radioHelp.textContent = `A station that keeps going from ${based}.`;
    } else {
      radioLink.removeAttribute("href");
      radioLink.setAttribute("aria-disabled", "true");
      radioHelp.textContent = "Pick a song first: the radio plays on from your songs.";
    }
  }

  // Draws a state (from the server, or from history on Back and Forward) and fetches its list.
  function apply(state) {
    seeds = state.seeds.slice();
    slider.value = String(state.familiarity);
    onePerArtist.checked = state.onePerArtist;
    showFamiliarity();
    showNotes(state.notes);
    copyLinkStatus.textContent = "";
    renderChips();
    showRadioLink();
    recommend();
  }

  // A change by the listener: a new history entry, then the new list. A link's notes were
  // about the link, so they stay with its entry.
  function commit() {
    const state = currentState();
    window.history.pushState(state, "", stateURL(state));
    apply(state);
  }

  window.addEventListener("popstate", (event) => {
    if (event.state && Array.isArray(event.state.seeds)) apply(event.state);
  });

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

  // "played-after 62% · sounds-like 30%": which signals made the score.
  function sharesText(reason) {
    return Object.entries(reason.shares || {})
      .map(([kind, share]) => `${kind} ${Math.round(share * 100)}%`)
      .join(" · ");
  }

  // The reason under a song; its signals' shares open from it by click or keyboard (a
  // disclosure, as on the song page: templates/recommender/_reason.html) and show on hover.
  function reasonNode(reason) {
    const shares = sharesText(reason);
    if (!shares) return el("p", { class: "song-reason small" }, reason.text);
    return el(
      "details",
      { class: "song-reason small" },
      el("summary", { title: shares }, reason.text),
      el("p", { class: "reason-shares" }, `Made of: ${shares}`),
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
        item.reason ? reasonNode(item.reason) : null,
      ),
      strength(item.score, widths[index]),
      add,
    );
  }

  function listTitle() {
    const names = seeds.slice(0, 3).map((seed) => seed.title);
    const more = seeds.length - names.length;
    const title = `Songs for ${names.join(", ")}${more > 0 ? ` and ${more} more` : ""}`;
    const chars = Array.from(title);
    return chars.length > MAX_TITLE ? `${chars.slice(0, MAX_TITLE - 1).join("")}…` : title;
  }

  function failureText(error) {
    if (error.status === 503) return "No model is active right now — an admin can train one.";
    return `Could not get recommendations: ${error.message}`;
  }


  async function recommend() {
    if (recommendAbort) recommendAbort.abort();
    resultsShare.replaceChildren();
    status.classList.remove("is-error");
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
    const asked = familiarity();
    if (asked !== DEFAULT_FAMILIARITY) payload.familiarity = asked;
    try {
      const body = await getJSON("/api/recommendations", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(payload),
        signal: recommendAbort.signal,
      });
      const widths = barWidths(body.results.map((item) => item.score));
      results.replaceChildren(...body.results.map((item, index) => songItem(item, index, widths)));
      if (body.results.length) {
        resultsShare.replaceChildren(window.SongrecShare.exportLinks(body.results.map((item) => item.song), listTitle()));
      }
      showNotes(stateNotes, body.warnings || []);
      const used = body.seeds.length;
      const based = used === 1 ? "1 song" : `${used} songs`;
      const note = SOURCES[body.source] || "";
      status.textContent = `${body.results.length} songs for ${based} · model v${body.model_version}${note ? " · " + note : ""}`;
      results.dataset.source = body.source;
    } catch (error) {
      if (error.name === "AbortError") return;
      showNotes(stateNotes);
      results.replaceChildren();
      status.textContent = failureText(error);
      status.classList.add("is-error");
    } finally {
      root.classList.remove("is-loading");
    }
  }

  onePerArtist.addEventListener("change", commit);
  slider.addEventListener("input", showFamiliarity);
  // "change" comes once the value is let go (or per arrow key): one history entry a choice.
  slider.addEventListener("change", commit);
  copyLink.addEventListener("click", () => window.SongrecShare.copy(window.location.href, copyLinkStatus, "Link copied."));

  root.querySelectorAll("[data-example]").forEach((button) => {
    button.addEventListener("click", () => {
      input.value = button.dataset.example;
      input.focus();
      search(input.value);
    });
  });

  // The address's list, read by the server: drawn at once, kept as this entry's state.
  const initial = JSON.parse(document.getElementById("home-state").textContent);
  const first = { seeds: initial.seeds, familiarity: initial.familiarity, onePerArtist: initial.max_per_artist === 1, notes: initial.notes };
  // The address is rewritten to what is shown (ids left out, as its notes say).
  window.history.replaceState(first, "", stateURL(first));
  apply(first);
})();
