// Map page: draws /api/map on a canvas; hover shows the song, click opens it; zoom and pan.
// Song titles reach the page only through textContent.
"use strict";

(() => {
  const panel = document.querySelector("[data-map]");
  if (!panel) return;
  const canvas = panel.querySelector("#song-map");
  const tip = panel.querySelector("#map-tip");
  const legend = panel.querySelector("#map-legend");
  const status = panel.querySelector("#map-status");
  const announce = panel.querySelector("#map-announce");
  const ctx = canvas.getContext("2d");
  // Eleven distinguishable colours (Tableau 10 and one more), then grey for "other".
  const PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#17becf", "#bcbd22", "#9aa0a6"];

  let data = null;
  let hidden = new Set();
  let view = { scale: 1, dx: 0, dy: 0 };
  let base = { minX: 0, minY: 0, span: 1 };
  let hover = -1;
  let drag = null;
  let size = { w: 0, h: 0 };

  function colour(tagIndex) {
    return tagIndex === data.tags.length - 1 ? PALETTE[PALETTE.length - 1] : PALETTE[tagIndex % (PALETTE.length - 1)];
  }

  function toScreen(i) {
    const p = data.points;
    const pad = 16;
    const usable = Math.min(size.w, size.h) - 2 * pad;
    const x = pad + (size.w - 2 * pad - usable) / 2 + ((p.x[i] - base.minX) / base.span) * usable;
    const y = pad + (size.h - 2 * pad - usable) / 2 + (1 - (p.y[i] - base.minY) / base.span) * usable;
    return [x * view.scale + view.dx, y * view.scale + view.dy];
  }

  function resize() {
    const ratio = window.devicePixelRatio || 1;
    const rect = canvas.getBoundingClientRect();
    size = { w: rect.width, h: rect.height };
    canvas.width = Math.round(rect.width * ratio);
    canvas.height = Math.round(rect.height * ratio);
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    draw();
  }

  function draw() {
    if (!data) return;
    ctx.clearRect(0, 0, size.w, size.h);
    const radius = Math.max(1.6, Math.min(5, 2.2 * Math.sqrt(view.scale)));
    const n = data.points.id.length;
    ctx.globalAlpha = 0.72;
    for (let i = 0; i < n; i += 1) {
      const tag = data.points.tag[i];
      if (hidden.has(tag)) continue;
      const [x, y] = toScreen(i);
      if (x < -5 || y < -5 || x > size.w + 5 || y > size.h + 5) continue;
      ctx.fillStyle = colour(tag);
      ctx.beginPath();
      ctx.arc(x, y, radius, 0, Math.PI * 2);
      ctx.fill();
    }
    ctx.globalAlpha = 1;
    if (hover >= 0) {
      const [x, y] = toScreen(hover);
      ctx.lineWidth = 2;
      ctx.strokeStyle = getComputedStyle(canvas).color;
      ctx.beginPath();
      ctx.arc(x, y, radius + 4, 0, Math.PI * 2);
      ctx.stroke();
    }
  }

  function nearest(mx, my) {
    let best = -1;
    let bestDistance = 14 * 14;
    const n = data.points.id.length;
    for (let i = 0; i < n; i += 1) {
      if (hidden.has(data.points.tag[i])) continue;
      const [x, y] = toScreen(i);
      const d = (x - mx) ** 2 + (y - my) ** 2;
      if (d < bestDistance) {
        bestDistance = d;
        best = i;
      }
    }
    return best;
  }

  function showTip(i, mx, my) {
    if (i < 0) {
      tip.hidden = true;
      canvas.style.cursor = drag ? "grabbing" : "grab";
      return;
    }
    const p = data.points;
    const title = document.createElement("strong");
    title.textContent = p.title[i];
    const artist = document.createElement("span");
    artist.textContent = p.artist[i];
    const tag = document.createElement("span");
    tag.className = "muted small";
    tag.textContent = data.tags[p.tag[i]];
    tip.replaceChildren(title, artist, tag);
    tip.hidden = false;
    const left = Math.min(mx + 14, size.w - tip.offsetWidth - 4);
    const top = my + 14 + tip.offsetHeight > size.h ? my - tip.offsetHeight - 10 : my + 14;
    tip.style.left = `${Math.max(4, left)}px`;
    tip.style.top = `${Math.max(4, top)}px`;
    canvas.style.cursor = "pointer";
  }

  function pointer(event) {
    const rect = canvas.getBoundingClientRect();
    return [event.clientX - rect.left, event.clientY - rect.top];
  }

  canvas.addEventListener("pointermove", (event) => {
    if (!data) return;
    const [mx, my] = pointer(event);
    if (drag) {
      view.dx = drag.dx + (mx - drag.x);
      view.dy = drag.dy + (my - drag.y);
      drag.moved = drag.moved || Math.abs(mx - drag.x) + Math.abs(my - drag.y) > 4;
      draw();
      return;
    }
    const found = nearest(mx, my);
    if (found !== hover) {
      hover = found;
      draw();
    }
    showTip(hover, mx, my);
  });
  canvas.addEventListener("pointerleave", () => {
    if (document.activeElement === canvas && hover >= 0) return; // keep the keyboard's song
    hover = -1;
    tip.hidden = true;
    draw();
  });
  canvas.addEventListener("pointerdown", (event) => {
    const [x, y] = pointer(event);
    drag = { x, y, dx: view.dx, dy: view.dy, moved: false };
    canvas.setPointerCapture(event.pointerId);
  });
  canvas.addEventListener("pointerup", (event) => {
    const wasDrag = drag && drag.moved;
    drag = null;
    if (wasDrag || !data) return;
    const [mx, my] = pointer(event);
    const found = nearest(mx, my);
    if (found >= 0) window.location.href = `/songs/${data.points.id[found]}`;
  });
  canvas.addEventListener("wheel", (event) => {
    if (!data) return;
    event.preventDefault();
    const [mx, my] = pointer(event);
    const factor = Math.exp(-event.deltaY * 0.0015);
    const scale = Math.max(0.5, Math.min(40, view.scale * factor));
    const applied = scale / view.scale;
    view.dx = mx - (mx - view.dx) * applied;
    view.dy = my - (my - view.dy) * applied;
    view.scale = scale;
    draw();
  }, { passive: false });
  canvas.addEventListener("dblclick", () => {
    view = { scale: 1, dx: 0, dy: 0 };
    draw();
  });

  // Keyboard: arrows move to the nearest song in that direction, Enter opens it, Escape
  // lets go. The focused song's position is also kept on the canvas (data-focus-x/y).
  function focusSong(i) {
    hover = i;
    draw();
    if (i < 0) {
      tip.hidden = true;
      delete canvas.dataset.focusX;
      delete canvas.dataset.focusY;
      announce.textContent = "";
      return;
    }
    const [x, y] = toScreen(i);
    showTip(i, x, y);
    canvas.dataset.focusX = x.toFixed(1);
    canvas.dataset.focusY = y.toFixed(1);
    const p = data.points;
    announce.textContent = `${p.title[i]} by ${p.artist[i]}, ${data.tags[p.tag[i]]}`;
  }

  function step(dirX, dirY) {
    const n = data.points.id.length;
    if (hover < 0) {
      for (let i = 0; i < n; i += 1) {
        if (!hidden.has(data.points.tag[i])) return focusSong(i);
      }
      return undefined;
    }
    const [x0, y0] = toScreen(hover);
    let best = -1;
    let bestCost = Infinity;
    for (let i = 0; i < n; i += 1) {
      if (i === hover || hidden.has(data.points.tag[i])) continue;
      const [x, y] = toScreen(i);
      const along = (x - x0) * dirX + (y - y0) * dirY;
      if (along <= 0) continue;
      const across = Math.abs((x - x0) * dirY - (y - y0) * dirX);
      const cost = along + 2 * across;
      if (cost < bestCost) {
        bestCost = cost;
        best = i;
      }
    }
    return best >= 0 ? focusSong(best) : undefined;
  }

  canvas.addEventListener("keydown", (event) => {
    if (!data) return;
    const moves = { ArrowRight: [1, 0], ArrowLeft: [-1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    if (moves[event.key]) {
      event.preventDefault();
      step(...moves[event.key]);
    } else if (event.key === "Enter" && hover >= 0) {
      event.preventDefault();
      window.location.href = `/songs/${data.points.id[hover]}`;
    } else if (event.key === "Escape") {
      focusSong(-1);
    }
  });
  canvas.addEventListener("blur", () => focusSong(-1));

  function renderLegend() {
    legend.replaceChildren(
      ...data.tags.map((tag, index) => {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "legend-item";
        button.setAttribute("aria-pressed", "true");
        const swatch = document.createElement("span");
        swatch.className = "swatch";
        swatch.style.background = colour(index);
        const label = document.createElement("span");
        label.textContent = tag;
        button.append(swatch, label);
        button.addEventListener("click", () => {
          if (hidden.has(index)) hidden.delete(index);
          else hidden.add(index);
          button.setAttribute("aria-pressed", hidden.has(index) ? "false" : "true");
          draw();
        });
        const item = document.createElement("li");
        item.append(button);
        return item;
      }),
    );
  }

  async function load() {
    try {
      const response = await fetch("/api/map", { headers: { Accept: "application/json" } });
      const body = await response.json();
      if (!response.ok) throw new Error(body && body.error ? body.error.message : `HTTP ${response.status}`);
      data = body;
      const xs = data.points.x;
      const ys = data.points.y;
      const minX = Math.min(...xs);
      const minY = Math.min(...ys);
      const span = Math.max(Math.max(...xs) - minX, Math.max(...ys) - minY) || 1;
      base = { minX, minY, span };
      renderLegend();
      const [a, b] = data.explained_variance;
      status.textContent = `${xs.length} most played songs · model v${data.model_version} · the two axes keep ${Math.round((a + b) * 100)}% of the variance. Click a genre to hide it.`;
      resize();
    } catch (error) {
      status.textContent = `The map could not be loaded: ${error.message}`;
    }
  }

  window.addEventListener("resize", resize);
  load();
})();
