/* Leaflet guesses where its marker images are from the address of its CSS file; the guess fails
   once static file names carry a content hash (WhiteNoise's manifest), and the pins show as
   broken images. The map element carries their served addresses instead. */
(function () {
  "use strict";
  var map = document.querySelector("[data-marker-icon]");
  if (!map || !window.L) { return; }
  L.Icon.Default.imagePath = "";  // a string: Leaflet then prefixes it instead of guessing
  L.Icon.Default.mergeOptions({
    iconUrl: map.dataset.markerIcon,
    iconRetinaUrl: map.dataset.markerIcon2x,
    shadowUrl: map.dataset.markerShadow
  });
})();
