/* Public map of published reports: Leaflet (served by django-leaflet) and our GeoJSON.
   The page works without it: the same figures are in the table under the map. */
(function () {
  "use strict";
  var box = document.getElementById("ban-do");
  if (!box || !window.L) { return; }
  var map = L.map(box, { scrollWheelZoom: false }).setView([18.9, 105.3], 9);
  L.tileLayer(box.dataset.tiles, { attribution: box.dataset.attribution || "", maxZoom: 19 }).addTo(map);
  fetch(box.dataset.geojson, { headers: { Accept: "application/geo+json" } })
    .then(function (response) { return response.ok ? response.json() : null; })
    .then(function (data) {
      if (!data || !data.features.length) { return; }
      var layer = L.geoJSON(data, {
        onEachFeature: function (feature, marker) {
          var p = feature.properties;
          var link = document.createElement("a");
          link.href = box.dataset.detailUrl.replace("MA", encodeURIComponent(p.code));
          link.textContent = box.dataset.detailLabel + " " + p.code;
          var text = document.createElement("p");
          text.textContent = p.category + " — " + p.status;
          var popup = document.createElement("div");
          popup.appendChild(text);
          popup.appendChild(link);
          marker.bindPopup(popup);
        }
      }).addTo(map);
      map.fitBounds(layer.getBounds(), { maxZoom: 16, padding: [20, 20] });
    })
    .catch(function () { /* the list below the map still has everything */ });
})();
