// The map on a report's location page: a progressive enhancement over the address field. Without
// script, or without a tile server configured, the page has no map and the address (and "Use my
// location") is the way. With it, a click on the map (or the Enter key on its centre, for the
// keyboard: arrows pan, + and - zoom) marks the place and fills the form's coordinates; the
// live region says so. Tiles come from the deployment's tile server; nothing else leaves the page.
(function map() {
  const box = document.getElementById('egov-map');
  if (!box || !window.L) return;
  const d = box.dataset;
  const lat = document.getElementById('lat');
  const long = document.getElementById('long');
  const status = document.getElementById('locate-status');
  box.hidden = false;
  const hint = document.getElementById('egov-map-hint');
  if (hint) hint.hidden = false;
  const have = lat.value !== '' && long.value !== '';
  const start = have ? [Number(lat.value), Number(long.value)] : [Number(d.lat), Number(d.long)];
  const m = L.map(box, { zoomControl: false, keyboard: true }).setView(start, Number(d.zoom));
  L.control.zoom({ zoomInTitle: d.zoomIn, zoomOutTitle: d.zoomOut }).addTo(m);
  m.attributionControl.setPrefix(false);
  L.tileLayer(d.tiles, { maxZoom: Number(d.maxZoom), attribution: d.attribution }).addTo(m);
  let marker = have ? L.marker(start, { keyboard: false }).addTo(m) : null;
  const place = (at) => {
    lat.value = at.lat.toFixed(6);
    long.value = at.lng.toFixed(6);
    if (marker) marker.setLatLng(at); else marker = L.marker(at, { keyboard: false }).addTo(m);
    status.textContent = d.placed;
  };
  m.on('click', (e) => place(e.latlng));
  box.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && e.target === box) { e.preventDefault(); place(m.getCenter()); }
  });
  // "Use my location" fills the fields: show the place on the map too.
  document.addEventListener('egov:located', () => {
    const at = L.latLng(Number(lat.value), Number(long.value));
    if (marker) marker.setLatLng(at); else marker = L.marker(at, { keyboard: false }).addTo(m);
    m.setView(at, Math.max(m.getZoom(), 16));
  });
}());
