// The familiarity slider in words, the same on every page that has one (home, radio): for the
// value shown beside the slider, its spoken aria-valuetext and the radio's status line.
(function () {
  "use strict";

  // Values arrive on the slider's tenths; 0.5 is the model's order untouched.
  function words(value) {
    if (value <= 0.05) return "discoveries only";
    if (value < 0.45) return "more discoveries";
    if (value <= 0.55) return "the model's own order";
    if (value < 0.95) return "more well-known songs";
    return "well-known songs only";
  }

  window.SongrecFamiliarity = { words };
})();
