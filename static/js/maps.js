/* Maps as an enhancement (Leaflet, served by the app). Without this script, or without tiles,
   every page still works: map pages list their located items, forms have two numeric fields.
   - [data-map][data-geojson] or [data-map][data-features]: markers that link to each item.
   - [data-location-picker]: a click on the map fills the latitude and longitude fields. */
(function () {
  "use strict";
  if (typeof window.L === "undefined") { return; }
  var L = window.L;

  function settingsOf(element) {
    try { return JSON.parse(element.getAttribute("data-map")) || {}; } catch (e) { return {}; }
  }

  function newMap(container, settings) {
    L.Icon.Default.imagePath = settings.icons || "";
    var labels = settings.labels || {};
    var map = L.map(container, { scrollWheelZoom: false, zoomControl: false, fadeAnimation: false });
    L.control.zoom({ zoomInTitle: labels.zoom_in || "Zoom in", zoomOutTitle: labels.zoom_out || "Zoom out" })
      .addTo(map);
    map.on("popupopen", function (event) {
      var close = event.popup.getElement().querySelector(".leaflet-popup-close-button");
      if (close && labels.close) { close.setAttribute("aria-label", labels.close); }
    });
    if (settings.tiles) {
      L.tileLayer(settings.tiles, { attribution: settings.attribution || "", maxZoom: 19 }).addTo(map);
    }
    if (settings.view) {
      map.fitBounds(settings.view, { maxZoom: 13 });  // the plan's places
    } else {
      map.setView(settings.center || [0, 0], settings.zoom || 2);
    }
    return map;
  }

  // The popup of a feature: its title as a link, its state and place, built as text (no HTML).
  function popupFor(properties) {
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = properties.url;
    link.textContent = properties.title;
    box.appendChild(link);
    var details = [properties.state_label, properties.place].filter(Boolean).join(" · ");
    if (details) {
      var line = document.createElement("p");
      line.textContent = details;
      box.appendChild(line);
    }
    return box;
  }

  function showFeatures(map, collection) {
    var points = [];
    (collection.features || []).forEach(function (feature) {
      if (!feature.geometry || feature.geometry.type !== "Point") { return; }
      var lonLat = feature.geometry.coordinates;
      var latLng = [lonLat[1], lonLat[0]];
      var props = feature.properties || {};
      L.marker(latLng, { title: props.title || "", alt: props.title || "" })
        .bindPopup(popupFor(props))
        .addTo(map);
      points.push(latLng);
    });
    if (points.length === 1) {
      map.setView(points[0], Math.max(map.getZoom(), 15));
    } else if (points.length > 1) {
      map.fitBounds(points, { padding: [40, 40], maxZoom: 16 });
    }
  }

  function featureMap(container) {
    var settings = settingsOf(container);
    container.hidden = false;
    var map = newMap(container, settings);
    var embedded = container.getAttribute("data-features");
    if (embedded) {
      try { showFeatures(map, JSON.parse(embedded)); } catch (e) { /* the list stays */ }
      return;
    }
    var url = container.getAttribute("data-geojson");
    if (!url || !window.fetch) { return; }
    window.fetch(url, { headers: { Accept: "application/geo+json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : { features: [] }; })
      .then(function (collection) { showFeatures(map, collection); })
      .catch(function () { /* the list in the page says the same */ });
  }

  function number(input) {
    var value = parseFloat((input.value || "").replace(",", "."));
    return isFinite(value) ? value : null;
  }

  function locationPicker(fieldset) {
    var latitude = fieldset.querySelector("input[name='latitude']");
    var longitude = fieldset.querySelector("input[name='longitude']");
    var canvas = fieldset.querySelector("[data-map-canvas]");
    if (!latitude || !longitude || !canvas) { return; }
    var settings = settingsOf(fieldset);
    canvas.hidden = false;
    var map = newMap(canvas.querySelector(".map"), settings);
    var marker = null;

    function place(latLng, pan) {
      if (marker) { marker.setLatLng(latLng); } else { marker = L.marker(latLng, { keyboard: false }).addTo(map); }
      if (pan) { map.setView(latLng, Math.max(map.getZoom(), 15)); }
    }
    function fromFields(pan) {
      var lat = number(latitude), lng = number(longitude);
      if (lat === null || lng === null || Math.abs(lat) > 90 || Math.abs(lng) > 180) {
        if (marker) { map.removeLayer(marker); marker = null; }
        return;
      }
      place([lat, lng], pan);
    }

    map.on("click", function (event) {
      var point = event.latlng.wrap();
      latitude.value = point.lat.toFixed(6);
      longitude.value = point.lng.toFixed(6);
      place(point, false);
    });
    latitude.addEventListener("change", function () { fromFields(true); });
    longitude.addEventListener("change", function () { fromFields(true); });
    var clear = canvas.querySelector("[data-clear-location]");
    if (clear) {
      clear.addEventListener("click", function () {
        latitude.value = "";
        longitude.value = "";
        fromFields(false);
      });
    }
    fromFields(true);
    var others = fieldset.getAttribute("data-geojson");
    if (!marker && !settings.configured && others && window.fetch) {
      // No view configured: open on the points already given (the plan's territory, roughly).
      window.fetch(others, { headers: { Accept: "application/geo+json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : { features: [] }; })
        .then(function (collection) {
          var points = (collection.features || []).map(function (f) {
            return [f.geometry.coordinates[1], f.geometry.coordinates[0]];
          });
          if (!marker && points.length) { map.fitBounds(points, { padding: [24, 24], maxZoom: 13 }); }
        })
        .catch(function () { /* the world view stays */ });
    }
  }

  document.querySelectorAll("[data-location-picker]").forEach(locationPicker);
  document.querySelectorAll("[data-map][data-geojson]:not([data-location-picker]), [data-map][data-features]")
    .forEach(featureMap);
})();
