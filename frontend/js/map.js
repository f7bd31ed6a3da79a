// Maps and "use my location". Progressive enhancement only: every page works without this.
//
// [data-app-map] becomes a Leaflet map (window.L, which the page loads before this module),
// with a numbered marker for each element matching its data-markers selector. Those elements
// carry data-lat, data-lng, data-name, data-href and data-number. The background is the tile
// server in data-tiles-url when one is set, and otherwise the wards' outlines from
// data-outlines-url, so no request leaves our server unless a council chooses a tile server.
// The map is aria-hidden and nothing in it takes keyboard focus: the list beside it holds
// the same places and links.
//
// [data-app-locate] holds a button that asks the device where it is, then opens the results
// nearest first. Without JavaScript, or without geolocation, it stays hidden.

const BRAND = "#0b3b60";
const FOCUSABLE = "a, button, input, select, textarea, [tabindex]";

function keepOutOfTabOrder(root) {
  if (!root) return;
  root.querySelectorAll(FOCUSABLE).forEach((el) => el.setAttribute("tabindex", "-1"));
}

function numberedIcon(L, number) {
  const label = document.createElement("span");
  label.className = "app-map__marker-label";
  label.textContent = number;
  return L.divIcon({
    className: "app-map__marker",
    html: label,
    iconSize: [30, 30],
    iconAnchor: [15, 15],
    popupAnchor: [0, -15],
  });
}

function popupLink(item) {
  const link = document.createElement("a");
  link.className = "govuk-link";
  link.href = item.dataset.href;
  link.textContent = item.dataset.name;
  link.tabIndex = -1;
  return link;
}

function coordinates(lat, lng) {
  const point = [Number.parseFloat(lat), Number.parseFloat(lng)];
  return point.every(Number.isFinite) ? point : null;
}

function drawOutlines(L, map, url, fitToThem) {
  return fetch(url, { credentials: "same-origin" })
    .then((response) => (response.ok ? response.json() : null))
    .then((outlines) => {
      if (!outlines) return;
      const layer = L.geoJSON(outlines, {
        interactive: false,
        style: { color: BRAND, weight: 1.5, opacity: 0.6, fillColor: BRAND, fillOpacity: 0.04 },
      }).addTo(map);
      layer.bringToBack();
      if (fitToThem) map.fitBounds(layer.getBounds());
    })
    .catch(() => {
      // The markers still show: the outlines are only a background.
    });
}

export function initMap(el) {
  const L = window.L;
  if (!L || el.dataset.mapReady) return null;
  el.dataset.mapReady = "true";
  el.classList.add("app-map--ready"); // shown before Leaflet measures it

  const tilesUrl = el.dataset.tilesUrl || "";
  const map = L.map(el, {
    keyboard: false, // the list is the keyboard route to every place
    scrollWheelZoom: false, // scrolling the page should not zoom the map
    attributionControl: Boolean(tilesUrl),
    zoomSnap: 0.5,
  });
  if (map.attributionControl) map.attributionControl.setPrefix(false);

  const bounds = L.latLngBounds([]);
  document.querySelectorAll(el.dataset.markers || "[data-map-marker]").forEach((item) => {
    const point = coordinates(item.dataset.lat, item.dataset.lng);
    if (!point) return;
    L.marker(point, { icon: numberedIcon(L, item.dataset.number || ""), keyboard: false })
      .bindPopup(popupLink(item))
      .addTo(map);
    bounds.extend(point);
  });
  const here = coordinates(el.dataset.pointLat, el.dataset.pointLng);
  if (here) {
    L.circleMarker(here, {
      radius: 7,
      color: "#0b0c0c",
      weight: 3,
      fillColor: "#ffffff",
      fillOpacity: 1,
      interactive: false,
      className: "app-map__here",
    }).addTo(map);
    bounds.extend(here);
  }

  if (bounds.isValid()) {
    map.fitBounds(bounds.pad(0.15), { maxZoom: 15 });
  } else {
    map.setView([54.0, -2.0], 6); // England, until the outlines say where
  }

  if (tilesUrl) {
    L.tileLayer(tilesUrl, {
      attribution: el.dataset.tilesAttribution || "",
      maxZoom: 19,
    }).addTo(map);
  } else if (el.dataset.outlinesUrl) {
    drawOutlines(L, map, el.dataset.outlinesUrl, !bounds.isValid());
  }

  keepOutOfTabOrder(el);
  map.on("popupopen", (event) => keepOutOfTabOrder(event.popup.getElement()));
  return map;
}

export function initLocate(box) {
  if (!("geolocation" in navigator) || box.dataset.locateReady) return;
  box.dataset.locateReady = "true";
  const button = box.querySelector("[data-app-locate-button]");
  const status = box.querySelector("[data-app-locate-status]");
  if (!button || !status) return;
  box.hidden = false;
  button.addEventListener("click", () => {
    status.textContent = "Finding where you are…";
    navigator.geolocation.getCurrentPosition(
      (position) => {
        const params = new URLSearchParams({
          lat: position.coords.latitude.toFixed(5),
          lng: position.coords.longitude.toFixed(5),
          sort: "distance",
        });
        window.location.assign(`${box.dataset.resultsUrl}?${params}`);
      },
      () => {
        status.textContent =
          "We could not find where you are. Type your postcode or choose an area instead.";
      },
      { enableHighAccuracy: false, timeout: 15000, maximumAge: 600000 },
    );
  });
}

document.querySelectorAll("[data-app-map]").forEach(initMap);
document.querySelectorAll("[data-app-locate]").forEach(initLocate);
