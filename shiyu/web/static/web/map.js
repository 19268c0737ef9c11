/* Shiyu's maps: the city's own GeoJSON (grids, administrative units) drawn with Leaflet
   as vector layers on a blank background. No tiles: a government intranet has no
   internet, and nothing here asks for anything but the URL it is given.

   ShiyuMap.draw(element, url, options) -> Promise of {map, layer}
     options.style:     a Leaflet path style, or a function(feature) returning one
     options.label:     function(feature) -> tooltip text
     options.onFeature: function(feature, layer), for anything else (clicks, popups)
     options.center:    [lat, long] to show when the collection has no feature
     options.map:       extra Leaflet map options
   ShiyuMap.picker(map, {lat, long, onPick}) -> {set(lat, long)}
     a tap on the map places the point and fills the two inputs; typing in them moves it
   ShiyuMap.locate(picker, map, onError)
     the device's position (navigator.geolocation: https or localhost only) as the point */
(function () {
  "use strict";

  const DEFAULT_STYLE = {color: "#1565c0", weight: 1, fillOpacity: 0.12};
  const POINT_STYLE = {radius: 9, color: "#fff", weight: 2, fillColor: "#b71c1c", fillOpacity: 0.9};

  function draw(element, url, options = {}) {
    const map = L.map(element, Object.assign({attributionControl: false, zoomSnap: 0.25}, options.map));
    return fetch(url, {credentials: "same-origin", headers: {Accept: "application/geo+json, application/json"}})
      .then((response) => {
        if (!response.ok) throw new Error(url + ": " + response.status);
        return response.json();
      })
      .then((collection) => {
        const layer = L.geoJSON(collection, {
          style: options.style || DEFAULT_STYLE,
          onEachFeature(feature, featureLayer) {
            if (options.label) featureLayer.bindTooltip(options.label(feature), {sticky: true});
            if (options.onFeature) options.onFeature(feature, featureLayer);
          },
        }).addTo(map);
        if (layer.getLayers().length) map.fitBounds(layer.getBounds(), {padding: [8, 8]});
        else map.setView(options.center || [0, 0], options.center ? 13 : 1);
        return {map, layer};
      });
  }

  function picker(map, {lat, long, onPick}) {
    let marker = null;

    function show(point) {
      if (marker) marker.setLatLng(point);
      else marker = L.circleMarker(point, POINT_STYLE).addTo(map);
    }

    function set(latValue, longValue) {
      const point = L.latLng(latValue, longValue);
      show(point);
      lat.value = point.lat.toFixed(6);
      long.value = point.lng.toFixed(6);
      if (onPick) onPick(point);
    }

    // Vector layers pass their clicks on to the map, so a tap inside a grid counts too.
    map.on("click", (event) => set(event.latlng.lat, event.latlng.lng));
    const typed = () => {
      if (lat.value !== "" && long.value !== "" && isFinite(lat.value) && isFinite(long.value)) {
        show(L.latLng(+lat.value, +long.value));
      }
    };
    lat.addEventListener("change", typed);
    long.addEventListener("change", typed);
    typed(); // a form shown again after an error keeps its point
    return {set};
  }

  function locate(pick, map, onError) {
    if (!navigator.geolocation) {
      onError("unsupported");
      return;
    }
    navigator.geolocation.getCurrentPosition(
      (position) => {
        pick.set(position.coords.latitude, position.coords.longitude);
        map.setView([position.coords.latitude, position.coords.longitude], Math.max(map.getZoom(), 16));
      },
      (error) => onError(error.message || "unavailable"),
      {enableHighAccuracy: true, timeout: 15000, maximumAge: 60000},
    );
  }

  window.ShiyuMap = {draw, picker, locate};
})();
